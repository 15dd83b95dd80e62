#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One answer of the simulated Bot API, encoded as Telegram writes it:
/// `{"ok":true,"result":...}` or `{"ok":false,"error_code":...,"description":"...","parameters":{...}}`,
/// with the HTTP status equal to the error code.
struct BotAPIAnswer: Sendable {
    var status: Int
    var body: [UInt8]

    static func success<Result: Encodable>(_ result: Result, description: String? = nil) -> BotAPIAnswer {
        do {
            return BotAPIAnswer(status: 200, body: try encode(Success(result: result, description: description)))
        } catch {
            // The results are the generated Bot API types; failing to encode one is a bug in the simulator.
            return failure(BotAPIFailure(errorCode: 500, description: "Internal Server Error: cannot encode the result: \(error)"))
        }
    }

    static func failure(_ failure: BotAPIFailure) -> BotAPIAnswer {
        let parameters =
            failure.retryAfter == nil && failure.migrateToChatID == nil
            ? nil : Parameters(retryAfter: failure.retryAfter, migrateToChatID: failure.migrateToChatID)
        let envelope = Failure(errorCode: failure.errorCode, description: failure.description, parameters: parameters)
        // Encoding integers and strings cannot fail.
        return BotAPIAnswer(status: failure.errorCode, body: (try? encode(envelope)) ?? Array(#"{"ok":false}"#.utf8))
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    private struct Success<Result: Encodable>: Encodable {
        let ok = true
        var result: Result
        /// Some methods say what they did alongside the result: "Webhook was set".
        var description: String?
    }

    private struct Failure: Encodable {
        let ok = false
        var errorCode: Int
        var description: String
        var parameters: Parameters?

        enum CodingKeys: String, CodingKey {
            case ok, description, parameters
            case errorCode = "error_code"
        }
    }

    private struct Parameters: Encodable {
        var retryAfter: Int?
        var migrateToChatID: Int?

        enum CodingKeys: String, CodingKey {
            case retryAfter = "retry_after"
            case migrateToChatID = "migrate_to_chat_id"
        }
    }
}
