public import AsyncHTTPClient
public import Logging
public import NIOCore
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a function inside AWS Lambda: asks the Runtime API for each invocation, calls the handler, and
/// sends back its result or its error.
///
/// ```swift
/// try await LambdaRuntime.fromEnvironment().run {
///     let bot = try await makeBot()            // set-up; a failure here is reported as an init error
///     return { invocation, event in try await bot.handle(event) }
/// }
/// ```
public struct LambdaRuntime: Sendable {
    public typealias Handler = @Sendable (LambdaInvocation, ByteBuffer) async throws -> ByteBuffer

    public let api: LambdaRuntimeAPIClient
    let logger: Logger

    public init(api: LambdaRuntimeAPIClient, logger: Logger = Logger(label: "ferry.lambda")) {
        self.api = api
        self.logger = logger
    }

    /// A runtime for the Runtime API named by `AWS_LAMBDA_RUNTIME_API`, on `httpClient`
    /// (default: a client of the runtime's own, which is never shut down: it lives as long as the process).
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        httpClient: HTTPClient? = nil,
        logger: Logger = Logger(label: "ferry.lambda")
    ) throws(LambdaRuntimeAPIError) -> LambdaRuntime {
        guard let endpoint = environment["AWS_LAMBDA_RUNTIME_API"], !endpoint.isEmpty else { throw .missingRuntimeAPI }
        return LambdaRuntime(api: LambdaRuntimeAPIClient(endpoint: endpoint, httpClient: httpClient ?? makeHTTPClient()), logger: logger)
    }

    /// An HTTP client fit for the Runtime API: no read timeout (`next` waits as long as Lambda likes)
    /// and no redirects.
    public static func makeHTTPClient() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5), read: nil)
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Sets up the handler with `initialize`, then serves invocations until the task is cancelled or the
    /// Runtime API fails.
    ///
    /// - Throws: ``LambdaInitializationError`` after reporting a failed `initialize` to Lambda (the process
    ///   must then exit), or the Runtime API's failure. A handler's error is reported for its invocation
    ///   and does not stop the loop.
    public func run(initialize: () async throws -> Handler) async throws {
        let handler: Handler
        do {
            handler = try await initialize()
        } catch {
            let report = LambdaErrorReport(error)
            logger.critical("Lambda initialization failed", metadata: ["error": .string(report.errorMessage)])
            try await api.reportInitializationError(report)
            throw LambdaInitializationError(report: report)
        }
        try await serve(handler)
    }

    /// Serves invocations with `handler` until the task is cancelled or the Runtime API fails.
    public func serve(_ handler: Handler) async throws {
        while !Task.isCancelled {
            let (invocation, event) = try await api.next()
            try await handle(invocation, event: event, with: handler)
        }
    }

    private func handle(_ invocation: LambdaInvocation, event: ByteBuffer, with handler: Handler) async throws {
        Self.exportTraceID(invocation.traceID)
        var logger = logger
        logger[metadataKey: "aws.request_id"] = .string(invocation.requestID)

        let result: Result<ByteBuffer, any Error>
        do {
            result = .success(try await handler(invocation, event))
        } catch {
            result = .failure(error)
        }

        switch result {
        case .success(let response):
            let status = try await api.respond(to: invocation.requestID, with: response)
            if status == 413 {
                let report = LambdaErrorReport(
                    errorMessage: "response of \(response.readableBytes) bytes exceeds Lambda's limit",
                    errorType: "Function.ResponseSizeTooLarge"
                )
                logger.error("Lambda response too large", metadata: ["error": .string(report.errorMessage)])
                try await api.reportError(report, for: invocation.requestID)
            } else if status >= 300 {
                logger.error("Lambda Runtime API refused the response", metadata: ["status": .stringConvertible(status)])
            }
        case .failure(let error):
            let report = LambdaErrorReport(error)
            logger.error("Lambda handler failed", metadata: ["error": .string(report.errorMessage), "error.type": .string(report.errorType)])
            let status = try await api.reportError(report, for: invocation.requestID)
            if status >= 300 {
                logger.error("Lambda Runtime API refused the error report", metadata: ["status": .stringConvertible(status)])
            }
        }
    }

    /// The X-Ray SDKs read the trace header from `_X_AMZN_TRACE_ID`; Lambda leaves setting it to the runtime.
    ///
    /// `setenv` races with a concurrent `getenv` on another thread; here it runs between invocations,
    /// before the handler starts, when nothing else in the process reads the environment.
    static func exportTraceID(_ traceID: String?) {
        if let traceID {
            setenv("_X_AMZN_TRACE_ID", traceID, 1)
        } else {
            unsetenv("_X_AMZN_TRACE_ID")
        }
    }
}

/// The function's set-up failed; Lambda has been told, and the process should exit.
public struct LambdaInitializationError: Error, Sendable, CustomStringConvertible {
    public let report: LambdaErrorReport

    public var description: String { "Lambda initialization failed: \(report.errorType): \(report.errorMessage)" }
}
