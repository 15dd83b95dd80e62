/// An error the simulated Bot API answers, in Telegram's words:
/// `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`.
///
/// The descriptions are the ones Telegram's server sends, so a bot's error handling meets the texts
/// it will meet in production. Use it to script faults: `simulator.failNext(SendMessage.self, with: .internalServerError)`.
public struct BotAPIFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var errorCode: Int
    public var description: String
    /// Seconds to wait before repeating the call (429 only).
    public var retryAfter: Int?
    /// The supergroup a group was migrated to.
    public var migrateToChatID: Int?

    public init(errorCode: Int, description: String, retryAfter: Int? = nil, migrateToChatID: Int? = nil) {
        self.errorCode = errorCode
        self.description = description
        self.retryAfter = retryAfter
        self.migrateToChatID = migrateToChatID
    }

    /// A 400 whose description starts with Telegram's "Bad Request: ".
    public static func badRequest(_ reason: String) -> BotAPIFailure {
        BotAPIFailure(errorCode: 400, description: "Bad Request: " + reason)
    }

    public static func forbidden(_ reason: String) -> BotAPIFailure {
        BotAPIFailure(errorCode: 403, description: "Forbidden: " + reason)
    }

    public static func conflict(_ reason: String) -> BotAPIFailure {
        BotAPIFailure(errorCode: 409, description: "Conflict: " + reason)
    }

    /// Flood control, as Telegram words it: the wait is in the description and in `parameters.retry_after`.
    public static func tooManyRequests(retryAfter seconds: Int) -> BotAPIFailure {
        BotAPIFailure(errorCode: 429, description: "Too Many Requests: retry after \(seconds)", retryAfter: seconds)
    }

    public static let unauthorized = BotAPIFailure(errorCode: 401, description: "Unauthorized")
    public static let notFound = BotAPIFailure(errorCode: 404, description: "Not Found")
    public static let requestEntityTooLarge = BotAPIFailure(errorCode: 413, description: "Request Entity Too Large")
    public static let internalServerError = BotAPIFailure(errorCode: 500, description: "Internal Server Error")
    public static let badGateway = BotAPIFailure(errorCode: 502, description: "Bad Gateway")

    static let chatNotFound = badRequest("chat not found")
    static let queryIsTooOld = badRequest("query is too old and response timeout expired or query ID is invalid")
}
