import NIOHTTP1
import NIOCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads the error a JSON-protocol service answers with: `{"__type": "<namespace>#<Code>", "message": "..."}`
/// (some services write `Message`), or only the `x-amzn-ErrorType` header when there is no JSON body.
enum AWSErrorDecoding {
    /// Longest message kept: error text ends up in logs, and an unbounded one has no business there.
    static let maxMessageLength = 1024

    private struct Body: Decodable {
        var type: String?
        var message: String?
        var capitalizedMessage: String?

        enum CodingKeys: String, CodingKey {
            case type = "__type"
            case message
            case capitalizedMessage = "Message"
        }
    }

    static func serviceError(
        operation: String,
        statusCode: Int,
        body: ByteBuffer,
        headers: HTTPHeaders,
        requestID: String?
    ) -> AWSServiceError {
        let decoded = try? JSONDecoder().decode(Body.self, from: Data(body.readableBytesView))
        let rawCode = decoded?.type ?? headers.first(name: "x-amzn-ErrorType") ?? "HTTP\(statusCode)"
        let message = decoded?.message ?? decoded?.capitalizedMessage ?? ""
        // `x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender`
        let queryErrorCode = headers.first(name: "x-amzn-query-error")?.split(separator: ";").first.map(String.init)
        return AWSServiceError(
            operation: operation,
            statusCode: statusCode,
            code: code(from: rawCode),
            message: String(message.prefix(maxMessageLength)),
            queryErrorCode: queryErrorCode,
            requestID: requestID
        )
    }

    /// `com.amazonaws.sqs#QueueDoesNotExist` and `QueueDoesNotExist:http://internal.amazon.com/...`
    /// both name the code `QueueDoesNotExist`.
    static func code(from type: String) -> String {
        var code = Substring(type)
        if let hash = code.lastIndex(of: "#") { code = code[code.index(after: hash)...] }
        if let colon = code.firstIndex(of: ":") { code = code[..<colon] }
        return String(code)
    }
}
