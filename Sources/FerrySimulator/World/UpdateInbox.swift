import TelegramBotAPI

/// The bot's pending updates, in `update_id` order: what `getUpdates` returns and the webhook delivers.
///
/// An update stays until it is confirmed: by a `getUpdates` offset above its id, or by a 2xx answer of the
/// webhook. Update kinds the bot did not subscribe to (`allowed_updates`) are never queued, as on Telegram.
struct UpdateInbox {
    /// What Telegram sends when a bot never set `allowed_updates`: every kind but these three.
    static let kindsNeedingOptIn: Set<String> = ["chat_member", "message_reaction", "message_reaction_count"]

    let capacity: Int
    private(set) var nextUpdateID: Int
    /// The kinds the bot subscribed to; `nil` is Telegram's default.
    var allowedKinds: [String]?

    private var pending: [Update] = []
    /// Confirmed updates at the front are skipped rather than removed one by one.
    private var head = 0

    init(capacity: Int, firstUpdateID: Int) {
        self.capacity = capacity
        self.nextUpdateID = firstUpdateID
    }

    var count: Int { pending.count - head }
    var isEmpty: Bool { count == 0 }
    var first: Update? { isEmpty ? nil : pending[head] }

    func accepts(_ kind: UpdateKind) -> Bool {
        guard let allowedKinds, !allowedKinds.isEmpty else { return !Self.kindsNeedingOptIn.contains(kind.rawValue) }
        return allowedKinds.contains(kind.rawValue)
    }

    /// Queues the update `make` builds with the next id, if the bot receives updates of `kind`.
    /// Beyond `capacity` the oldest pending update is dropped, as Telegram drops what it cannot deliver.
    mutating func enqueue(_ kind: UpdateKind, _ make: (_ updateID: Int) -> Update) -> Update? {
        guard accepts(kind) else { return nil }
        let update = make(nextUpdateID)
        nextUpdateID += 1
        pending.append(update)
        if count > capacity { head += 1 }
        compact()
        return update
    }

    /// Up to `limit` pending updates from the oldest.
    func peek(limit: Int) -> [Update] {
        Array(pending[head..<min(pending.count, head + limit)])
    }

    /// Forgets every update with an id below `offset`: they count as received.
    mutating func confirm(below offset: Int) {
        while let first, first.updateID < offset { head += 1 }
        compact()
    }

    /// Keeps only the newest `count` updates: `getUpdates` with a negative offset.
    mutating func keepNewest(_ count: Int) {
        head = max(head, pending.count - count)
        compact()
    }

    /// Continues a saved inbox: its pending updates (oldest first) and the id the next update gets.
    mutating func restore(pending updates: [Update], nextUpdateID: Int) {
        pending = Array(updates.suffix(capacity))
        head = 0
        self.nextUpdateID = max(nextUpdateID, (updates.last?.updateID ?? 0) + 1)
    }

    mutating func removeAll() {
        pending.removeAll()
        head = 0
    }

    private mutating func compact() {
        guard head > 64, head * 2 > pending.count else { return }
        pending.removeFirst(head)
        head = 0
    }
}

/// The webhook the bot registered with `setWebhook`, and how delivering to it went.
struct WebhookRegistration: Sendable, Hashable {
    var url: String
    var secretToken: String?
    var maxConnections: Int
    var ipAddress: String?
    /// Bumped on every `setWebhook`, so a delivery started for an older registration is told apart.
    var generation: Int
    var lastErrorDate: Int?
    var lastErrorMessage: String?
}
