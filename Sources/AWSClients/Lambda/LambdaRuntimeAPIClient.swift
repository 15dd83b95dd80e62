public import AsyncHTTPClient
public import NIOCore
import NIOHTTP1
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A failure talking to the Lambda Runtime API. Each one means the execution environment is unusable:
/// the runtime exits and Lambda starts a fresh one.
public enum LambdaRuntimeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `AWS_LAMBDA_RUNTIME_API` is not set: the process is not running inside Lambda.
    case missingRuntimeAPI
    /// The Runtime API answered with an unexpected status.
    case unexpectedStatus(path: String, status: Int)
    /// `next` answered without a header every invocation has.
    case missingHeader(String)
    /// The event is larger than the configured limit.
    case eventTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .missingRuntimeAPI: "AWS_LAMBDA_RUNTIME_API is not set; not running inside AWS Lambda"
        case .unexpectedStatus(let path, let status): "Lambda Runtime API \(path) answered \(status)"
        case .missingHeader(let name): "Lambda Runtime API next invocation lacks \(name)"
        case .eventTooLarge(let limit): "Lambda event larger than \(limit) bytes"
        }
    }
}

/// The four calls of the Lambda Runtime API (version 2018-06-01): `next`, `response`, `error`, `init/error`.
public struct LambdaRuntimeAPIClient: Sendable {
    /// Above Lambda's 6 MB limit for a synchronous payload, so no event Lambda accepted is refused.
    public static let defaultMaxEventBytes = 8 * 1024 * 1024

    /// `host:port` of the Runtime API, as `AWS_LAMBDA_RUNTIME_API` gives it.
    public let endpoint: String
    public let maxEventBytes: Int
    /// Bounds the calls that report a result; `next` has none (see ``next()``).
    public let reportTimeout: Duration
    let httpClient: HTTPClient

    public init(
        endpoint: String,
        httpClient: HTTPClient,
        maxEventBytes: Int = Self.defaultMaxEventBytes,
        reportTimeout: Duration = .seconds(30)
    ) {
        self.endpoint = endpoint
        self.httpClient = httpClient
        self.maxEventBytes = maxEventBytes
        self.reportTimeout = reportTimeout
    }

    private var baseURL: String { "http://\(endpoint)/2018-06-01/runtime" }

    /// Waits for the next invocation and returns it with its event.
    ///
    /// Deliberately without a timeout: Lambda freezes the process between invocations, and the answer to
    /// this call is what wakes it, however long that takes.
    public func next() async throws -> (LambdaInvocation, ByteBuffer) {
        let path = "/invocation/next"
        let response = try await httpClient.execute(HTTPClientRequest(url: baseURL + path), deadline: .distantFuture)
        guard response.status == .ok else {
            throw LambdaRuntimeAPIError.unexpectedStatus(path: path, status: Int(response.status.code))
        }
        let event: ByteBuffer
        do {
            event = try await response.body.collect(upTo: maxEventBytes)
        } catch is NIOTooManyBytesError {
            throw LambdaRuntimeAPIError.eventTooLarge(limit: maxEventBytes)
        }
        return (try Self.invocation(from: response.headers), event)
    }

    /// Sends the function's result for `requestID`.
    ///
    /// - Returns: the Runtime API's status: 202 when accepted; 413 when the response was too large,
    ///   in which case the invocation is still open and an error should be reported for it.
    /// - Throws: ``LambdaRuntimeAPIError/unexpectedStatus(path:status:)`` on a 5xx, which means the
    ///   environment is broken.
    public func respond(to requestID: String, with body: ByteBuffer) async throws -> Int {
        try await post("/invocation/\(Self.pathSegment(requestID))/response", body: body, errorType: nil)
    }

    /// Reports that the function failed on `requestID`.
    @discardableResult
    public func reportError(_ report: LambdaErrorReport, for requestID: String) async throws -> Int {
        try await post(
            "/invocation/\(Self.pathSegment(requestID))/error",
            body: try Self.encode(report),
            errorType: "Function.Unhandled"
        )
    }

    /// Reports that the function could not start. Lambda fails the pending invocation with it; the
    /// process should exit next.
    @discardableResult
    public func reportInitializationError(_ report: LambdaErrorReport) async throws -> Int {
        try await post("/init/error", body: try Self.encode(report), errorType: "Runtime.InitError")
    }

    private func post(_ path: String, body: ByteBuffer, errorType: String?) async throws -> Int {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.body = .bytes(body)
        if let errorType {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Lambda-Runtime-Function-Error-Type", value: errorType)
        }
        let response = try await httpClient.execute(request, timeout: .init(reportTimeout))
        // The answer is a small status document; read it only to free the connection for the next call.
        _ = try? await response.body.collect(upTo: 64 * 1024)
        let status = Int(response.status.code)
        guard status < 500 else { throw LambdaRuntimeAPIError.unexpectedStatus(path: path, status: status) }
        return status
    }

    static func invocation(from headers: HTTPHeaders) throws -> LambdaInvocation {
        func required(_ name: String) throws -> String {
            guard let value = headers.first(name: name), !value.isEmpty else { throw LambdaRuntimeAPIError.missingHeader(name) }
            return value
        }
        func optional(_ name: String) -> String? {
            headers.first(name: name).flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let deadline = Int64(try required("Lambda-Runtime-Deadline-Ms")) else {
            throw LambdaRuntimeAPIError.missingHeader("Lambda-Runtime-Deadline-Ms")
        }
        return LambdaInvocation(
            requestID: try required("Lambda-Runtime-Aws-Request-Id"),
            deadlineMillisecondsSinceEpoch: deadline,
            invokedFunctionARN: try required("Lambda-Runtime-Invoked-Function-Arn"),
            traceID: optional("Lambda-Runtime-Trace-Id"),
            clientContext: optional("Lambda-Runtime-Client-Context"),
            cognitoIdentity: optional("Lambda-Runtime-Cognito-Identity")
        )
    }

    /// Request ids are UUIDs; encoding keeps anything else from changing the path.
    private static func pathSegment(_ requestID: String) -> String {
        SigV4Encoding.uriEncode(requestID)
    }

    private static func encode(_ report: LambdaErrorReport) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONEncoder().encode(report))
    }
}
