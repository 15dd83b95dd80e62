public import AsyncHTTPClient
public import Logging
import NIOCore
public import TelegramBotAPI

/// Calls the Bot API over HTTP: JSON for plain calls, streamed multipart/form-data for uploads,
/// with bounded retries for flood control, Telegram's failures and network errors.
///
/// ```swift
/// let client = TelegramClient(token: token)
/// let me = try await client.send(GetMe())
/// try await client.shutdown()
/// ```
public struct TelegramClient: BotAPI {
    public let configuration: Configuration
    let token: BotToken
    let httpClient: HTTPClient
    /// Whether ``shutdown()`` must shut `httpClient` down: only a client this type created itself.
    let ownsHTTPClient: Bool
    let logger: Logger

    /// A client on an `HTTPClient` that the caller owns and shuts down.
    public init(
        token: String,
        configuration: Configuration = Configuration(),
        httpClient: HTTPClient,
        logger: Logger = Logger(label: "ferry.telegram-client", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.init(token: token, configuration: configuration, httpClient: httpClient, ownsHTTPClient: false, logger: logger)
    }

    /// A client with an `HTTPClient` of its own; call ``shutdown()`` when done with it.
    public init(
        token: String,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "ferry.telegram-client", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        let httpConfiguration = Self.httpClientConfiguration(maximumConnections: configuration.maximumConnections)
        self.init(
            token: token,
            configuration: configuration,
            httpClient: HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration),
            ownsHTTPClient: true,
            logger: logger
        )
    }

    /// What an `HTTPClient` that carries Bot API calls needs; for a caller that shares one `HTTPClient`
    /// between the Bot API and other services (the Lambda roles do), so the Bot API gets the same.
    public static func httpClientConfiguration(
        maximumConnections: Int = Configuration().maximumConnections
    ) -> HTTPClient.Configuration {
        var httpConfiguration = HTTPClient.Configuration()
        // A redirect would turn the POST into a GET to wherever the server says; the Bot API never redirects.
        httpConfiguration.redirectConfiguration = .disallow
        // No tracing spans: AsyncHTTPClient would give a bootstrapped tracer the full URL, and the URL
        // carries the token. (With no tracer bootstrapped, building the span's attributes still parsed
        // the URL a second time on every call.)
        httpConfiguration.tracing.tracer = nil
        // AsyncHTTPClient's default is 8 per host: handlers beyond 8 would queue for a connection.
        httpConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = max(1, maximumConnections)
        return httpConfiguration
    }

    private init(token: String, configuration: Configuration, httpClient: HTTPClient, ownsHTTPClient: Bool, logger: Logger) {
        var configuration = configuration
        while configuration.baseURL.hasSuffix("/") { configuration.baseURL.removeLast() }
        self.configuration = configuration
        self.token = BotToken(token)
        self.httpClient = httpClient
        self.ownsHTTPClient = ownsHTTPClient
        self.logger = logger
    }

    /// Shuts down the `HTTPClient` this client created; a client given one by the caller leaves it alone.
    public func shutdown() async throws {
        guard ownsHTTPClient else { return }
        try await httpClient.shutdown()
    }

    /// Calls `method`, retrying as the client's ``Configuration/retryPolicy`` allows.
    ///
    /// - Throws: `TelegramAPIError` when the Bot API refuses the call, ``TelegramClientError`` when no
    ///   Bot API answer arrives, `CancellationError` when the task is cancelled.
    public func send<Method: TelegramMethod>(_ method: Method) async throws -> Method.Result {
        try await send(method, retry: configuration.retryPolicy)
    }

    /// Calls `method` with its own retry policy, such as `.none` for a call that must not be repeated.
    public func send<Method: TelegramMethod>(_ method: Method, retry policy: RetryPolicy) async throws -> Method.Result {
        let request: BotAPIRequest
        do {
            request = try BotAPIRequest.encode(method)
        } catch {
            throw TelegramClientError.encoding(method: Method.name, description: token.redact(String(describing: error)))
        }
        let timeout = timeout(for: request)

        guard request.needsMultipart else {
            let body = RequestBody.json(ByteBuffer(bytes: request.parameters))
            return try await perform(request.method, body: body, timeout: timeout, policy: policy)
        }
        let parameters: [String: JSONValue]
        do {
            parameters = try request.parameterValues()
        } catch {
            throw TelegramClientError.encoding(method: Method.name, description: token.redact(String(describing: error)))
        }
        do {
            return try await MultipartBody.withOpenFiles(for: request.uploads) { files in
                let multipart = try MultipartBody(parameters: parameters, uploads: request.uploads, files: files)
                return try await perform(request.method, body: .multipart(multipart), timeout: timeout, policy: policy)
            }
        } catch {
            // Opening the files is the only step here whose errors are not yet translated.
            throw translate(error, method: request.method)
        }
    }

    /// Calls until an attempt succeeds or the policy gives up; at most `policy.maxAttempts` attempts.
    private func perform<Result: Decodable & Sendable>(
        _ method: String,
        body: RequestBody,
        timeout: Duration,
        policy: RetryPolicy
    ) async throws -> Result {
        for attempt in 1..<policy.maxAttempts {
            do {
                return try await self.attempt(method, body: body, timeout: timeout, attempt: attempt)
            } catch {
                guard let delay = policy.delay(after: error, attempt: attempt) else { throw error }
                if let deadline = Self.retryDeadline, ContinuousClock.now + delay > deadline { throw error }
                logger.notice(
                    "Bot API call failed, retrying",
                    metadata: [
                        "telegram.method": .string(method),
                        "telegram.attempt": .stringConvertible(attempt),
                        "telegram.retry_delay": .stringConvertible(delay),
                        "error": .string(String(describing: error)),
                    ]
                )
                try await Task.sleep(for: delay)
            }
        }
        return try await attempt(method, body: body, timeout: timeout, attempt: policy.maxAttempts)
    }

    /// The configured timeout, plus the long-poll wait a `getUpdates` call asks Telegram for:
    /// Telegram holds such a call open that long before answering, and that is not a failure.
    private func timeout(for request: BotAPIRequest) -> Duration {
        guard request.method == "getUpdates",
            let longPoll = (try? request.parameterValues())?["timeout"]?.intValue,
            longPoll > 0
        else { return configuration.timeout }
        return configuration.timeout + .seconds(longPoll)
    }
}
