#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import TelegramBotAPI

/// When something happens: the Unix time for message dates, the monotonic instant for rate limits.
struct Moment {
    var unixTime: Int
    var instant: ContinuousClock.Instant

    static var now: Moment { Moment(unixTime: Int(Date().timeIntervalSince1970), instant: .now) }
}

/// A file the bot uploaded, kept under the `file_id` the simulator gave it so the bot can send it again.
public struct StoredFile: Sendable, Hashable {
    public var fileID: String
    public var fileUniqueID: String
    public var upload: UploadedFile
}

/// Everything the simulated Telegram knows: users, chats and their messages, files, open queries,
/// the bot's pending updates, webhook, commands and rate-limit state.
///
/// A plain value without concurrency of its own: the simulator keeps it behind one lock, so every
/// call and every user action sees and leaves a consistent world. The Bot API methods live in
/// extensions (`SimulatorWorld+Messages` and friends) and throw Telegram's errors; user actions throw
/// ``SimulatorError``.
struct SimulatorWorld {
    struct ChatRecord {
        var chat: Chat
        var memberIDs: Set<Int>
        /// Messages by id; the oldest are forgotten beyond the history limit.
        var messages: [Int: Message] = [:]
        var nextMessageID = 1

        var isPrivate: Bool { chat.type == "private" }
    }

    struct UserRecord {
        var user: User
        var hasBlockedBot = false
    }

    let bot: User
    let historyLimit: Int
    /// Telegram's privacy mode: in groups the bot only receives commands, replies to it and mentions of it.
    let groupPrivacy: Bool

    var users: [Int: UserRecord] = [:]
    var chats: [Int: ChatRecord] = [:]
    /// Every file by each of its `file_id`s (a photo has one per size).
    var files: [String: StoredFile] = [:]
    /// What a photo `file_id` stands for when the bot sends it again: all sizes of that photo.
    var photos: [String: [PhotoSize]] = [:]
    var documents: [String: Document] = [:]
    /// The `file_id`s of each stored upload, oldest first, to forget the oldest beyond the history limit.
    var uploadsInOrder: [[String]] = []
    /// Callback and inline queries the bot has not answered yet, by id.
    var callbackQueries: Set<String> = []
    var inlineQueries: Set<String> = []
    /// The command lists set with `setMyCommands`, by scope and language.
    var commands: [CommandListKey: [BotCommand]] = [:]
    var inbox: UpdateInbox
    var webhook: WebhookRegistration?
    var rateLimiter: RateLimiter
    var log: ActionLog
    /// Bumped by every `getUpdates`, so an older long poll knows a newer one took over.
    var pollGeneration = 0
    /// `getUpdates` calls holding the connection open right now.
    var waitingPolls = 0

    var nextUserID = 100_000_001
    var nextGroupNumber = 1
    var nextQueryNumber = 1
    var nextFileNumber = 1
    var nextWebhookGeneration = 1

    /// Bumped by every change, so the world file is written only when there is something new.
    var revision = 0

    init(bot: User, rateLimits: RateLimits, groupPrivacy: Bool, historyLimit: Int, firstUpdateID: Int = 1) {
        self.bot = bot
        self.groupPrivacy = groupPrivacy
        self.historyLimit = historyLimit
        self.inbox = UpdateInbox(capacity: historyLimit, firstUpdateID: firstUpdateID)
        self.rateLimiter = RateLimiter(limits: rateLimits)
        self.log = ActionLog(limit: historyLimit)
    }

    // MARK: Building the world

    mutating func createUser(firstName: String, lastName: String?, username: String?, languageCode: String?) -> User {
        let user = User(id: nextUserID, isBot: false, firstName: firstName, lastName: lastName, username: username, languageCode: languageCode)
        nextUserID += 1
        users[user.id] = UserRecord(user: user)
        return user
    }

    /// The user's private chat with the bot, opened (the user pressed Start) if it was not yet.
    mutating func openPrivateChat(with userID: Int) throws(SimulatorError) -> Chat {
        if let record = chats[userID] { return record.chat }
        guard let user = users[userID]?.user else { throw .unknownUser(userID) }
        let chat = Chat(id: user.id, type: "private", username: user.username, firstName: user.firstName, lastName: user.lastName)
        chats[user.id] = ChatRecord(chat: chat, memberIDs: [user.id])
        return chat
    }

    /// A group with the bot in it. Supergroup ids start with -100, as Telegram's do.
    mutating func createGroup(title: String, memberIDs: [Int], supergroup: Bool, username: String?) throws(SimulatorError) -> Chat {
        if let unknown = memberIDs.first(where: { users[$0] == nil }) { throw .unknownUser(unknown) }
        let number = nextGroupNumber
        nextGroupNumber += 1
        let chat = Chat(
            id: supergroup ? -1_000_000_000_000 - number : -4_000_000_000 - number,
            type: supergroup ? "supergroup" : "group",
            title: title,
            username: username
        )
        chats[chat.id] = ChatRecord(chat: chat, memberIDs: Set(memberIDs))
        return chat
    }

    mutating func setBlocked(_ blocked: Bool, userID: Int) throws(SimulatorError) {
        guard users[userID] != nil else { throw .unknownUser(userID) }
        users[userID]?.hasBlockedBot = blocked
    }

    // MARK: Messages

    /// Gives `message` the chat's next id, stores it, and forgets the one that fell out of the history.
    mutating func store(_ message: inout Message, in chatID: Int) {
        // Mutated in place through the dictionary: a copy of the record would copy its whole history.
        guard let nextID = chats[chatID]?.nextMessageID else { return }
        message.messageID = nextID
        chats[chatID]?.nextMessageID += 1
        chats[chatID]?.messages[nextID] = message
        chats[chatID]?.messages[nextID - historyLimit] = nil
    }

    func message(_ messageID: Int, in chatID: Int) -> Message? {
        chats[chatID]?.messages[messageID]
    }

    /// A fresh query id. A query the bot left unanswered for `historyLimit` newer queries expires,
    /// as Telegram's expire after a while, so unanswered queries cannot pile up.
    mutating func nextQueryID() -> String {
        defer { nextQueryNumber += 1 }
        let expired = queryID(number: nextQueryNumber - historyLimit)
        callbackQueries.remove(expired)
        inlineQueries.remove(expired)
        return queryID(number: nextQueryNumber)
    }

    /// Telegram's query ids are opaque strings of digits; these are unique per simulator.
    private func queryID(number: Int) -> String {
        String(bot.id) + String(number)
    }

    /// Keeps an upload under all its `file_id`s, forgetting the oldest upload beyond the history limit.
    mutating func rememberUpload(_ upload: UploadedFile, ids: [(fileID: String, uniqueID: String)]) {
        for (fileID, uniqueID) in ids {
            files[fileID] = StoredFile(fileID: fileID, fileUniqueID: uniqueID, upload: upload)
        }
        uploadsInOrder.append(ids.map(\.fileID))
        guard uploadsInOrder.count > historyLimit else { return }
        for fileID in uploadsInOrder.removeFirst() {
            files[fileID] = nil
            photos[fileID] = nil
            documents[fileID] = nil
        }
    }

    /// Stable per chat, as Telegram's `chat_instance` is: lets a bot tell games and polls in different chats apart.
    func chatInstance(for chatID: Int) -> String {
        String((UInt64(bitPattern: Int64(chatID)) &* 0x9E37_79B9_7F4A_7C15) >> 1)
    }
}

/// The scope and language a command list was set for; the default list has neither.
struct CommandListKey: Hashable {
    var scope: JSONValue?
    var languageCode: String?
}
