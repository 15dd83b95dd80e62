import AsyncHTTPClient
import Ferry
import FerryRuntime
import FerryServer
import FerrySQLite
import FerryTesting
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import TelegramBotAPI
import FerryTestSupport

/// A `LocalHost` serving on an ephemeral port of 127.0.0.1 for one test, with a recording Bot API.
struct RunningHost {
    let port: Int
    let storage: SQLiteStorage
    let api: BotAPIRecorder
    let http: HTTPClient

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func with(
        secret: String? = nil,
        policy: UpdateProcessor.Policy = .init(maximumAttempts: 3, retryDelay: { _ in .milliseconds(30) }),
        concurrency: Int = 16,
        directory: String = temporaryDirectory(),
        api: BotAPIRecorder = BotAPIRecorder(),
        connections: ConnectionLimits = .init(),
        configure: @escaping @Sendable (Bot) -> Void = EchoBotHandlers.register,
        logger: Logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
        _ body: (RunningHost) async throws -> Void
    ) async throws {
        let storage = try await SQLiteStorage.open(directory: directory)
        let bot = Bot(api: api, username: "TestBot")
        configure(bot)
        let host = LocalHost(
            bot: bot, queue: .embedded(storage),
            configuration: .init(
                host: "127.0.0.1", port: 0, webhook: .init(secretToken: secret),
                dispatcher: .init(concurrency: concurrency, pollInterval: .milliseconds(20), shutdownGracePeriod: .seconds(5)),
                policy: policy, connections: connections
            ),
            logger: logger
        )
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .patient)
        do {
            // The host stops gracefully whatever the body does; its own grace period (5 s) comes first.
            try await serving(host, shutdownGrace: .seconds(30)) {
                let port = try await eventuallyValue(within: .seconds(120), "the host to listen") { host.port }
                try await body(RunningHost(port: port, storage: storage, api: api, http: http))
            }
        } catch {
            // A client dropped without shutdown traps in debug builds and would take every other test down.
            try? await http.shutdown()
            try? await storage.close()
            throw error
        }
        try await http.shutdown()
        try? await storage.close()
    }

    /// POSTs a webhook body; returns the status. The deadline includes waiting for a pooled connection,
    /// which many concurrent posts on a loaded machine make long.
    @discardableResult
    func post(
        _ body: [UInt8], path: String = "/webhook", secret: String? = nil, method: HTTPMethod = .POST,
        contentType: String? = "application/json", headers: [(String, String)] = []
    ) async throws -> Int {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let secret { request.headers.add(name: "X-Telegram-Bot-Api-Secret-Token", value: secret) }
        if method == .POST { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await http.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    func get(_ path: String) async throws -> (status: Int, body: String) {
        let response = try await http.execute(HTTPClientRequest(url: baseURL + path), timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// Texts the bot sent to one chat, in order.
    func texts(to chatID: Int) -> [String] {
        api.calls(to: "sendMessage").filter { $0["chat_id"] == .integer(chatID) }.compactMap {
            if case .string(let text)? = $0["text"] { text } else { nil }
        }
    }
}

extension HTTPClient.Configuration {
    /// For tests that post many requests at once on a possibly loaded machine: a connection for each
    /// concurrent request rather than eight to queue for, and a minute rather than ten seconds to get one
    /// (AsyncHTTPClient bounds the wait for a pooled connection by the connect timeout, not the request's).
    static var patient: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(60)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        return configuration
    }
}

/// Shared by the tests that post to a bot process, as `HTTPClient.shared` is shared: a global lives as long
/// as the process, so it is never deinitialized and needs no shutdown.
let patientHTTPClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .patient)

/// The handlers of the example EchoBot, written here so these tests do not depend on the examples.
enum EchoBotHandlers {
    @Sendable static func register(on bot: Bot) {
        bot.command("start") { ctx, _ in try await ctx.reply("Welcome to my bot!") }
        bot.on(.text) { ctx, text in try await ctx.reply("You said: \(text)") }
    }
}


