public import Ferry
public import TelegramBotAPI
import ArgumentParser
import FerryAWS
import FerryStageContract
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A bot binary's entry point: the bot's handlers plus every command Ferry gives a bot
/// (`serve`, `poll`, `dlq`, ...).
///
/// ```swift
/// // main.swift
/// import FerryCLI
/// await FerryApp(name: "EchoBot") { bot, resources in
///     bot.command("start") { ctx, _ in try await ctx.reply("Welcome to my bot!") }
/// }.main()
/// ```
public struct FerryApp: Sendable {
    /// What the host gives the bot's set-up: storage that outlives the process.
    public struct Resources: Sendable {
        /// Sessions that survive restarts: the data directory's SQLite file locally, the stage's DynamoDB
        /// table on Lambda (`SESSIONS_TABLE`).
        public var sessions: any SessionStore
    }

    public typealias Configure = @Sendable (Bot, Resources) -> Void

    public typealias AdaptAPI = @Sendable (any BotAPI) -> any BotAPI

    public let name: String
    let configure: Configure
    let adaptAPI: AdaptAPI

    /// - Parameter api: wraps the Bot API client the bot answers with, in every mode (`serve`, `poll`, Lambda):
    ///   `api: { $0.throttled() }` holds messages back to Telegram's flood limits (see ``ThrottledBotAPI``).
    public init(name: String, api adaptAPI: @escaping AdaptAPI = { $0 }, configure: @escaping Configure) {
        self.name = name
        self.configure = configure
        self.adaptAPI = adaptAPI
    }

    /// The app's bot: its handlers, answering through `client` as the app adapts it. The one place a bot is
    /// built, for every mode: `serve`, `poll`, `serve --queue sqs`, the three Lambda roles, and the commands
    /// that only read its set-up (`allowed_updates`, the command lists).
    func makeBot(client: any BotAPI, sessions: any SessionStore, logger: Logger) -> Bot {
        let bot = Bot(api: adaptAPI(client), logger: logger)
        configure(bot, Resources(sessions: sessions))
        return bot
    }

    /// Parses the command line and runs the command; exits the process when done. On AWS Lambda
    /// (`AWS_LAMBDA_RUNTIME_API` is set) it serves the role named by the function's handler instead.
    public func main(arguments: [String]? = nil) async {
        if let runtimeAPI = EnvironmentReader.processVariables["AWS_LAMBDA_RUNTIME_API"], !runtimeAPI.isEmpty {
            let status = await LambdaBootstrap.run(makeBot: { makeBot(client: $0, sessions: $1, logger: $2) }, logger: bootstrapLogging())
            exit(status)
        }
        await FerryApp.$current.withValue(self) {
            // ArgumentParser's own `main`, but with every failure said in words (``UserFacingError``).
            do {
                var command = try RootCommand.parseAsRoot(arguments)
                if var asyncCommand = command as? any AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
            } catch {
                RootCommand.exit(withError: UserFacingError.words(for: error))
            }
        }
    }

    /// The app whose command line is being run: ArgumentParser builds commands from types, so
    /// the bot's set-up reaches them through a task-local value rather than an initializer.
    @TaskLocal static var current: FerryApp?

    static var running: FerryApp {
        guard let app = current else { fatalError("FerryApp.main() must run the commands") }
        return app
    }
}

struct RootCommand: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: FerryApp.current?.name,
            abstract: "A Telegram bot built with Ferry.",
            subcommands: [
                ServeCommand.self, DevCommand.self, PollCommand.self, DeadLetterCommand.self, WebhookCommand.self,
                TemplateCommand.self, DeployCommand.self, RemoveCommand.self, StatusCommand.self, LogsCommand.self,
            ]
        )
    }
}
