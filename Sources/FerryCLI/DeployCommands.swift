import ArgumentParser
import FerryStageContract
import FoundationEssentials
import FerryDeploy
import FerrySQLite
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

    @OptionGroup var retention: RetentionOptions

    var stack: BotStack {
        var stack = target.stack
        stack.fastLaneUpdates = fastLane.map { $0.split(separator: ",").map { String($0.filter { !$0.isWhitespace }) } } ?? []
        stack.idempotencyRecords = idempotencyRecords
        retention.apply(to: &stack)
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
    @OptionGroup(title: "Scaling") var scaling: ScalingOptions

    func validate() throws { _ = try scaling.applied(to: monitoring.applied(to: options.stack)) }

    func run() async throws {
        print(try scaling.applied(to: monitoring.applied(to: options.stack)).template().renderedJSON())
    }
}

struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Build, package, upload and deploy the stage, then point the bot's webhook at it."
    )
    @OptionGroup var options: StageOptions
    @OptionGroup(title: "Alarms and costs") var monitoring: MonitoringOptions
    @OptionGroup(title: "Scaling") var scaling: ScalingOptions

    @Option(help: "A bootstrap binary built elsewhere (for arm64, or on another machine); skips the build. Build it as docs/deploy.md, \"Building the bootstrap\", shows.")
    var executable: String?

    @Flag(help: "Drop the updates Telegram is holding for the bot when setting the webhook.")
    var dropPendingUpdates = false

    @OptionGroup var safety: DeploySafetyOptions

    /// The stage's stack with the monitoring and scaling flags applied, checked.
    private func stack() throws -> BotStack { try scaling.applied(to: monitoring.applied(to: options.stack)) }

    func validate() throws {
        let stack = try stack()
        if executable == nil, stack.architecture != .buildMachine {
            throw ValidationError(
                "deploy builds the bootstrap for this machine (\(LambdaArchitecture.buildMachine.rawValue)), not for \(stack.architecture.rawValue): "
                    + "build it for \(stack.architecture.rawValue) as docs/deploy.md, \"Building the bootstrap\", shows and pass it with --executable"
            )
        }
    }

    func run() async throws {
        let logger = bootstrapLogging()
        let stack = try stack()
        if let warning = monitoring.notificationWarning(stage: stack.stage) { printToStandardError(warning) }
        let token = EnvironmentReader.processVariables[EnvironmentVariable.botToken.name].flatMap { $0.isEmpty ? nil : $0 }
        if safety.rotateWebhookSecret, token == nil {
            throw CommandError("--rotate-webhook-secret gives Telegram the new secret, which needs TELEGRAM_BOT_TOKEN: set it and run deploy again")
        }
        if let token {
            // Before anything is built or created: a refused token would leave a stage nobody can reach.
            let environment = BotEnvironment(token: token, apiURL: BotEnvironment.apiURL(), webhookSecret: nil)
            try await withClient(environment) { try await TelegramRefusals.checkToken($0, logger: logger) }
        }
        let binary: String
        if let executable {
            binary = executable
        } else {
            let product = FerryApp.running.name
            logger.info("building \(product) (release, static Swift standard library)")
            let build = try await ProcessCommandRunner().run(BootstrapBuild.command(product: product, onOutputLine: { logger.info("\($0)") }))
            guard build.exitCode == 0 else { throw CommandError("swift build failed; fix the errors below and deploy again:\n\(build.standardError)") }
            binary = BootstrapBuild.binaryPath(product: product)
        }
        // Before anything is uploaded: the wrong binary would deploy fine and fail at the first cold start.
        try BootstrapExecutable.check(path: binary, architecture: stack.architecture)
        // A folder of its own, wherever the command runs (a folder without `.build`, a read-only checkout).
        let workFolder = try CodePackage.makeWorkFolder()
        defer { try? FileManager.default.removeItem(atPath: workFolder) }
        let package = workFolder + "/ferry-\(stack.bot)-\(stack.stage).zip"
        try CodePackage.write(executable: binary, to: package)
        let deployer = Deployer(stack: stack, aws: options.aws(), artifactBucket: safety.artifactBucket, logger: logger)
        let deployed = try await deployer.deploy(codePackage: package, botToken: token, rotateWebhookSecret: safety.rotateWebhookSecret)
        for (name, value) in deployed.outputs.sorted(by: { $0.key < $1.key }) { print("\(name): \(value)") }
        if let note = monitoring.notificationNote() { print(note) }

        guard let url = deployed.webhookURL else {
            logger.notice("the stack has no webhook URL (a local emulator); the webhook was not set")
            return
        }
        guard let token else {
            logger.notice("\(EnvironmentVariable.botToken) is not set here, so the webhook was not set; run `webhook set` with it")
            return
        }
        let secret = try await deployer.webhookSecret()
        let environment = BotEnvironment(token: token, apiURL: BotEnvironment.apiURL(), webhookSecret: secret)
        try await setWebhook(
            url: url, environment: environment, dropPendingUpdates: dropPendingUpdates, maxConnections: stack.webhookMaxConnections
        )
        try await withClient(environment) { client in await publishCommandLists(of: configuredBot(api: client), logger: logger) }
        if safety.rotateWebhookSecret {
            print("Rotated the webhook secret: the old one is accepted until \(Deployer.retiringSecretWindow.components.seconds / 60) minutes from now, then refused.")
        }
    }
}

