#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import TelegramBotAPI
import Synchronization

extension Composing {
    /// Collects each album (media group) into one call of `handler`, with the items in order and
    /// a `ctx` of the last item:
    ///
    /// ```swift
    /// bot.album(store: resources.sessions) { ctx, album in
    ///     try await ctx.reply("Got \(album.photos.count) photos: \(album.caption ?? "no caption")")
    /// }
    /// ```
    ///
    /// Telegram sends an album as one message per item and never says how many there are, so each
    /// item is kept in `store` (under `album:<chat id>`) and its update is done at once. The album
    /// is handed over when the chat's next update reaches this point of the chain (before that
    /// update goes on), or when no item came for `quiet`, whichever is first, and once only.
    ///
    /// - Register it before the handlers (after middleware): updates that handlers registered
    ///   before it take do not flush the album, and a `.photo` handler before it gets the items one by one.
    /// - `ctx` is made afresh for the last item, since the quiet timer runs the handler after that
    ///   item's update was done: middleware registered before (sessions, `I18n`) did not run for it.
    /// - The timer lives in the process. After a crash or a stop the items are still in `store`,
    ///   and the album is handed over on the chat's next update.
    /// - When `handler` throws, the album is kept: on the flush by an update, that update fails and
    ///   is retried as any failed update is; on the timer, the error is logged and the chat's next
    ///   update tries again.
    public func album(
        store: any SessionStore,
        quiet: Duration = .milliseconds(800),
        _ handler: @escaping @Sendable (Context, Album) async throws -> Void
    ) {
        use(AlbumCollector(store: store, quiet: quiet, handler: handler))
    }
}

/// Work a middleware left running after the updates it saw were done; a host that freezes the
/// process between batches (Lambda) waits for it first.
protocol HoldsPendingWork: Sendable {
    func finishPendingWork(before deadline: ContinuousClock.Instant?) async
}

/// What ``Composing/album(store:quiet:_:)`` registers.
final class AlbumCollector: Middleware, HoldsPendingWork {
    let store: any SessionStore
    let quiet: Duration
    let handler: @Sendable (Context, Album) async throws -> Void
    private let state = Mutex(State())

    private struct State {
        /// The chats whose lock is held, each with the tasks waiting for it in arrival order.
        var locks: [Int: [CheckedContinuation<Void, Never>]] = [:]
        /// When this process last found each chat with no album stored, or `nil` while one is pending.
        /// A chat not listed has not been looked at since the process started.
        var empty: [Int: ContinuousClock.Instant?] = [:]
        /// The quiet timer of each chat with an album pending, and the flush it may run.
        var timers: [Int: Timer] = [:]
        var generation = 0
    }

    private struct Timer {
        var generation: Int
        var task: Task<Void, Never>
    }

    /// What a flush needs to make the last item's context, kept from the update that stored it.
    private struct Origin: Sendable {
        var api: any BotAPI
        var botUsername: String?
        var logger: Logger
    }

    /// Chats remembered as having nothing pending, beyond which those entries are forgotten (each
    /// such chat then costs one store read again) so a bot with many chats holds bounded memory.
    private static let rememberedChats = 100_000
    /// How long "nothing pending" is believed without reading the store. Another process (a second
    /// Lambda environment, a second `serve` on a shared queue) may have stored an album for the chat
    /// and failed to hand it over; after this long, this process looks again.
    static let trustEmpty = Duration.seconds(60)

    /// Whether this process knows, recently enough, that the chat has no album stored.
    private func knownEmpty(_ chatID: Int) -> Bool {
        guard case .some(.some(let since)) = state.withLock({ $0.empty[chatID] }) else { return false }
        return ContinuousClock.now - since < Self.trustEmpty
    }

    init(store: any SessionStore, quiet: Duration, handler: @escaping @Sendable (Context, Album) async throws -> Void) {
        self.store = store
        self.quiet = quiet
        self.handler = handler
    }

    /// The items' kinds; other updates it only passes on.
    var updateKinds: UpdateKindSet { .incomingMessages }

    static func key(_ chatID: Int) -> String { "album:\(chatID)" }

    func handle(_ ctx: Context, next: Next) async throws {
        guard let chat = ctx.chat else { return try await next() }
        let part: (message: Message, groupID: String)? = ctx.messageIsIncoming
            ? ctx.message.flatMap { message in message.mediaGroupID.map { (message, $0) } } : nil
        // Most updates: the chat is known to have nothing pending, so no lock and no store read. The
        // first update of a chat after a start does read it, to find an album a stopped process left.
        if part == nil, knownEmpty(chat.id) { return try await next() }

        let origin = Origin(api: ctx.api, botUsername: ctx.botUsername, logger: ctx.logger)
        await lock(chat.id)
        var locked = true
        defer { if locked { unlock(chat.id) } }
        var album = try await load(chat.id, logger: origin.logger)

        guard let part else {
            if let album { try await flush(album, chatID: chat.id, origin) }
            // Nothing pending any more and no timer can start for this chat while this update runs
            // (the runtime hands over one update of a chat at a time): the handlers need no lock.
            unlock(chat.id)
            locked = false
            return try await next()
        }
        if let stored = album, stored.mediaGroupID != part.groupID {
            try await flush(stored, chatID: chat.id, origin)
            album = nil
        }
        var collected = album ?? PendingAlbum(mediaGroupID: part.groupID, parts: [])
        if !collected.parts.contains(where: { $0.updateID == ctx.update.updateID }) {
            collected.parts.append(ctx.update)
        }
        try await store.save(Array(JSONEncoder().encode(collected)), key: Self.key(chat.id))
        startTimer(chat.id, origin)
    }

