import TelegramBotAPI

/// The bodies of the playground's JSON endpoints. Playground fields are camelCase; Telegram's objects
/// inside keep their Bot API shape (snake_case).
enum PlaygroundAPI {
    /// Telegram's own limits where it has them, so the playground refuses what Telegram would.
    static let maximumTextLength = 4096
    static let nameLengths = 1...64
    static let titleLengths = 1...128
    static let maximumGroupMembers = 200
    static let maximumCallbackDataBytes = 64
    /// Every request body is small; anything larger is refused before it is read in full.
    static let maximumBodySize = 16 * 1024
    /// The most recent messages a chat's history answers with.
    static let historyLimit = 200

    struct NewUser: Decodable {
        var firstName: String

        func validate() throws(PlaygroundFailure) {
            let name = firstName.trimmed
            guard nameLengths.contains(name.count) else { throw .badRequest("a first name has 1 to 64 characters") }
        }
    }

    struct NewGroup: Decodable {
        var title: String
        var memberIDs: [Int]

        func validate() throws(PlaygroundFailure) {
            guard titleLengths.contains(title.trimmed.count) else { throw .badRequest("a group title has 1 to 128 characters") }
            guard (1...maximumGroupMembers).contains(Set(memberIDs).count) else {
                throw .badRequest("a group has 1 to \(maximumGroupMembers) members besides the bot")
            }
        }
    }

    struct UserMessage: Decodable {
        var chatID: Int
        var userID: Int
        var text: String

        func validate() throws(PlaygroundFailure) {
            guard !text.trimmed.isEmpty else { throw .badRequest("the message is empty") }
            guard text.utf16.count <= maximumTextLength else { throw .badRequest("a message has at most 4096 characters") }
        }
    }

    struct ButtonPress: Decodable {
        var chatID: Int
        var messageID: Int
        var userID: Int
        var callbackData: String

        func validate() throws(PlaygroundFailure) {
            guard (1...maximumCallbackDataBytes).contains(callbackData.utf8.count) else {
                throw .badRequest("callback data has 1 to 64 bytes")
            }
        }
    }

    /// Everything the page lists: the bot, the users it can play and the chats they are in.
    struct World: Encodable {
        var bot: User
        var commandName: String
        /// Whether `dev` runs the bot: the page then asks for the build status.
        var dev: Bool
        var users: [User]
        var chats: [ChatEntry]
    }

    struct ChatEntry: Encodable {
        var chat: Chat
        var memberIDs: [Int]
    }

    struct NewUserAnswer: Encodable {
        var user: User
        var chat: Chat
    }

    struct Failure: Encodable {
        var error: String
    }
}

/// A request the playground refuses, with the status and the reason the page shows.
struct PlaygroundFailure: Error {
    var status: Int
    var message: String

    static func badRequest(_ message: String) -> PlaygroundFailure { PlaygroundFailure(status: 400, message: message) }
}

extension String {
    var trimmed: Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        let start = firstIndex { !isSpace($0) } ?? endIndex
        let end = lastIndex { !isSpace($0) }.map { index(after: $0) } ?? start
        return self[start..<max(start, end)]
    }
}
