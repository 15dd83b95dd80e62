#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The answer a function URL sends back (payload format 2.0).
public struct FunctionURLResponse: Encodable, Sendable, Equatable {
    public var statusCode: Int
    public var headers: [String: String]
    /// Text, or base64 when ``isBase64Encoded``.
    public var body: String?
    public var isBase64Encoded: Bool
    /// `Set-Cookie` values; a function URL does not take them from ``headers``.
    public var cookies: [String]

    public init(statusCode: Int, headers: [String: String] = [:], body: String? = nil, isBase64Encoded: Bool = false, cookies: [String] = []) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
        self.isBase64Encoded = isBase64Encoded
        self.cookies = cookies
    }

    /// A status with a short text body (or none).
    public static func text(_ statusCode: Int, _ body: String = "") -> FunctionURLResponse {
        FunctionURLResponse(
            statusCode: statusCode,
            headers: body.isEmpty ? [:] : ["content-type": "text/plain; charset=utf-8"],
            body: body.isEmpty ? nil : body
        )
    }

    /// A status with a body of arbitrary bytes, sent base64-encoded as the payload format requires.
    public static func bytes(_ statusCode: Int, _ body: [UInt8], contentType: String) -> FunctionURLResponse {
        FunctionURLResponse(
            statusCode: statusCode,
            headers: ["content-type": contentType],
            body: Data(body).base64EncodedString(),
            isBase64Encoded: true
        )
    }

    enum CodingKeys: String, CodingKey {
        case statusCode, headers, body, isBase64Encoded, cookies
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(statusCode, forKey: .statusCode)
        if !headers.isEmpty { try container.encode(headers, forKey: .headers) }
        try container.encodeIfPresent(body, forKey: .body)
        try container.encode(isBase64Encoded, forKey: .isBase64Encoded)
        if !cookies.isEmpty { try container.encode(cookies, forKey: .cookies) }
    }
}
