import FerryPlayground
import FerrySQLite
import FerryTesting
import Logging
import TelegramClient

/// Where the bot's Bot API calls go: Telegram when a token is set, else a simulated Telegram in-process.
struct TelegramConnection {
    let client: TelegramClient
    /// The secret Telegram's webhook calls must carry, if any.
    let webhookSecret: String?
    /// The offline playground, when Telegram is simulated.
    let playground: Playground?
    private let simulator: BotAPISimulator?

    static func open(environment: BotEnvironment?, queue: SQLiteUpdateQueue, logger: Logger) async throws -> TelegramConnection {
        if let environment {
            return TelegramConnection(
                client: environment.makeClient(logger: logger), webhookSecret: environment.webhookSecret, playground: nil, simulator: nil
            )
        }
        return try await simulated(queue: queue, logger: logger)
    }

    /// The Bot API simulator on its own loopback port with a token made up for this run, and the
    /// playground that plays its users. The simulator listens on 127.0.0.1 whatever `--host` says:
    /// only this process talks to it.
    private static func simulated(queue: SQLiteUpdateQueue, logger: Logger) async throws -> TelegramConnection {
        let name = FerryApp.running.name
        let credentials = PlaygroundCredentials.generate()
        let simulator = BotAPISimulator(
            configuration: .init(token: credentials.token, botFirstName: name, botUsername: name, host: "127.0.0.1", port: 0)
        )
        try await simulator.start()
        guard let baseURL = simulator.baseURL else {
            await simulator.shutdown()
            throw CommandError("the simulated Telegram did not start")
        }
        let playground = Playground(
            simulator: simulator, credentials: credentials, pipeline: queue,
            configuration: .init(commandName: name), logger: logger
        )
        return TelegramConnection(
            client: TelegramClient(token: credentials.token, configuration: .init(baseURL: baseURL), logger: logger),
            webhookSecret: credentials.webhookSecret, playground: playground, simulator: simulator
        )
    }

    func close() async {
        try? await client.shutdown()
        await simulator?.shutdown()
    }
}