/// How long the stage keeps user data (docs/deploy-safety.md lists what sits where).
struct RetentionOptions: ParsableArguments {
    @Option(help: "Days the update queue and the dead-letter queue keep an update (1-14; default 14).")
    var queueRetentionDays: Int?

    @Option(help: "Days a parked dead letter (a whole update) is kept (1-365; default 30).")
    var deadLetterRetentionDays: Int?

    @Option(help: "Days point-in-time recovery reaches back for the sessions and dead-letter tables (1-35; default 35).")
    var backupRetentionDays: Int?

    func apply(to stack: inout BotStack) {
        if let queueRetentionDays { stack.queueRetention = .seconds(queueRetentionDays * 86_400) }
        if let deadLetterRetentionDays { stack.deadLetterRetention = .seconds(deadLetterRetentionDays * 86_400) }
        if let backupRetentionDays { stack.backupRetentionDays = backupRetentionDays }
    }
}

/// `deploy`'s options for running safely (issue 17), kept together.
struct DeploySafetyOptions: ParsableArguments {
    @Flag(help: "Replace the webhook secret and give Telegram the new one; the old one stays accepted for 15 minutes, so no update in flight is refused.")
    var rotateWebhookSecret = false

    @Option(help: "The S3 bucket for code packages (default: ferry-artifacts-<account>-<region>, created when missing). Its owner must be this account.")
    var artifactBucket: String?
}

