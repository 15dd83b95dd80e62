#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A Bot API method: its parameters are the type's properties, its answer is `Result`.
/// Every method of the spec has a generated conforming type (`SendMessage`, `GetMe`, ...).
public protocol TelegramMethod: Encodable, Sendable {
    associatedtype Result: Decodable & Sendable
    /// The method's name as it appears in the URL: `sendMessage`.
    static var name: String { get }
}

/// Anything that can call the Bot API: the HTTP client, the test kit's recorder, adaptors layered over either.
/// Generated convenience methods (`api.sendMessage(chatID:text:)`) are built on `send`.
public protocol BotAPI: Sendable {
    func send<Method: TelegramMethod>(_ method: Method) async throws -> Method.Result
}

/// A method call encoded for the wire: a JSON object of parameters and, when the call uploads
/// files, the uploads its parameters refer to as `attach://<name>`.
public struct BotAPIRequest: Sendable {
    public var method: String
    /// The parameters as a UTF-8 JSON object.
    public var parameters: [UInt8]
    public var uploads: [(name: String, upload: InputFile.Upload)]

    public var needsMultipart: Bool { !uploads.isEmpty }

    public static func encode<Method: TelegramMethod>(_ method: Method) throws -> BotAPIRequest {
        let collector = UploadCollector()
        let encoder = JSONEncoder()
        encoder.userInfo[UploadCollector.userInfoKey] = collector
        let body = try encoder.encode(method)
        return BotAPIRequest(method: Method.name, parameters: Array(body), uploads: collector.uploads)
    }

    /// The parameters as JSON values, for multipart form fields and for test assertions.
    public func parameterValues() throws -> [String: JSONValue] {
        try BotAPIDecoder().decode([String: JSONValue].self, from: parameters)
    }
}

/// An error answered by the Bot API: `{"ok":false,"error_code":429,"description":"...","parameters":{...}}`.
public struct TelegramAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    public var method: String
    public var errorCode: Int
    public var description: String
    /// Seconds to wait before repeating the request (flood control, 429).
    public var retryAfter: Int?
    /// The supergroup a group migrated to; repeat the request there.
    public var migrateToChatID: Int?

    public init(method: String, errorCode: Int, description: String, retryAfter: Int? = nil, migrateToChatID: Int? = nil) {
        self.method = method
        self.errorCode = errorCode
        self.description = description
        self.retryAfter = retryAfter
        self.migrateToChatID = migrateToChatID
    }

    /// Flood control: wait `retryAfter` seconds; not a failure of the handler.
    public var isRateLimit: Bool { errorCode == 429 }

    /// Repeating the same call cannot succeed: the bot was blocked, kicked or the chat is gone, or Telegram
    /// refused the request itself (a text too long or empty, entities it cannot parse, a message that cannot
    /// be edited or no longer exists, an expired query). The runtime dead-letters such an update at once,
    /// with Telegram's words as the reason, instead of repeating it.
    public var isPermanent: Bool {
        switch errorCode {
        case 401, 403, 404: return true
        case 400:
            let text = description.lowercased()
            return Self.permanentBadRequests.contains { text.contains($0) }
        default: return false
        }
    }

    /// What Telegram says (lowercased) in a 400 that the same request would get again. Not among them: a group
    /// upgraded to a supergroup (`migrateToChatID`), where the call can succeed once sent to the new chat.
    static let permanentBadRequests = [
        // The chat or user cannot be written to.
        "chat not found", "user not found", "bot was blocked", "user is deactivated", "peer_id_invalid", "not enough rights",
        // The request itself.
        "message is too long", "message_too_long", "message caption is too long", "message text is empty",
        "text must be non-empty", "can't parse entities", "entities_too_long", "entity_text_invalid",
        "can't parse reply keyboard markup", "can't parse inline keyboard button", "reply markup is too long",
        "button_data_invalid", "text buttons are unallowed in the inline keyboard",
        // The message or query it refers to.
        "message is not modified", "message to edit not found", "message can't be edited", "message to delete not found",
        "message can't be deleted", "message to be replied not found", "query is too old",
    ]

    /// Telegram does not take the bot's token: 401 for a wrong or revoked one, and 404 from `getMe` or
    /// `getUpdates` (methods every bot has) for one not shaped like a token. Nothing the bot calls can
    /// work until the token is fixed.
    public var refusesToken: Bool {
        errorCode == 401 || (errorCode == 404 && (method == "getMe" || method == "getUpdates"))
    }

    /// A Telegram-side failure worth retrying after a pause.
    public var isServerError: Bool { errorCode >= 500 }
}

/// The envelope of every Bot API answer.
public struct BotAPIResponse<Result: Decodable & Sendable>: Decodable, Sendable {
    public var ok: Bool
    public var result: Result?
    public var errorCode: Int?
    public var description: String?
    public var parameters: ResponseParameters?

    enum CodingKeys: String, CodingKey {
        case ok, result, description, parameters
        case errorCode = "error_code"
    }

    /// Decodes an answer to `method`: its result, or the `TelegramAPIError` it carries.
    public static func decode(_ body: some Collection<UInt8>, method: String) throws -> Result {
        let response = try BotAPIDecoder().decode(BotAPIResponse<Result>.self, from: body)
        if response.ok, let result = response.result {
            return result
        }
        throw TelegramAPIError(
            method: method,
            errorCode: response.errorCode ?? 0,
            description: response.description ?? "no description",
            retryAfter: response.parameters?.retryAfter,
            migrateToChatID: response.parameters?.migrateToChatID
        )
    }
}
