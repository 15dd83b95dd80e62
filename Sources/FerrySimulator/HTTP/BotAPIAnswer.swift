#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One answer of the simulated Bot API, encoded as Telegram writes it:
/// `{"ok":true,"result":...}` or `{"ok":false,"error_code":...,"description":"...","parameters":{...}}`,
/// with the HTTP status equal to the error code.
///
/// The envelope is written by hand so its members come in Telegram's order (`ok` first); the result's
/// members come sorted, so that the same answer is always the same bytes.
struct BotAPIAnswer: Sendable {
    var status: Int
    var body: [UInt8]

    static func success(_ result: some Encodable, description: String? = nil) -> BotAPIAnswer {
        do {
            var body = Array(#"{"ok":true,"result":"#.utf8) + (try encode(result))
            if let description { body += Array(#","description":"#.utf8) + (try encode(description)) }
            return BotAPIAnswer(status: 200, body: body + [UInt8(ascii: "}")])
        } catch {
            // The results are the generated Bot API types; failing to encode one is a bug in the simulator.
            return failure(BotAPIFailure(errorCode: 500, description: "Internal Server Error: cannot encode the result"))
        }
    }

    static func failure(_ failure: BotAPIFailure) -> BotAPIAnswer {
        var body = Array(#"{"ok":false,"error_code":\#(failure.errorCode),"description":"#.utf8)
        // Encoding a string or two integers cannot fail.
        body += (try? encode(failure.description)) ?? Array(#""""#.utf8)
        if failure.retryAfter != nil || failure.migrateToChatID != nil {
            let parameters = Parameters(retryAfter: failure.retryAfter, migrateToChatID: failure.migrateToChatID)
            body += Array(#","parameters":"#.utf8) + ((try? encode(parameters)) ?? Array("{}".utf8))
        }
        return BotAPIAnswer(status: failure.errorCode, body: body + [UInt8(ascii: "}")])
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
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
