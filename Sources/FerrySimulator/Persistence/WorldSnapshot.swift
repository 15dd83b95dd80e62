import TelegramBotAPI

/// What the simulator keeps of its world across restarts: users, chats with their messages, the
/// updates the bot has not received yet, and every counter, so ids continue where they stopped and
/// the bot never sees an `update_id` twice.
///
/// Left out on purpose: uploaded files (their bytes can be large; a message showing an old photo keeps
/// its sizes, only downloading it fails), open queries (Telegram expires them too), the webhook and
/// command lists (the bot sets them again when it starts) and the bot's action log.
struct WorldSnapshot: Codable, Sendable {
    /// Bumped when the layout changes in a way older files cannot be read as.
    static let currentFormat = 1

    struct SavedUser: Codable, Sendable {
        var user: User
        var hasBlockedBot: Bool
    }

    struct SavedChat: Codable, Sendable {
        var chat: Chat
        var memberIDs: [Int]
        /// Oldest first.
        var messages: [Message]
        var nextMessageID: Int
    }

    var format: Int
    var bot: User
    var users: [SavedUser]
    var chats: [SavedChat]
    /// Updates queued for the bot and not yet confirmed, oldest first: delivered after the restart.
    var pendingUpdates: [Update]
    var nextUpdateID: Int
    var nextUserID: Int
    var nextGroupNumber: Int
    var nextQueryNumber: Int
    var nextFileNumber: Int
}

extension SimulatorWorld {
    func snapshot() -> WorldSnapshot {
        WorldSnapshot(
            format: WorldSnapshot.currentFormat,
            bot: bot,
            users: users.values.sorted { $0.user.id < $1.user.id }.map { WorldSnapshot.SavedUser(user: $0.user, hasBlockedBot: $0.hasBlockedBot) },
            chats: chats.values.sorted { $0.chat.id < $1.chat.id }.map { record in
                WorldSnapshot.SavedChat(
                    chat: record.chat, memberIDs: record.memberIDs.sorted(),
                    messages: record.messages.keys.sorted().compactMap { record.messages[$0] },
                    nextMessageID: record.nextMessageID
                )
            },
            pendingUpdates: inbox.peek(limit: inbox.count),
            nextUpdateID: inbox.nextUpdateID,
            nextUserID: nextUserID,
            nextGroupNumber: nextGroupNumber,
            nextQueryNumber: nextQueryNumber,
            nextFileNumber: nextFileNumber
        )
    }

    /// Takes over the saved users, chats, pending updates and counters. Update ids continue from the
    /// larger of the saved next id and `firstUpdateID` (what the bot's storage has already seen).
    mutating func restore(_ saved: WorldSnapshot, firstUpdateID: Int) {
        users = Dictionary(saved.users.map { ($0.user.id, UserRecord(user: $0.user, hasBlockedBot: $0.hasBlockedBot)) }) { first, _ in first }
        chats = Dictionary(
            saved.chats.map { savedChat in
                var record = ChatRecord(chat: savedChat.chat, memberIDs: Set(savedChat.memberIDs))
                record.messages = Dictionary(savedChat.messages.map { ($0.messageID, $0) }) { _, last in last }
                record.nextMessageID = savedChat.nextMessageID
                return (savedChat.chat.id, record)
            }
        ) { first, _ in first }
        inbox.restore(pending: saved.pendingUpdates, nextUpdateID: max(saved.nextUpdateID, firstUpdateID))
        nextUserID = max(nextUserID, saved.nextUserID)
        nextGroupNumber = max(nextGroupNumber, saved.nextGroupNumber)
        nextQueryNumber = max(nextQueryNumber, saved.nextQueryNumber)
        nextFileNumber = max(nextFileNumber, saved.nextFileNumber)
    }
}
