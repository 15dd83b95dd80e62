public import TelegramBotAPI

/// Watching what the bot does, and waiting for it within a time limit.
///
/// The waits give up after 30 seconds unless told otherwise: they return as soon as what they wait for
/// happens, so a generous limit costs nothing when a test passes and keeps a loaded machine (a CI runner
/// building in parallel) from failing it. A test that proves something does *not* happen passes a short one.
extension BotAPISimulator {
    /// The bot's actions from now on, in order, until the simulator shuts down.
    /// A reader that falls behind by more than the history limit loses the oldest.
    public func actions() -> AsyncStream<BotAction> {
        engine.observers.stream()
    }

    /// Every action the bot took so far (up to the history limit), oldest first.
    public var actionLog: [BotAction] {
        engine.read { $0.log.actions }
    }

    /// The messages the bot sent to `chat`, as sent (edits and deletions are separate actions), oldest first.
    public func sentMessages(in chat: Chat) -> [Message] {
        engine.read { Self.sentMessages(in: chat.id, after: nil, log: $0.log) }
    }

    /// The chat's messages as they stand now, edits applied and deleted ones gone, oldest first.
    public func messages(in chat: Chat) -> [Message] {
        engine.read { world in world.chats[chat.id]?.messages.values.sorted { $0.messageID < $1.messageID } ?? [] }
    }

    /// The chat's message `messageID` as it stands now, or `nil` when it was deleted or forgotten.
    public func message(_ messageID: Int, in chat: Chat) -> Message? {
        engine.read { $0.message(messageID, in: chat.id) }
    }

    /// Every simulated user, by id (the order they were created in).
    public var users: [User] {
        engine.read { world in world.users.values.map(\.user).sorted { $0.id < $1.id } }
    }

    public func user(id: Int) -> User? {
        engine.read { $0.users[id]?.user }
    }

    public func chat(id: Int) -> Chat? {
        engine.read { $0.chats[id]?.chat }
    }

    /// Every chat with the bot: the private chats users opened and the groups, by id.
    public var chats: [Chat] {
        engine.read { world in world.chats.values.map(\.chat).sorted { $0.id < $1.id } }
    }

    /// The users in `chat` (the bot aside), by id; empty for a chat the simulator does not know.
    public func members(of chat: Chat) -> [User] {
        engine.read { world in
            (world.chats[chat.id]?.memberIDs ?? []).compactMap { world.users[$0]?.user }.sorted { $0.id < $1.id }
        }
    }

    /// A file the bot uploaded, by any of its `file_id`s.
    public func file(id fileID: String) -> StoredFile? {
        engine.read { $0.files[fileID] }
    }

    /// The updates waiting for the bot: not yet confirmed by `getUpdates` or accepted by its webhook.
    public var pendingUpdateCount: Int {
        engine.read { $0.inbox.count }
    }

    /// What `getWebhookInfo` would answer now.
    public var webhookInfo: WebhookInfo {
        engine.read { $0.webhookInfo() }
    }

    /// Waits until the bot has sent `count` messages to `chat` after `message` (from the chat's start when
    /// `nil`), and returns the first `count` of them.
    /// - Throws: ``SimulatorError/timedOut(waitingFor:after:)`` when they do not all arrive within `timeout`.
    public func waitForMessages(in chat: Chat, count: Int = 1, after message: Message? = nil, timeout: Duration = .seconds(30)) async throws -> [Message] {
        let messages = await engine.wait(until: .now + timeout) { world -> [Message]? in
            let sent = Self.sentMessages(in: chat.id, after: message?.messageID, log: world.log)
            return sent.count >= count ? Array(sent.prefix(count)) : nil
        }
        guard let messages else {
            throw SimulatorError.timedOut(waitingFor: "\(count) message(s) from the bot in chat \(chat.id)", after: timeout)
        }
        return messages
    }

    /// Waits until the bot has taken an action that `matches` (one it took earlier counts too), and returns it.
    public func waitForAction(timeout: Duration = .seconds(30), where matches: (BotAction) -> Bool) async throws -> BotAction {
        let action = await engine.wait(until: .now + timeout) { world in world.log.actions.first(where: matches) }
        guard let action else { throw SimulatorError.timedOut(waitingFor: "a matching bot action", after: timeout) }
        return action
    }

    /// Waits until the bot has received every pending update (by `getUpdates` offset or webhook answer).
    public func waitUntilUpdatesDelivered(timeout: Duration = .seconds(30)) async throws {
        let done = await engine.wait(until: .now + timeout) { world in world.inbox.isEmpty ? true : nil }
        guard done != nil else { throw SimulatorError.timedOut(waitingFor: "the bot to receive its pending updates", after: timeout) }
    }

    /// Waits until the bot has a `getUpdates` call open (one that is waiting or about to answer), so that
    /// what a test does next meets a bot that is listening.
    public func waitUntilBotIsPolling(timeout: Duration = .seconds(30)) async throws {
        let polling = await engine.wait(until: .now + timeout) { world in world.waitingPolls > 0 ? true : nil }
        guard polling != nil else { throw SimulatorError.timedOut(waitingFor: "the bot to call getUpdates", after: timeout) }
    }

    private static func sentMessages(in chatID: Int, after messageID: Int?, log: ActionLog) -> [Message] {
        log.actions.compactMap { action in
            guard case .sentMessage(let message) = action, message.chat.id == chatID, message.messageID > (messageID ?? 0) else { return nil }
            return message
        }
    }
}
