import FerryHashing
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The parts of an HTTP request that Signature Version 4 covers.
public struct AWSSignableRequest: Sendable {
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public var method: String
    /// The path as it goes on the wire, without the query; `""` means `/`.
    public var path: String
    /// The query as it goes on the wire, without `?`; `""` for none.
    public var query: String
    /// Every header to sign, `Host` included, in the order they are sent. Signing appends its own.
    public var headers: [Header]
    public var body: [UInt8]
    /// Whether to resolve `.`, `..` and empty segments in the path: true for every service but S3.
    public var normalizesPath: Bool
    /// Whether to send and sign `x-amz-content-sha256` (S3 wants it; the JSON services do not).
    public var sendsPayloadHashHeader: Bool

    public init(
        method: String,
        path: String,
        query: String = "",
        headers: [Header],
        body: [UInt8] = [],
        normalizesPath: Bool = true,
        sendsPayloadHashHeader: Bool = false
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.normalizesPath = normalizesPath
        self.sendsPayloadHashHeader = sendsPayloadHashHeader
    }
}

/// What signing produced, step by step, so each step can be checked against AWS's test vectors.
public struct SigV4Signature: Sendable, Equatable {
    public let canonicalRequest: String
    public let stringToSign: String
    /// Lower-case hex HMAC-SHA256 of ``stringToSign``.
    public let signature: String
    /// The `Authorization` header value.
    public let authorization: String
}

/// Signs requests with AWS Signature Version 4 (`AWS4-HMAC-SHA256`) in the `Authorization` header.
///
/// ```swift
/// let signer = AWSSigner(credentials: credentials, region: "eu-west-1", service: "sqs")
/// var request = AWSSignableRequest(method: "POST", path: "/", headers: [...], body: body)
/// signer.sign(&request)   // adds X-Amz-Date, X-Amz-Security-Token (if any) and Authorization
/// ```
public struct AWSSigner: Sendable {
    public static let algorithm = "AWS4-HMAC-SHA256"

    public let credentials: AWSCredentials
    public let region: String
    /// The signing name of the service: `sqs`, `ssm`, `dynamodb`.
    public let service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Signs `request` as of `date` and adds the headers that carry the signature: `X-Amz-Date`,
    /// `X-Amz-Security-Token` for temporary credentials (signed, as STS and Lambda credentials need),
    /// `x-amz-content-sha256` when asked for, and `Authorization`.
    @discardableResult
    public func sign(_ request: inout AWSSignableRequest, at date: Date = Date()) -> SigV4Signature {
        let timestamp = AWSTimestamp(date)
        let payloadHash = SigV4Encoding.hex(SHA256.hash(request.body))

        var added = [AWSSignableRequest.Header(name: "X-Amz-Date", value: timestamp.amzDate)]
        if let token = credentials.sessionToken {
            added.append(.init(name: "X-Amz-Security-Token", value: token))
        }
        if request.sendsPayloadHashHeader {
            added.append(.init(name: "x-amz-content-sha256", value: payloadHash))
        }
        let addedNames = Set(added.map { $0.name.lowercased() } + ["authorization"])
        request.headers.removeAll { addedNames.contains($0.name.lowercased()) }
        request.headers += added

        let signature = signature(for: request, timestamp: timestamp, payloadHash: payloadHash)
        request.headers.append(.init(name: "Authorization", value: signature.authorization))
        return signature
    }

    /// The signature of `request` exactly as it stands (no headers added).
    func signature(for request: AWSSignableRequest, timestamp: AWSTimestamp, payloadHash: String) -> SigV4Signature {
        let (canonicalHeaders, signedHeaders) = Self.canonicalHeaders(request.headers)
        let canonicalRequest = [
            request.method.uppercased(),
            SigV4Encoding.canonicalURI(request.path, normalizing: request.normalizesPath),
            SigV4Encoding.canonicalQuery(request.query),
            canonicalHeaders,
            signedHeaders,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(timestamp.day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            Self.algorithm,
            timestamp.amzDate,
            scope,
            SigV4Encoding.hex(SHA256.hash(canonicalRequest.utf8)),
        ].joined(separator: "\n")

        let key = signingKey(day: timestamp.day)
        let signature = SigV4Encoding.hex(HMACSHA256.authenticationCode(for: stringToSign.utf8, key: key))
        let authorization = "\(Self.algorithm) Credential=\(credentials.accessKeyID)/\(scope), "
            + "SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return SigV4Signature(
            canonicalRequest: canonicalRequest,
            stringToSign: stringToSign,
            signature: signature,
            authorization: authorization
        )
    }

    /// The key for one day, region and service: a chain of HMACs starting from `"AWS4" + secret`.
    private func signingKey(day: Substring) -> [UInt8] {
        var key = Array("AWS4\(credentials.secretAccessKey)".utf8)
        for part in [String(day), region, service, "aws4_request"] {
            key = HMACSHA256.authenticationCode(for: part.utf8, key: key)
        }
        return key
    }

    /// The canonical header block (one `name:value` line per name, sorted, repeated names' values
    /// joined by commas in the order sent) and the `SignedHeaders` list.
    private static func canonicalHeaders(_ headers: [AWSSignableRequest.Header]) -> (block: String, signed: String) {
        var values: [String: [String]] = [:]
        for header in headers {
            values[header.name.lowercased(), default: []].append(SigV4Encoding.canonicalHeaderValue(header.value))
        }
        let sorted = values.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        let block = sorted.map { "\($0.key):\($0.value.joined(separator: ","))\n" }.joined()
        return (block, sorted.map(\.key).joined(separator: ";"))
    }
}
