public import Ferry
import ArgumentParser

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

    public let name: String
    let configure: Configure

    public init(name: String, configure: @escaping Configure) {
        self.name = name
        self.configure = configure
    }

    /// Parses the command line and runs the command; exits the process when done. On AWS Lambda
    /// (`AWS_LAMBDA_RUNTIME_API` is set) it serves the role named by the function's handler instead.
    public func main(arguments: [String]? = nil) async {
        if let runtimeAPI = ProcessEnvironment.all["AWS_LAMBDA_RUNTIME_API"], !runtimeAPI.isEmpty {
            await runLambda(configure: configure)
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
