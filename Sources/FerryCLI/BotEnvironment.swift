import Ferry
import FerrySQLite
import FerryStageContract
import Logging
import TelegramBotAPI
import TelegramClient

/// The settings a bot binary reads from its environment, as the README documents them.
struct BotEnvironment {
    var token: String
    var apiURL: String
    var webhookSecret: String?

    static func read(_ reader: EnvironmentReader = EnvironmentReader()) throws -> BotEnvironment {
        guard let token = reader.value(.botToken) else {
            throw CommandError(
                "\(EnvironmentVariable.botToken) is not set: export the token @BotFather gave your bot (export \(EnvironmentVariable.botToken)=123456:ABC...). "
                    + "To try the bot without Telegram, run `serve` without a token: it opens the offline playground."
            )
        }
        return BotEnvironment(token: token, apiURL: apiURL(reader), webhookSecret: reader.value(.webhookSecret))
    }

    /// The settings, or `nil` when no token is set (then `serve` runs the offline playground).
    static func readIfTokenSet(_ reader: EnvironmentReader = EnvironmentReader()) throws -> BotEnvironment? {
        guard reader.value(.botToken) != nil else { return nil }
        return try read(reader)
    }

    static func apiURL(_ reader: EnvironmentReader = EnvironmentReader()) -> String {
        reader.value(.telegramAPIURL) ?? TelegramClient.Configuration.telegramBaseURL
    }

    /// A client for the Bot API; `quick` makes one attempt of at most 10 seconds, for commands that only look
    /// (`status`) and would rather say "unknown" than wait out retries.
    func makeClient(logger: Logger, quick: Bool = false) -> TelegramClient {
        let configuration = quick
            ? TelegramClient.Configuration(baseURL: apiURL, timeout: .seconds(10), retryPolicy: .none)
            : TelegramClient.Configuration(baseURL: apiURL)
        return TelegramClient(token: token, configuration: configuration, logger: logger)
    }
}

/// A failure the user can act on, printed as it is.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The app's bot on `api` for commands that set Telegram up without running it (the webhook's `allowed_updates`,
/// the command lists): its handlers are registered with in-memory sessions, and never run.
func configuredBot(api: any BotAPI) -> Bot {
    FerryApp.running.makeBot(client: api, sessions: InMemorySessionStore(), logger: Logger(label: "ferry"))
}

/// The `allowed_updates` of the app's bot (``Bot/allowedUpdates``), for commands that set the webhook.
func allowedUpdates(api: any BotAPI) -> [String] {
    configuredBot(api: api).allowedUpdates
}

/// Logs to standard error, at `LOG_LEVEL` (default `info`).
func bootstrapLogging() -> Logger {
    let level = EnvironmentReader().value(.logLevel).flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    return Logger(label: "ferry")
}
