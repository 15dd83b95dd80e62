public import AsyncHTTPClient
public import FerryRuntime
public import FerryServer
public import FerrySQLite
public import Logging
public import NIOHTTP1
import Foundation
import NIOCore

/// How ``BotTest/runPipeline(_:api:username:configure:_:)`` sets up the local host.
public struct PipelineOptions: Sendable {
    /// The `X-Telegram-Bot-Api-Secret-Token` the webhook demands; ``PipelineClient/send(_:)`` sends it.
    public var secretToken: String?
    /// Attempts and retry delays. By default three attempts 30 ms apart: a retried update does not hold a
    /// test up for the production backoff (1 s, 2 s, ...).
    public var policy: UpdateProcessor.Policy
    /// Updates the dispatcher runs at once (one at a time per chat whatever it is).
    public var concurrency: Int
    /// The HTTP server's timeouts and connection limit.
    public var connections: ConnectionLimits
    /// The data directory of the SQLite file. `nil`: a fresh temporary one, removed afterwards. Give one to
    /// look at the file after the run or to start the host on what an earlier run left.
    public var directory: String?
    /// How long ``PipelineClient/send(_:)`` and ``PipelineClient/waitUntilIdle()`` wait before failing: long,
    /// since they return as soon as the pipeline is done, and a loaded machine must slow a test, not fail it.
    public var settleTimeout: Duration
    /// The host's and the bot's logger; silent by default.
    public var logger: Logger

    public init(
        secretToken: String? = nil,
        policy: UpdateProcessor.Policy = .init(maximumAttempts: 3, retryDelay: { _ in .milliseconds(30) }),
        concurrency: Int = 16,
        connections: ConnectionLimits = .init(),
        directory: String? = nil,
        settleTimeout: Duration = .seconds(120),
        logger: Logger = Logger(label: "ferry-testing-pipeline", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.secretToken = secretToken
        self.policy = policy
        self.concurrency = concurrency
        self.connections = connections
        self.directory = directory
        self.settleTimeout = settleTimeout
        self.logger = logger
    }
}

extension BotTest {
    /// Runs `body` against a ``FerryServer/LocalHost`` serving the bot on an ephemeral port of 127.0.0.1,
    /// over an SQLite queue, with the client that ``run(_:api:username:configure:_:)`` gives in
    /// `.pipeline` mode and what a test of the pipeline itself needs beside it: raw posts, `/healthz`,
    /// `/metrics`, the storage with its dead letters.
    ///
    /// The host stops gracefully when `body` ends, however it ends, and the temporary directory is removed.
    public static func runPipeline<Value: Sendable>(
        _ options: PipelineOptions = PipelineOptions(),
        api: BotAPIRecorder = BotAPIRecorder(),
        username: String = "TestBot",
        configure: (Bot) -> Void,
        _ body: (PipelineClient) async throws -> Value
    ) async throws -> Value {
        let directory = options.directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-pipeline-\(UUID().uuidString)").path
        defer { if options.directory == nil { try? FileManager.default.removeItem(atPath: directory) } }
        let storage = try await SQLiteStorage.open(directory: directory)
        let bot = Bot(api: api, username: username, logger: options.logger)
        configure(bot)
        let outcomes = OutcomeLog()
        let host = LocalHost(
            bot: bot,
            queue: HostedQueue.embedded(storage).decorated { ObservedQueue(base: $0, log: outcomes) },
            configuration: .init(
                host: "127.0.0.1", port: 0, webhook: .init(secretToken: options.secretToken),
                dispatcher: .init(concurrency: options.concurrency, pollInterval: .milliseconds(20), shutdownGracePeriod: .seconds(5)),
                policy: options.policy, connections: options.connections
            ),
            logger: options.logger
        )
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .patient)
        let result: Result<Value, any Error>
        do {
            // The host's own grace period (5 s) comes first; this one only bounds a host that ignores it.
            result = .success(
                try await serving(host, shutdownGrace: .seconds(30)) {
                    let port = try await eventuallyValue(within: options.settleTimeout, "the host to listen") { host.port }
                    let client = PipelineClient(
                        bot: bot, api: api, port: port, storage: storage, http: http, secretToken: options.secretToken,
                        settleTimeout: options.settleTimeout, outcomes: outcomes
                    )
                    return try await body(client)
                }
            )
        } catch {
            result = .failure(error)
        }
        // Whatever happened: a client dropped without shutdown traps in debug builds and would take every
        // other test in the process down with it.
        try? await http.shutdown()
        try? await storage.close()
        return try result.get()
    }
}

