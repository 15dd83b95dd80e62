/// When each throttled message may go: reserved in the order the messages come, each at the first moment its
/// chat's rates and the overall rate allow. Pure (the caller says what time it is), so it is tested without waiting.
///
/// A chat's rates are sliding windows over the chat's last sends. The overall rate is a calendar of equally
/// spaced slots: a message takes the first free slot from when its chat allows it, so one waiting for its
/// chat never holds up messages to other chats. The calendar starts afresh whenever the last reserved slot is
/// a whole spacing in the past, so a message to a quiet bot goes at once rather than at the next slot.
struct SendSchedule {
    typealias Instant = ContinuousClock.Instant

    /// A chat: its id, or its `@username` (a public group or channel).
    enum ChatKey: Hashable {
        case id(Int)
        case username(String)
    }

    let limits: ThrottleLimits
    /// Where slot 0 is.
    private var origin: Instant
    private let slotSpacing: Duration
    /// The longest window of any chat rate: a chat whose last send is older than this is as good as new.
    private let longestWindow: Duration
    /// Per chat, its most recent sends, oldest first: as many as its largest rate counts.
    private var recentSends: [ChatKey: [Instant]] = [:]
    /// For each reserved slot, a slot at or after the next one that may be free (shortened as it is followed).
    private var nextFreeSlot: [Int: Int] = [:]
    private var lastReservedSlot: Instant?
    private var reservations = 0

    init(limits: ThrottleLimits, origin: Instant) {
        self.limits = limits
        self.origin = origin
        self.slotSpacing = limits.window(limits.global) / limits.global.messages
        self.longestWindow = (limits.privateChat + limits.groupChat).map(limits.window).max() ?? .zero
    }

    /// Reserves the moment a message to `chat` may be sent, at `now` or later, and after the chat's earlier ones.
    mutating func reserve(chat: ChatKey, isPrivate: Bool, now: Instant) -> Instant {
        let rates = isPrivate ? limits.privateChat : limits.groupChat
        var sends = recentSends[chat] ?? []
        var chatAllows = max(now, sends.last ?? now)
        for rate in rates where sends.count >= rate.messages {
            chatAllows = max(chatAllows, sends[sends.count - rate.messages] + limits.window(rate))
        }
        if lastReservedSlot.map({ $0 + slotSpacing <= now }) ?? true {
            // Every slot taken is a spacing in the past: the calendar may start now.
            origin = now
            nextFreeSlot.removeAll()
        }
        let slot = firstFreeSlot(from: slotIndex(atOrAfter: chatAllows))
        nextFreeSlot[slot] = slot + 1
        let sendAt = origin + slotSpacing * slot
        lastReservedSlot = max(lastReservedSlot ?? sendAt, sendAt)
        sends.append(sendAt)
        sends.removeFirst(max(0, sends.count - (rates.map(\.messages).max() ?? 0)))
        recentSends[chat] = sends
        forgetThePast(now: now)
        return sendAt
    }

    /// The first slot that starts at or after `instant`.
    private func slotIndex(atOrAfter instant: Instant) -> Int {
        Int(((instant - origin) / slotSpacing).rounded(.up))
    }

    private mutating func firstFreeSlot(from start: Int) -> Int {
        var free = start
        while let next = nextFreeSlot[free] { free = next }
        var current = start
        while let next = nextFreeSlot[current], next != free {
            nextFreeSlot[current] = free
            current = next
        }
        return free
    }

    /// Now and then drops what can no longer matter: slots before now (a reservation never starts before now,
    /// and the links only point forward) and chats whose last send is older than any window. Keeps a process
    /// that messages millions of chats in bounded memory.
    private mutating func forgetThePast(now: Instant) {
        reservations += 1
        guard reservations % 1024 == 0 else { return }
        let nowSlot = slotIndex(atOrAfter: now)
        nextFreeSlot = nextFreeSlot.filter { $0.key >= nowSlot }
        recentSends = recentSends.filter { ($0.value.last ?? now) + longestWindow > now }
    }
}
