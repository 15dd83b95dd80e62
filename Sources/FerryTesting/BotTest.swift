/// Runs one test of a bot in memory or through the real local pipeline, chosen by a parameter, as
/// HummingbirdTesting runs a test against a router or a live server:
///
/// ```swift
/// @Test(arguments: BotTest.Mode.allCases)
/// func counts(mode: BotTest.Mode) async throws {
///     try await BotTest.run(mode, configure: registerHandlers) { client in
///         try await client.send(UpdateFactory.message(text: "/count", chatID: 1))
///         #expect(client.api.sentTexts == ["Count: 1"])
///     }
/// }
/// ```
///
/// In memory, ``BotTestClient/send(_:)`` is `bot.handle(update)`: quick, and a handler's error reaches
/// the test as thrown. Through the pipeline (``runPipeline(_:api:username:configure:_:)``), the update
/// goes the way Telegram's do in `serve`: posted as JSON to `/webhook` of a ``FerryServer/LocalHost`` on
/// 127.0.0.1, queued in an SQLite file, taken by the dispatcher (one at a time per chat), retried and
/// dead-lettered by the host's policy.
public enum BotTest {
    /// Where a test's updates go.
    public enum Mode: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// Straight to `bot.handle(_:)`.
        case inMemory
        /// Through the local host's webhook, queue and dispatcher, with ``PipelineOptions``' defaults.
        case pipeline

        public var description: String { rawValue }
    }

    /// Builds a bot on `api`, lets `configure` register its handlers, and runs `body` with a client that
    /// sends it updates the way `mode` says. The pipeline, when there is one, is stopped before this returns.
    public static func run<Value: Sendable>(
        _ mode: Mode,
        api: BotAPIRecorder = BotAPIRecorder(),
        username: String = "TestBot",
        configure: (Bot) -> Void,
        _ body: (any BotTestClient) async throws -> Value
    ) async throws -> Value {
        switch mode {
        case .inMemory:
            let bot = Bot(api: api, username: username)
            configure(bot)
            return try await body(InMemoryBotClient(bot: bot, api: api))
        case .pipeline:
            return try await runPipeline(api: api, username: username, configure: configure) { client in try await body(client) }
        }
    }
}

/// What a test drives its bot with, in memory or through the pipeline (see ``BotTest``).
public protocol BotTestClient: Sendable {
    /// The bot under test, its handlers registered.
    var bot: Bot { get }
    /// The recording Bot API the bot answers through.
    var api: BotAPIRecorder { get }

    /// Delivers `update` to the bot and returns once the bot is done with it.
    ///
    /// In memory it throws what the handlers threw. Through the pipeline it returns when the update was
    /// handled, and otherwise throws ``UpdateNotHandled`` saying what the pipeline did instead (released it
    /// for another attempt, dead-lettered it, dropped it as a duplicate), with the handler's error as text.
    func send(_ update: Update) async throws
}

/// Sends updates straight to ``Ferry/Bot/handle(_:)``.
public struct InMemoryBotClient: BotTestClient {
    public let bot: Bot
    public let api: BotAPIRecorder

    public init(bot: Bot, api: BotAPIRecorder) {
        self.bot = bot
        self.api = api
    }

    public func send(_ update: Update) async throws {
        try await bot.handle(update)
    }
}