/// Drives a bot through the local host: ``send(_:)`` as Telegram would, and the host's HTTP surface raw.
public struct PipelineClient: BotTestClient {
    public let bot: Bot
    public let api: BotAPIRecorder
    /// The port the host listens on, on 127.0.0.1.
    public let port: Int
    /// The host's SQLite file, for its queue: ``FerrySQLite/SQLiteUpdateQueue/deadLetters(limit:)``,
    /// ``FerrySQLite/SQLiteUpdateQueue/depth()``.
    public let storage: SQLiteStorage
    /// The client the harness posts with; open until the run ends.
    public let http: HTTPClient
    let secretToken: String?
    let settleTimeout: Duration
    let outcomes: OutcomeLog

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Posts `update` as JSON to `/webhook`, with the secret when there is one, and waits until the pipeline
    /// is done with it: returns when it was handled, throws ``UpdateNotHandled`` when the pipeline released it
    /// for another attempt, dead-lettered it, or dropped it as a duplicate.
    ///
    /// It waits for the first thing the pipeline does with this delivery: after a failed attempt it throws at
    /// once, while the retry is still to come (wait for that with ``waitUntilIdle()``). The bot's
    /// `onDeadLetter` hook runs just after an update is dead-lettered, so what it sends may follow the throw.
    public func send(_ update: Update) async throws {
        let before = outcomes.count(for: update.updateID)
        let status = try await post(update)
        guard status == 200 else { throw PipelineRefusal(updateID: update.updateID, status: status) }
        let outcome = try await eventuallyValue(within: settleTimeout, "update \(update.updateID) to be handled, retried or dead-lettered") {
            outcomes.outcome(for: update.updateID, after: before)
        }
        guard outcome == .handled else { throw UpdateNotHandled(updateID: update.updateID, outcome: outcome) }
    }

    /// What the pipeline did with the update `updateID` so far, in order: an attempt that failed twice and
    /// then succeeded is `[.released, .released, .handled]`.
    public func outcomes(of updateID: Int) -> [PipelineOutcome] {
        outcomes.all(for: updateID)
    }

    /// Waits until the queue holds nothing and every delivery's outcome is in ``outcomes(of:)``: everything
    /// posted was handled or dead-lettered, retries included. (A dead-letter hook may still be sending.)
    public func waitUntilIdle() async throws {
        _ = try await eventuallyValue(within: settleTimeout, "the queue to empty") {
            try await storage.queue.depth() == 0 && !outcomes.awaitsAnOutcome ? true : nil
        }
    }

    /// Posts `update` as Telegram would (JSON, with the secret) and returns the HTTP status, without waiting
    /// for the pipeline: to have many updates queued at once, then ``waitUntilIdle()``.
    @discardableResult
    public func post(_ update: Update) async throws -> Int {
        try await post(Array(try JSONEncoder().encode(update)), secret: secretToken)
    }

    /// Posts `body` to `path` as it is and returns the HTTP status, without waiting for the pipeline.
    @discardableResult
    public func post(
        _ body: [UInt8], path: String = "/webhook", secret: String? = nil, method: HTTPMethod = .POST,
        contentType: String? = "application/json", headers: [(String, String)] = []
    ) async throws -> Int {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let secret { request.headers.add(name: "X-Telegram-Bot-Api-Secret-Token", value: secret) }
        if method == .POST { request.body = .bytes(ByteBuffer(bytes: body)) }
        // The deadline includes the wait for a pooled connection, which many concurrent posts on a loaded
        // machine make long.
        let response = try await http.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    /// GETs `path` (`/healthz`, `/metrics`) and returns the status and the body as text.
    public func get(_ path: String) async throws -> (status: Int, body: String) {
        let response = try await http.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }
}

/// What the pipeline did with one delivery of an update.
public enum PipelineOutcome: Sendable, Hashable, CustomStringConvertible {
    /// The bot handled it and the queue let it go.
    case handled
    /// Back on the queue for another attempt: a handler threw (`reason` is the error as text), Telegram's
    /// flood control asked to wait, or the token was refused.
    case released(reason: String)
    /// Set aside with `reason` after its last attempt, or at once for an error retrying cannot mend.
    case deadLettered(reason: String)
    /// The webhook took it but did not queue it: its `update_id` came before (Telegram's redelivery).
    case droppedAsDuplicate

    public var description: String {
        switch self {
        case .handled: "handled"
        case .released(let reason): "released for another attempt after: \(reason)"
        case .deadLettered(let reason): "dead-lettered: \(reason)"
        case .droppedAsDuplicate: "dropped as a duplicate of an update_id seen before"
        }
    }
}

/// ``PipelineClient/send(_:)`` delivered an update that the bot did not handle.
public struct UpdateNotHandled: Error, CustomStringConvertible {
    public let updateID: Int
    public let outcome: PipelineOutcome

    public var description: String { "update \(updateID) was not handled through the pipeline: \(outcome)" }
}

/// The webhook refused an update ``PipelineClient/send(_:)`` posted.
public struct PipelineRefusal: Error, CustomStringConvertible {
    public let updateID: Int
    public let status: Int

    public var description: String { "the webhook answered \(status) to update \(updateID)" }
}

extension HTTPClient.Configuration {
    /// For a test posting many requests at once on a possibly loaded machine: a connection for each
    /// concurrent request rather than eight to queue for, and a minute rather than ten seconds to get one
    /// (AsyncHTTPClient bounds the wait for a pooled connection by the connect timeout, not the request's).
    public static var patient: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(60)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return configuration
    }
}
