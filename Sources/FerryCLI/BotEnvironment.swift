import Ferry
import FerrySQLite
import FerryStageContract
import Logging
import TelegramBotAPI
import TelegramClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The settings a bot binary reads from its environment, as the README documents them.
struct BotEnvironment {
    var token: String
    var apiURL: String
    var webhookSecret: String?

    static func read(_ variables: [String: String] = ProcessEnvironment.all) throws -> BotEnvironment {
        guard let token = variables[EnvironmentVariable.botToken.name], !token.isEmpty else {
            throw CommandError(
                "\(EnvironmentVariable.botToken) is not set: export the token @BotFather gave your bot (export \(EnvironmentVariable.botToken)=123456:ABC...). "
                    + "To try the bot without Telegram, run `serve` without a token: it opens the offline playground."
            )
        }
        return BotEnvironment(
            token: token,
            apiURL: apiURL(variables),
            webhookSecret: variables[EnvironmentVariable.webhookSecret.name].flatMap { $0.isEmpty ? nil : $0 }
        )
    }

    /// The settings, or `nil` when no token is set (then `serve` runs the offline playground).
    static func readIfTokenSet(_ variables: [String: String] = ProcessEnvironment.all) throws -> BotEnvironment? {
        guard let token = variables[EnvironmentVariable.botToken.name], !token.isEmpty else { return nil }
        return try read(variables)
    }

    static func apiURL(_ variables: [String: String] = ProcessEnvironment.all) -> String {
        variables[EnvironmentVariable.telegramAPIURL.name].flatMap { $0.isEmpty ? nil : $0 } ?? TelegramClient.Configuration.telegramBaseURL
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

enum ProcessEnvironment {
    static var all: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let pair = String(cString: entry)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}

/// A failure the user can act on, printed as it is.
struct CommandError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Builds the bot for a command: the app's handlers on a client and the storage's sessions.
func makeBot(client: TelegramClient, storage: SQLiteStorage, logger: Logger) -> Bot {
    FerryApp.running.makeBot(client: client, sessions: storage.sessions, logger: logger)
}

/// The app's bot on `api` for commands that set Telegram up without running it (the webhook's `allowed_updates`,
/// the command lists): its handlers are registered with in-memory sessions, and never run.
func configuredBot(api: any BotAPI) -> Bot {
    let bot = Bot(api: api, logger: Logger(label: "ferry"))
    FerryApp.running.configure(bot, FerryApp.Resources(sessions: InMemorySessionStore()))
    return bot
}

/// The `allowed_updates` of the app's bot (``Bot/allowedUpdates``), for commands that set the webhook.
func allowedUpdates(api: any BotAPI) -> [String] {
    configuredBot(api: api).allowedUpdates
}

/// Logs to standard error, at `LOG_LEVEL` (default `info`).
func bootstrapLogging() -> Logger {
    let level = ProcessEnvironment.all[EnvironmentVariable.logLevel.name].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    return Logger(label: "ferry")
}
