import AsyncHTTPClient
import FerryTesting
import Foundation
import NIOCore
import TelegramBotAPI
import TelegramClient
import Testing

/// Runs `body` with a started simulator and a `TelegramClient` pointed at it, and shuts both down
/// afterwards, also when `body` throws. The client does not retry unless told to, so every error surfaces;
/// its default timeout is far above what a loaded machine needs for an answer not delayed on purpose.
func withSimulator<T: Sendable>(
    _ configuration: BotAPISimulator.Configuration = BotAPISimulator.Configuration(),
    retry: RetryPolicy = .none,
    timeout: Duration = .seconds(30),
    _ body: (BotAPISimulator, TelegramClient) async throws -> T
) async throws -> T {
    let simulator = BotAPISimulator(configuration: configuration)
    try await simulator.start()
    let baseURL = try #require(simulator.baseURL)
    let client = TelegramClient(
        token: simulator.token,
        configuration: TelegramClient.Configuration(baseURL: baseURL, timeout: timeout, retryPolicy: retry)
    )
    do {
        let result = try await body(simulator, client)
        try await client.shutdown()
        await simulator.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        await simulator.shutdown()
        throw error
    }
}

/// Runs `body` with `client`, and shuts the client down afterwards, also when `body` throws: a client
/// dropped while still running traps in debug builds and would take every other test down with it.
func using<T: Sendable>(_ client: TelegramClient, _ body: () async throws -> T) async throws -> T {
    do {
        let result = try await body()
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

/// A configuration without flood limits, for tests about something else.
func unlimited(_ configure: (inout BotAPISimulator.Configuration) -> Void = { _ in }) -> BotAPISimulator.Configuration {
    var configuration = BotAPISimulator.Configuration(rateLimits: .off)
    configure(&configuration)
    return configuration
}

/// The error `call` throws, which must be Telegram's.
func apiError(_ call: () async throws -> some Any) async throws -> TelegramAPIError {
    do {
        _ = try await call()
    } catch let error as TelegramAPIError {
        return error
    }
    Issue.record("the call succeeded; a Bot API error was expected")
    throw CancellationError()
}

/// One raw HTTP exchange with the simulator, to check the wire format without the client in between.
struct RawAnswer {
    var status: Int
    var body: String

    func json() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))
    }
}

func rawCall(
    _ url: String,
    get: Bool = false,
    contentType: String? = nil,
    body: [UInt8] = []
) async throws -> RawAnswer {
    var request = HTTPClientRequest(url: url)
    request.method = get ? .GET : .POST
    if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
    if !body.isEmpty { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
    let answer = try await response.body.collect(upTo: 1024 * 1024)
    return RawAnswer(status: Int(response.status.code), body: String(buffer: answer))
}

extension BotAPISimulator {
    /// `base/bot<token>/<method>`.
    func url(_ method: String, token: String? = nil) throws -> String {
        "\(try #require(baseURL))/bot\(token ?? self.token)/\(method)"
    }
}

/// A temporary directory removed when the test is done with it.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appending(path: "ferry-simulator-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body(directory)
}