    /// The chat's stored album, unless this process knows there is none.
    private func load(_ chatID: Int, logger: Logger) async throws -> PendingAlbum? {
        if knownEmpty(chatID) { return nil }
        guard let bytes = try await store.load(key: Self.key(chatID)) else {
            remember(chatID, pending: false)
            return nil
        }
        remember(chatID, pending: true)
        do {
            return try BotAPIDecoder().decode(PendingAlbum.self, from: bytes)
        } catch {
            // Failing every update of the chat for it would help no one: the items are dropped, and said so.
            logger.error(
                "a stored album does not decode; dropped", metadata: ["chat_id": "\(chatID)", "error": "\(error)"]
            )
            try await forget(chatID)
            return nil
        }
    }

    private func remember(_ chatID: Int, pending: Bool) {
        state.withLock { state in
            if !pending, state.empty.count >= Self.rememberedChats {
                state.empty = state.empty.filter { $0.value == nil }
            }
            state.empty[chatID] = pending ? .some(nil) : .some(ContinuousClock.now)
        }
    }

    /// Runs the handler on `album`, then forgets it. Called with the chat's lock held.
    private func flush(_ album: PendingAlbum, chatID: Int, _ origin: Origin) async throws {
        let items = album.parts.compactMap { update in
            (update.message ?? update.channelPost ?? update.businessMessage).map { (update: update, message: $0) }
        }
        guard let last = items.max(by: { $0.message.messageID < $1.message.messageID }) else {
            try await forget(chatID)
            return
        }
        let ctx = Context(update: last.update, api: origin.api, botUsername: origin.botUsername, logger: origin.logger)
        try await handler(ctx, Album(mediaGroupID: album.mediaGroupID, messages: items.map(\.message)))
        try await forget(chatID)
    }

    private func forget(_ chatID: Int) async throws {
        try await store.delete(key: Self.key(chatID))
        remember(chatID, pending: false)
        stopTimer(chatID)
    }

    // MARK: The quiet timer

    /// (Re)starts the chat's quiet timer. Called with the chat's lock held.
    private func startTimer(_ chatID: Int, _ origin: Origin) {
        state.withLock { state in
            state.empty[chatID] = .some(nil)
            // The old timer cannot be flushing: that needs the lock, which the caller holds.
            state.timers[chatID]?.task.cancel()
            state.generation += 1
            let generation = state.generation
            let task = Task {
                try? await Task.sleep(for: self.quiet)
                await self.timerFired(chatID, generation: generation, origin)
            }
            state.timers[chatID] = Timer(generation: generation, task: task)
        }
    }

    /// Called with the chat's lock held.
    private func stopTimer(_ chatID: Int) {
        state.withLock { state in
            state.timers[chatID]?.task.cancel()
            state.timers[chatID] = nil
        }
    }

    private func timerFired(_ chatID: Int, generation: Int, _ origin: Origin) async {
        await lock(chatID)
        defer { unlock(chatID) }
        // A later item restarted the timer, or an update flushed the album, while this one slept.
        guard state.withLock({ $0.timers[chatID]?.generation == generation }) else { return }
        do {
            if let album = try await load(chatID, logger: origin.logger) {
                try await flush(album, chatID: chatID, origin)
            }
        } catch {
            origin.logger.error(
                "the album handler failed on the quiet timer; the album is kept for the chat's next update",
                metadata: ["chat_id": "\(chatID)", "error": "\(error)"]
            )
        }
        state.withLock { state in
            if state.timers[chatID]?.generation == generation { state.timers[chatID] = nil }
        }
    }

    /// Waits for the quiet timers running now to flush their albums, until `deadline`.
    func finishPendingWork(before deadline: ContinuousClock.Instant?) async {
        let tasks = state.withLock { $0.timers.values.map(\.task) }
        guard !tasks.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for task in tasks { await task.value }
            }
            if let deadline {
                group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            }
            // Cancelling the group stops the waits, not the timers: those are tasks of their own.
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: The per-chat lock

    /// Makes an update of the chat and the chat's timer take turns: neither hands an album over
    /// twice, and a later update waits for a flush in progress.
    private func lock(_ chatID: Int) async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let acquired = state.withLock { state -> Bool in
                guard state.locks[chatID] != nil else {
                    state.locks[chatID] = []
                    return true
                }
                state.locks[chatID]!.append(waiter)
                return false
            }
            if acquired { waiter.resume() }
        }
    }

    /// Hands the lock to the first waiter, if any.
    private func unlock(_ chatID: Int) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard var waiters = state.locks[chatID], !waiters.isEmpty else {
                state.locks[chatID] = nil
                return nil
            }
            let first = waiters.removeFirst()
            state.locks[chatID] = waiters
            return first
        }
        next?.resume()
    }
}

/// A chat's album as stored: the items' updates as received.
struct PendingAlbum: Codable, Sendable {
    var mediaGroupID: String
    var parts: [Update]
}

extension Composer: HoldsPendingWork {
    func finishPendingWork(before deadline: ContinuousClock.Instant?) async {
        for holder in registeredMiddleware.compactMap({ $0 as? any HoldsPendingWork }) {
            await holder.finishPendingWork(before: deadline)
        }
    }
}

extension FilterBranch: HoldsPendingWork {
    func finishPendingWork(before deadline: ContinuousClock.Instant?) async {
        await branch.finishPendingWork(before: deadline)
    }
}

extension Bot {
    /// Waits, until `deadline`, for work the bot's middleware left running after the updates were
    /// done: albums waiting for their quiet period (see ``Composing/album(store:quiet:_:)``). The
    /// Lambda consumer calls it before answering a batch, since Lambda freezes the process between
    /// invocations and a timer would not fire until the next one.
    public func finishPendingWork(before deadline: ContinuousClock.Instant?) async {
        await rootComposer.finishPendingWork(before: deadline)
    }
}
