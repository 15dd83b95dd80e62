import ArgumentParser
import FerryDeploy
import Logging
import TelegramBotAPI
import TelegramClient

/// Options of the commands that address one deployed stage of this bot.
struct StageOptions: ParsableArguments {
    /// `--stage`, `--bot`, `--region`: which stage, shared with the commands that only read one.
    @OptionGroup var target: DeployedStageOptions

    @Option(help: "Update kinds the webhook function answers itself, comma-separated (pre_checkout_query); default: none.")
    var fastLane: String?

    @Flag(help: "The consumer keeps 24-hour records of handled update_ids and skips redeliveries (a read and a write per update).")
    var idempotencyRecords = false

    var stack: BotStack {
        var stack = target.stack
        stack.fastLaneUpdates = fastLane.map { $0.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) } } ?? []
        stack.idempotencyRecords = idempotencyRecords
        return stack
    }

    func aws() -> AWSCommandLine { target.aws() }
}

struct TemplateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "template", abstract: "Print the stage's CloudFormation template (JSON) on standard output."
    )
    @OptionGroup var options: StageOptions
    @OptionGroup(title: "Alarms and costs") var monitoring: MonitoringOptions

    func run() async throws {
        print(try monitoring.applied(to: options.stack).template().renderedJSON())
    }
}

struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Build, package, upload and deploy the stage, then point the bot's webhook at it."
    )
    @OptionGroup var options: StageOptions
    @OptionGroup(title: "Alarms and costs") var monitoring: MonitoringOptions

    @Option(help: "A bootstrap binary built elsewhere (for arm64, or on another machine); skips the build. Build it as the README's \"Building the bootstrap\" shows.")
    var executable: String?

    @Flag(help: "Drop the updates Telegram is holding for the bot when setting the webhook.")
    var dropPendingUpdates = false

    func run() async throws {
        let logger = bootstrapLogging()
        let stack = monitoring.applied(to: options.stack)
        try stack.validate()
        if let warning = monitoring.notificationWarning(stage: stack.stage) { printToStandardError(warning) }
        let binary: String
        if let executable {
            binary = executable
        } else {
            let product = FerryApp.running.name
            logger.info("building \(product) (release, static Swift standard library)")
            let build = try await ProcessCommandRunner().run(Command(
                executable: "/usr/bin/env",
                arguments: ["swift", "build"] + BootstrapBuild.arguments(product: product),
                timeout: .seconds(3600),
                onOutputLine: { logger.info("\($0)") }
            ))
            guard build.exitCode == 0 else { throw CommandError("swift build failed:\n\(build.standardError)") }
            binary = BootstrapBuild.binaryPath(product: product)
        }
        let package = ".build/ferry-\(stack.bot)-\(stack.stage).zip"
        try CodePackage.write(executable: binary, to: package)
        let token = ProcessEnvironment.all["TELEGRAM_BOT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let deployer = Deployer(stack: stack, aws: options.aws(), logger: logger)
        let deployed = try await deployer.deploy(codePackage: package, botToken: token)
        for (name, value) in deployed.outputs.sorted(by: { $0.key < $1.key }) { print("\(name): \(value)") }
        if let note = monitoring.notificationNote() { print(note) }

        guard let url = deployed.webhookURL else {
            logger.notice("the stack has no webhook URL (a local emulator); the webhook was not set")
            return
        }
        guard let token else {
            logger.notice("TELEGRAM_BOT_TOKEN is not set here, so the webhook was not set; run `webhook set` with it")
            return
        }
        let secret = try await deployer.webhookSecret()
        let environment = BotEnvironment(token: token, apiURL: BotEnvironment.apiURL(), webhookSecret: secret)
        try await setWebhook(url: url, environment: environment, dropPendingUpdates: dropPendingUpdates)
    }
}

struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete the stage: its stack, secrets and code packages.")
    @OptionGroup var options: StageOptions

    func run() async throws {
        let logger = bootstrapLogging()
        try await Deployer(stack: options.stack, aws: options.aws(), logger: logger).remove()
        print("Removed \(options.stack.names.stack).")
    }
}

struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Set, show or delete the bot's webhook with Telegram.",
        subcommands: [Set.self, Info.self, Delete.self]
    )

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Point Telegram at a URL (the secret comes from TELEGRAM_WEBHOOK_SECRET).")
        @Option(help: "The HTTPS URL Telegram posts updates to.") var url: String
        @Flag(help: "Drop the updates Telegram is holding.") var dropPendingUpdates = false

        func run() async throws {
            try await setWebhook(url: url, environment: try BotEnvironment.read(), dropPendingUpdates: dropPendingUpdates)
        }
    }

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show what Telegram knows of the webhook.")
        func run() async throws {
            let info = try await withClient(try BotEnvironment.read()) { try await $0.getWebhookInfo() }
            print("url: \(info.url.isEmpty ? "(none: the bot polls)" : info.url)")
            print("pending updates: \(info.pendingUpdateCount)")
            if let allowed = info.allowedUpdates { print("allowed updates: \(allowed.joined(separator: ", "))") }
            if let error = info.lastErrorMessage { print("last error: \(error)") }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove the webhook (the bot can then poll).")
        @Flag(help: "Drop the updates Telegram is holding.") var dropPendingUpdates = false
        func run() async throws {
            _ = try await withClient(try BotEnvironment.read()) { try await $0.deleteWebhook(dropPendingUpdates: dropPendingUpdates ? true : nil) }
            print("Webhook deleted.")
        }
    }
}

/// Points Telegram at `url` with the environment's secret, asking for the update kinds the bot's handlers
/// take: what `deploy` and `webhook set` both do.
private func setWebhook(url: String, environment: BotEnvironment, dropPendingUpdates: Bool) async throws {
    let allowed = try await withClient(environment) { client in
        let allowed = allowedUpdates(api: client)
        _ = try await client.setWebhook(
            url: url, allowedUpdates: allowed, dropPendingUpdates: dropPendingUpdates ? true : nil,
            secretToken: environment.webhookSecret
        )
        return allowed
    }
    print("Webhook set to \(url)")
    print("Allowed updates: \(allowed.joined(separator: ", "))")
}

func withClient<T>(_ environment: BotEnvironment, quick: Bool = false, _ body: (TelegramClient) async throws -> T) async throws -> T {
    let client = environment.makeClient(logger: Logger(label: "ferry"), quick: quick)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
