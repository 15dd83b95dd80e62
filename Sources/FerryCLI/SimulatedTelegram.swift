import FerryStageContract
import FerryPlayground
import FerrySQLite
import FerrySimulator
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

    /// The file in the data directory that keeps the simulated world (users, chats, messages, next ids)
    /// across restarts of the playground.
    static let worldFileName = "playground-world.json"

    static func open(
        environment: BotEnvironment?, queue: SQLiteUpdateQueue, dataDirectory: String, logger: Logger
    ) async throws -> TelegramConnection {
        if let environment {
            return TelegramConnection(
                client: environment.makeClient(logger: logger), webhookSecret: environment.webhookSecret, playground: nil, simulator: nil
            )
        }
        return try await simulated(queue: queue, dataDirectory: dataDirectory, logger: logger)
    }

    /// The Bot API simulator on its own loopback port with a token made up for this run, and the
    /// playground that plays its users. The simulator listens on 127.0.0.1 whatever `--host` says:
    /// only this process talks to it.
    ///
    /// Its world lives in the data directory, so a restart continues the conversation; its update ids
    /// start above every id the queue has seen, so none is dropped as a duplicate of an earlier run's.
    private static func simulated(queue: SQLiteUpdateQueue, dataDirectory: String, logger: Logger) async throws -> TelegramConnection {
        let name = FerryApp.running.name
        let worldFile = dataDirectory + "/" + worldFileName
        let credentials = PlaygroundCredentials.generate(botID: try BotAPISimulator.savedBotID(inWorldFile: worldFile))
        // The simulator's own server would announce itself at info level; only its problems matter here.
        var simulatorLogger = logger
        simulatorLogger.logLevel = max(logger.logLevel, .notice)
        let simulator = BotAPISimulator(
            configuration: .init(
                token: credentials.token, botFirstName: name, botUsername: name, host: "127.0.0.1", port: 0,
                worldFile: worldFile, firstUpdateID: (try await queue.highestUpdateID() ?? 0) + 1, logger: simulatorLogger
            )
        )
        try await simulator.start()
        guard let baseURL = simulator.baseURL else {
            await simulator.shutdown()
            throw CommandError("the simulated Telegram did not start")
        }
        let playground = Playground(
            simulator: simulator, credentials: credentials, pipeline: queue,
            configuration: .init(commandName: name, devStatusFile: EnvironmentReader.processVariables[DevStatusFile.environmentVariable]),
            logger: logger
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
