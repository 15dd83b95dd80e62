import AsyncHTTPClient
import Ferry
import FerryPlayground
import FerryRuntime
import FerryServer
import FerrySQLite
import FerryTesting
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import TelegramClient
import FerryTestSupport

/// A bot served as `serve` serves it without a token, in this process: the simulator on 127.0.0.1, the
/// host on an ephemeral port of 127.0.0.1 with the playground's routes, and the bot's client between them.
struct PlaygroundHost {
    let port: Int
    let simulator: BotAPISimulator
    let storage: SQLiteStorage
    let http: HTTPClient
    /// Begins the graceful shutdown that `serve` begins on SIGTERM.
    let beginShutdown: @Sendable () async -> Void

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func with(
        maximumEventStreams: Int = 8,
        maximumEventStreamsPerClient: Int = 8,
        policy: UpdateProcessor.Policy = .init(),
        register: @escaping @Sendable (Bot, any SessionStore) -> Void,
        _ body: (PlaygroundHost) async throws -> Void
    ) async throws {
        let silent = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let storage = try await SQLiteStorage.open(directory: temporaryDirectory())
        let credentials = PlaygroundCredentials.generate()
        // Flood limits off: these tests are about the playground, not about waiting out a 429.
        let simulator = BotAPISimulator(configuration: .init(token: credentials.token, botUsername: "PlaygroundBot", rateLimits: .off))
        try await simulator.start()
        let client = TelegramClient(token: credentials.token, configuration: .init(baseURL: simulator.baseURL!), logger: silent)
        let bot = Bot(api: client, username: "PlaygroundBot", logger: silent)
        register(bot, storage.sessions)
        let playground = Playground(
            simulator: simulator, credentials: credentials, pipeline: storage.queue,
            configuration: .init(
                commandName: "TestBot", maximumEventStreams: maximumEventStreams,
                maximumEventStreamsPerClient: maximumEventStreamsPerClient, pipelineRefreshInterval: .milliseconds(100)
            ),
            logger: silent
        )
        let host = LocalHost(
            bot: bot, queue: .embedded(storage),
            configuration: .init(
                host: "127.0.0.1", port: 0, webhook: .init(secretToken: credentials.webhookSecret),
                dispatcher: .init(concurrency: 8, pollInterval: .milliseconds(20), shutdownGracePeriod: .seconds(5)),
                policy: policy
            ),
            routes: [playground], logger: silent
        )
        let group = ServiceGroup(configuration: .init(services: [.init(service: host), .init(service: playground)], logger: silent))
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                let outcome: Result<Void, any Error>
                do {
                    // Listening, and the simulator's webhook pointed at it (the playground does that once the server listens).
                    let port = try await eventuallyValue(within: .seconds(120), "the host to listen with the webhook set") {
                        simulator.webhookInfo.url.isEmpty ? nil : host.port
                    }
                    try await body(PlaygroundHost(
                        port: port, simulator: simulator, storage: storage, http: http, beginShutdown: { await group.triggerGracefulShutdown() }
                    ))
                    outcome = .success(())
                } catch {
                    outcome = .failure(error)
                }
                // Stopped gracefully however the body ended: leaving the task group with the servers running
                // would cancel them, and cancelling a NIO server can trap in debug builds.
                await group.triggerGracefulShutdown()
                let stopped: Result<Void, any Error>
                do {
                    try await tasks.waitForAll()
                    stopped = .success(())
                } catch {
                    stopped = .failure(error)
                }
                try outcome.get()
                try stopped.get()
            }
        } catch {
            // Clients dropped without shutdown trap in debug builds and would take every other test down.
            try? await http.shutdown()
            try? await client.shutdown()
            await simulator.shutdown()
            try? await storage.close()
            throw error
        }
        try await http.shutdown()
        try await client.shutdown()
        await simulator.shutdown()
        try await storage.close()
    }

    /// POSTs JSON to a playground endpoint; returns the status and the answer's body.
    @discardableResult
    func post(
        _ path: String, json: String, contentType: String = "application/json", hostHeader: String? = nil
    ) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: baseURL + "/playground/api/" + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        if let hostHeader { request.headers.replaceOrAdd(name: "Host", value: hostHeader) }
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    func get(_ path: String, hostHeader: String? = nil) async throws -> (status: Int, body: String, headers: [String: String]) {
        var request = HTTPClientRequest(url: baseURL + path)
        if let hostHeader { request.headers.replaceOrAdd(name: "Host", value: hostHeader) }
        let response = try await http.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        let headers = Dictionary(response.headers.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        return (Int(response.status.code), String(buffer: body), headers)
    }

    /// Decodes an answer of the playground as JSON.
    func decode<Value: Decodable>(_ type: Value.Type, _ body: String) throws -> Value {
        try JSONDecoder().decode(type, from: Data(body.utf8))
    }

    /// Opens the page's event stream, with the headers a browser would send for the page that asks.
    func openEvents(headers: [String: String] = [:]) async throws -> EventStream {
        try await EventStream.open(url: baseURL + "/playground/api/events", headers: headers, http: http)
    }

    /// `value` as a JSON string literal, quotes and all.
    func quoted(_ value: String) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}

