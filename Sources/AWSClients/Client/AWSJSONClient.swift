public import AsyncHTTPClient
public import Logging
import NIOCore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Calls operations of one AWS JSON-protocol service (SQS, SSM, DynamoDB): encodes the input, signs
/// the request with SigV4, and decodes either the output or the service's error.
///
/// Credentials are only ever written into the signed headers; nothing here logs headers or bodies.
public struct AWSJSONClient: Sendable {
    public let service: AWSJSONService
    public let configuration: AWSClientConfiguration
    public let endpoint: AWSEndpoint
    let httpClient: HTTPClient
    /// Whether ``shutdown()`` must shut `httpClient` down: only a client this type created itself.
    let ownsHTTPClient: Bool
    let logger: Logger

    /// A client on an `HTTPClient` that the caller owns and shuts down.
    public init(
        service: AWSJSONService,
        configuration: AWSClientConfiguration,
        httpClient: HTTPClient,
        logger: Logger = Logger(label: "ferry.aws", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.init(service: service, configuration: configuration, httpClient: httpClient, ownsHTTPClient: false, logger: logger)
    }

    /// A client with an `HTTPClient` of its own; call ``shutdown()`` when done with it.
    public init(
        service: AWSJSONService,
        configuration: AWSClientConfiguration,
        logger: Logger = Logger(label: "ferry.aws", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        var httpConfiguration = HTTPClient.Configuration()
        // A redirect would send the signed request, security token included, wherever the answer says.
        httpConfiguration.redirectConfiguration = .disallow
        self.init(
            service: service,
            configuration: configuration,
            httpClient: HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration),
            ownsHTTPClient: true,
            logger: logger
        )
    }

    private init(
        service: AWSJSONService,
        configuration: AWSClientConfiguration,
        httpClient: HTTPClient,
        ownsHTTPClient: Bool,
        logger: Logger
    ) {
        self.service = service
        self.configuration = configuration
        self.endpoint = configuration.endpointOverride ?? .aws(service.signingName, region: configuration.region)
        self.httpClient = httpClient
        self.ownsHTTPClient = ownsHTTPClient
        self.logger = logger
    }

    /// Shuts down the `HTTPClient` this client created; one given by the caller is left alone.
    public func shutdown() async throws {
        guard ownsHTTPClient else { return }
        try await httpClient.shutdown()
    }

    /// Calls `operation` (such as `SendMessage`) with `input` and decodes its output.
    ///
    /// - Parameter wait: time the operation itself may hold the request open (an SQS long poll),
    ///   added to the configured timeout.
    /// - Throws: ``AWSServiceError`` when the service refuses, ``AWSClientError`` when no usable answer
    ///   arrives, `CancellationError` when the task is cancelled.
    public func send<Output: Decodable>(
        _ operation: String,
        _ input: some Encodable,
        as output: Output.Type = Output.self,
        wait: Duration = .zero
    ) async throws -> Output {
        let target = "\(service.targetPrefix).\(operation)"
        let body = try await exchange(target, input, wait: wait)
        do {
            return try JSONDecoder().decode(Output.self, from: Data(body.readableBytesView))
        } catch {
            throw AWSClientError.invalidResponse(operation: target, description: String(describing: error))
        }
    }

    /// Calls `operation`, for operations whose output carries nothing (`DeleteMessage`).
    public func send(_ operation: String, _ input: some Encodable, wait: Duration = .zero) async throws {
        _ = try await exchange("\(service.targetPrefix).\(operation)", input, wait: wait)
    }

    /// Sends the call, repeating it as ``AWSClientConfiguration/retry`` says, and returns the body of a
    /// successful answer. The last failure says how many attempts were made.
    private func exchange(_ target: String, _ input: some Encodable, wait: Duration) async throws -> ByteBuffer {
        let payload: [UInt8]
        do {
            payload = Array(try JSONEncoder().encode(input))
        } catch {
            throw AWSClientError.encoding(operation: target, description: String(describing: error))
        }
        var generator = SystemRandomNumberGenerator()
        var attempt = 1
        while true {
            do {
                return try await exchangeOnce(target, payload: payload, wait: wait)
            } catch {
                guard let delay = configuration.retry.delay(after: error, attempt: attempt, using: &generator) else {
                    throw Self.naming(attempt, in: error)
                }
                logger.debug(
                    "AWS call failed; retrying",
                    metadata: ["aws.operation": .string(target), "aws.attempt": .stringConvertible(attempt), "error": "\(error)"]
                )
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// `error` saying it ended the call's `attempts`-th attempt.
    private static func naming(_ attempts: Int, in error: any Error) -> any Error {
        guard attempts > 1 else { return error }
        if var error = error as? AWSServiceError {
            error.attempts = attempts
            return error
        }
        if let error = error as? AWSClientError, case .transport(let operation, let description) = error {
            return AWSClientError.transport(operation: operation, description: "\(description) (after \(attempts) attempts)")
        }
        return error
    }

    /// Sends one signed request and returns the body of a successful answer.
    private func exchangeOnce(_ target: String, payload: [UInt8], wait: Duration) async throws -> ByteBuffer {
        // Signed anew for every attempt: a signature is valid for five minutes from its timestamp.
        var signable = AWSSignableRequest(
            method: "POST",
            path: endpoint.path,
            headers: [
                .init(name: "Host", value: endpoint.hostHeader),
                .init(name: "Content-Type", value: service.contentType),
                .init(name: "X-Amz-Target", value: target),
            ],
            body: payload
        )
        let credentials: AWSCredentials
        do {
            credentials = try await configuration.credentialProvider.credentials()
        } catch {
            throw AWSClientError.credentialsUnavailable(String(describing: error))
        }
        AWSSigner(credentials: credentials, region: configuration.region, service: service.signingName).sign(&signable)

        var request = HTTPClientRequest(url: endpoint.url)
        request.method = .POST
        for header in signable.headers {
            request.headers.add(name: header.name, value: header.value)
        }
        request.body = .bytes(ByteBuffer(bytes: payload))

        let started = ContinuousClock.now
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await httpClient.execute(request, timeout: .init(configuration.timeout + wait))
            body = try await response.body.collect(upTo: configuration.maxResponseBytes)
        } catch is NIOTooManyBytesError {
            throw AWSClientError.responseTooLarge(operation: target, limit: configuration.maxResponseBytes)
        } catch let error as CancellationError {
            throw error
        } catch {
            // Also a pooled connection the service closed while Lambda froze the process: the retry opens a new one.
            throw AWSClientError.transport(operation: target, description: String(describing: error))
        }

        let requestID = response.headers.first(name: "x-amzn-RequestId")
        logger.debug(
            "AWS call",
            metadata: [
                "aws.operation": .string(target),
                "aws.status": .stringConvertible(response.status.code),
                "aws.request_id": .string(requestID ?? "-"),
                "aws.duration": .stringConvertible(ContinuousClock.now - started),
            ]
        )
        guard (200..<300).contains(response.status.code) else {
            throw AWSErrorDecoding.serviceError(
                operation: target,
                statusCode: Int(response.status.code),
                body: body,
                headers: response.headers,
                requestID: requestID
            )
        }
        return body
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
