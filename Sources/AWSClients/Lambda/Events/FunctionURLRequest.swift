#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An HTTP request to a Lambda function URL (payload format 2.0, shared with API Gateway HTTP APIs).
public struct FunctionURLRequest: Decodable, Sendable, Equatable {
    public var version: String
    public var rawPath: String
    public var rawQueryString: String
    public var cookies: [String]
    /// Header names are lower-case (Lambda sends them so; this type folds any that are not), and
    /// repeated headers arrive joined by commas.
    public var headers: [String: String]
    public var queryStringParameters: [String: String]
    public var requestContext: RequestContext
    /// The body as Lambda sends it: text, or base64 when ``isBase64Encoded``. Use ``bodyBytes()``.
    public var body: String?
    public var isBase64Encoded: Bool

    public struct RequestContext: Decodable, Sendable, Equatable {
        /// `anonymous` for a function URL without IAM auth.
        public var accountID: String
        public var apiID: String
        public var domainName: String
        public var requestID: String
        /// When the request arrived, in milliseconds since 1970.
        public var timeEpoch: Int64
        public var http: HTTP

        enum CodingKeys: String, CodingKey {
            case accountID = "accountId"
            case apiID = "apiId"
            case domainName
            case requestID = "requestId"
            case timeEpoch
            case http
        }
    }

    public struct HTTP: Decodable, Sendable, Equatable {
        public var method: String
        public var path: String
        public var `protocol`: String
        public var sourceIP: String
        public var userAgent: String?

        enum CodingKeys: String, CodingKey {
            case method, path, `protocol`
            case sourceIP = "sourceIp"
            case userAgent
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, rawPath, rawQueryString, cookies, headers, queryStringParameters, requestContext, body, isBase64Encoded
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(String.self, forKey: .version)
        rawPath = try container.decodeIfPresent(String.self, forKey: .rawPath) ?? "/"
        rawQueryString = try container.decodeIfPresent(String.self, forKey: .rawQueryString) ?? ""
        cookies = try container.decodeIfPresent([String].self, forKey: .cookies) ?? []
        let headers = try container.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { "\($0),\($1)" })
        queryStringParameters = try container.decodeIfPresent([String: String].self, forKey: .queryStringParameters) ?? [:]
        requestContext = try container.decode(RequestContext.self, forKey: .requestContext)
        body = try container.decodeIfPresent(String.self, forKey: .body)
        isBase64Encoded = try container.decodeIfPresent(Bool.self, forKey: .isBase64Encoded) ?? false
    }

    /// The header `name`, matched without regard to case.
    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// The body's bytes, decoded from base64 when Lambda encoded it; empty when there is none.
    ///
    /// - Throws: ``FunctionURLRequestError/invalidBase64Body`` when the body claims base64 but is not.
    public func bodyBytes() throws(FunctionURLRequestError) -> [UInt8] {
        guard let body else { return [] }
        guard isBase64Encoded else { return Array(body.utf8) }
        guard let data = Data(base64Encoded: body) else { throw .invalidBase64Body }
        return Array(data)
    }
}

public enum FunctionURLRequestError: Error, Sendable, Equatable {
    case invalidBase64Body
}