struct RemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Delete the stage: its stack, secrets and code packages.")
    @OptionGroup var options: StageOptions

    @Option(help: "The S3 bucket the stage's code packages were uploaded to, when deploy was given one.")
    var artifactBucket: String?

    func run() async throws {
        let logger = bootstrapLogging()
        let deployer = Deployer(stack: options.stack, aws: options.aws(), artifactBucket: artifactBucket, logger: logger)
        await deleteWebhookPointingAtStage(deployer)
        let kept = try await deployer.remove()
        print("Removed \(options.stack.names.stack).")
        if !kept.isEmpty {
            print("Kept on purpose:")
            for item in kept { print("  - \(item)") }
        }
    }

    /// Telegram would go on posting to the deleted URL (and hold the updates it cannot deliver): when its webhook
    /// points at this stage, it is deleted first. The token is TELEGRAM_BOT_TOKEN's, else the one the stage stores.
    private func deleteWebhookPointingAtStage(_ deployer: Deployer) async {
        guard let url = try? await deployer.webhookFunctionURL() else { return }
        var token = EnvironmentReader.processVariables[EnvironmentVariable.botToken.name].flatMap { $0.isEmpty ? nil : $0 }
        if token == nil, let stored = try? await deployer.storedBotToken() { token = stored }
        guard let token else {
            print("Telegram's webhook was not checked (no TELEGRAM_BOT_TOKEN here, none stored): if it pointed at \(url), run `webhook delete`.")
            return
        }
        let environment = BotEnvironment(token: token, apiURL: BotEnvironment.apiURL(), webhookSecret: nil)
        do {
            try await withClient(environment) { client in
                let current = try await client.getWebhookInfo().url
                if current == url {
                    _ = try await client.deleteWebhook()
                    print("Deleted the bot's webhook: it pointed at this stage (\(url)).")
                } else if !current.isEmpty {
                    print("Left the bot's webhook as it is: it points at \(current), not at this stage.")
                }
            }
        } catch {
            print("Could not check the bot's webhook (\(error)): run `webhook info`, and `webhook delete` if it points at \(url).")
        }
    }
}

struct WebhookCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhook", abstract: "Set, show or delete the bot's webhook with Telegram.",
        subcommands: [Set.self, Info.self, Delete.self]
    )

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Point Telegram at a URL, with the secret the server checks (TELEGRAM_WEBHOOK_SECRET, or the one `serve` keeps in --data-dir)."
        )
        @Option(help: "The HTTPS URL Telegram posts updates to.") var url: String
        @Option(help: "The data directory of the `serve` that receives the updates: Telegram is given the secret kept there (made when missing).")
        var dataDir: String?
        @Flag(help: "Give Telegram no secret (for a server run with --open-webhook).") var openWebhook = false
        @Flag(help: "Drop the updates Telegram is holding.") var dropPendingUpdates = false
        @Option(help: "Most connections Telegram opens to the URL at once, 1 to 100 (default: \(ScalingOptions.defaults.webhookMaxConnections), as deploy sets).")
        var maxConnections = ScalingOptions.defaults.webhookMaxConnections

        func validate() throws {
            let range = BotStack.webhookMaxConnectionsRange
            guard range.contains(maxConnections) else {
                throw ValidationError("--max-connections is \(maxConnections); Telegram accepts \(range.lowerBound) to \(range.upperBound)")
            }
        }

        func run() async throws {
            var environment = try BotEnvironment.read()
            if openWebhook {
                guard environment.webhookSecret == nil, dataDir == nil else {
                    throw CommandError("--open-webhook gives Telegram no secret, but TELEGRAM_WEBHOOK_SECRET or --data-dir names one: drop one of them")
                }
            } else if environment.webhookSecret == nil {
                guard let dataDir else {
                    throw CommandError(
                        "Telegram must be given the secret the server checks: add --data-dir with the data directory of the `serve` that receives the updates (it keeps its secret there), or set TELEGRAM_WEBHOOK_SECRET to the server's"
                    )
                }
                environment.webhookSecret = try WebhookSecretFile.loadOrCreate(in: dataDir)
            }
            try await setWebhook(
                url: url, environment: environment, dropPendingUpdates: dropPendingUpdates, maxConnections: maxConnections
            )
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
private func setWebhook(url: String, environment: BotEnvironment, dropPendingUpdates: Bool, maxConnections: Int) async throws {
    let allowed = try await withClient(environment) { client in
        let allowed = allowedUpdates(api: client)
        _ = try await client.setWebhook(
            url: url, maxConnections: maxConnections, allowedUpdates: allowed,
            dropPendingUpdates: dropPendingUpdates ? true : nil, secretToken: environment.webhookSecret
        )
        return allowed
    }
    print("Webhook set to \(url) (at most \(maxConnections) connections at once)")
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
        throw TelegramRefusals.explain(error) ?? error
    }
}
