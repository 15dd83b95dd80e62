import FerryStageContract
import ArgumentParser
import Ferry
import FerryRuntime
import TelegramBotAPI
import FerryServer
import FerrySQLite
import Logging
import ServiceLifecycle

/// Options every command that runs the bot shares.
struct RunOptions: ParsableArguments {
    @Option(help: "Directory of the bot's SQLite file (queue, dead letters, sessions); created when missing.")
    var dataDir: String

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Handlers running at once (different chats; one chat is always one at a time).")
    var concurrency: Int = 64

    @Option(help: "Attempts before an update is dead-lettered.")
    var maxAttempts: Int = 3

    @Option(help: ArgumentHelp(
        "Days a dead letter is kept unless redriven or purged (default: $FERRY_DEAD_LETTER_RETENTION_DAYS, else 30).",
        valueName: "days"
    ))
    var deadLetterRetentionDays: Int?

    static let retentionVariable = "FERRY_DEAD_LETTER_RETENTION_DAYS"

    @Option(help: ArgumentHelp(
        "Minutes an update_id is remembered to drop Telegram's redeliveries (default: $FERRY_DEDUP_WINDOW_MINUTES, "
            + "else 1440, a day; at least 10). One row per update of the window: shorter saves disk at high rates.",
        valueName: "minutes"
    ))
    var dedupWindowMinutes: Int?

    static let dedupWindowVariable = "FERRY_DEDUP_WINDOW_MINUTES"
    /// Telegram redelivers an update whose answer it did not get within seconds to minutes; ten minutes
    /// keeps well clear of that.
    static let shortestDedupWindowMinutes = 10

    func validate() throws {
        guard concurrency > 0 else { throw ValidationError("--concurrency must be at least 1") }
        guard maxAttempts > 0 else { throw ValidationError("--max-attempts must be at least 1") }
        _ = try deadLetterRetention()
        _ = try deduplicationWindow()
    }

    /// `--dead-letter-retention-days`, else `FERRY_DEAD_LETTER_RETENTION_DAYS`, else 30 days.
    func deadLetterRetention(_ variables: [String: String] = EnvironmentReader.processVariables) throws -> Duration {
        let days = try Self.wholeNumber(
            deadLetterRetentionDays, option: "--dead-letter-retention-days", variable: Self.retentionVariable,
            unit: "days", atLeast: 1, in: variables
        )
        return days.map { .seconds($0 * 24 * 60 * 60) } ?? SQLiteStorage.defaultDeadLetterRetention
    }

    /// `--dedup-window-minutes`, else `FERRY_DEDUP_WINDOW_MINUTES`, else a day.
    func deduplicationWindow(_ variables: [String: String] = EnvironmentReader.processVariables) throws -> Duration {
        let minutes = try Self.wholeNumber(
            dedupWindowMinutes, option: "--dedup-window-minutes", variable: Self.dedupWindowVariable,
            unit: "minutes", atLeast: Self.shortestDedupWindowMinutes, in: variables
        )
        return minutes.map { .seconds($0 * 60) } ?? SQLiteStorage.defaultDeduplicationWindow
    }

    /// A count set by an option, else by an environment variable, else `nil` (the default applies).
    private static func wholeNumber(
        _ optionValue: Int?, option: String, variable: String, unit: String, atLeast minimum: Int, in variables: [String: String]
    ) throws -> Int? {
        if let optionValue {
            guard optionValue >= minimum else { throw ValidationError("\(option) must be at least \(minimum)") }
            return optionValue
        }
        guard let text = variables[variable], !text.isEmpty else { return nil }
        guard let value = Int(text), value >= minimum else {
            throw ValidationError("\(variable) is \"\(text)\", not a whole number of \(unit) (at least \(minimum))")
        }
        return value
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive updates by webhook on POST /webhook and handle them (also serves /healthz and /metrics).",
        discussion: """
            Without TELEGRAM_BOT_TOKEN, serve runs offline: a simulated Telegram starts in the same process and \
            the playground opens at http://127.0.0.1:PORT/playground. There you play users and group chats, send \
            text and commands, press buttons and watch the bot answer; every message takes the real path \
            (webhook, durable queue, your handlers) and nothing leaves the machine. The simulated world (users, \
            chats, messages) is kept in the data directory, so a restart continues the conversation.

            With TELEGRAM_BOT_TOKEN, serve takes Telegram's webhook calls; point Telegram at it with \
            `webhook set --url https://.../webhook --data-dir DIR`, or use `poll` where there is no public URL.

            Environment:
              TELEGRAM_BOT_TOKEN       the token @BotFather gave you; unset: the offline playground
              TELEGRAM_WEBHOOK_SECRET  the secret Telegram must send in X-Telegram-Bot-Api-Secret-Token
                                       (unset: serve keeps one in the data directory)
              TELEGRAM_API_URL         the Bot API's base URL (default https://api.telegram.org)
              LOG_LEVEL                trace, debug, info (default), notice, warning, error or critical

            Examples:
              serve --port 8080 --data-dir ./data                      the playground at http://127.0.0.1:8080/playground
              TELEGRAM_BOT_TOKEN=123:ABC serve --port 8080 --data-dir ./data
            """
    )

    @Option(help: "Port to listen on.")
    var port: Int = 8080

    @OptionGroup var options: RunOptions

    @OptionGroup var sharedQueue: SharedQueueOptions

    @Flag(help: "Take every POST to /webhook as Telegram's, checking no secret: whoever reaches the address can speak as any user of the bot. Only behind something that checks the secret itself.")
    var openWebhook = false

    func run() async throws {
        try await runHost(options: options, port: port, ingress: .webhook, sharedQueue: sharedQueue.sqsQueues, openWebhook: openWebhook)
    }
}

struct PollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll",
        abstract: "Fetch updates with getUpdates long polling and handle them (serves /healthz and /metrics).",
        discussion: """
            Needs TELEGRAM_BOT_TOKEN (from @BotFather) and no public URL. Telegram refuses getUpdates while a \
            webhook is set for the bot: --delete-webhook removes it first. To try the bot without Telegram, \
            run `serve` without a token: it opens the offline playground.

            Environment: TELEGRAM_BOT_TOKEN (required), TELEGRAM_API_URL (default https://api.telegram.org), \
            LOG_LEVEL (default info).
            """
    )

    @Option(help: "Port for /healthz and /metrics.")
    var port: Int = 8080

    @OptionGroup var options: RunOptions

    @Flag(help: "Delete the bot's webhook first: Telegram hands out updates by polling only when none is set.")
    var deleteWebhook = false

    func run() async throws {
        try await runHost(options: options, port: port, ingress: .polling(.init()), deleteWebhook: deleteWebhook)
    }
}

/// Runs the local host until SIGTERM or SIGINT, then shuts down gracefully and exits 0: over the data
/// directory's queue, or over an SQS queue other machines share (`serve --queue sqs`).
///
/// Without `TELEGRAM_BOT_TOKEN`, `serve` runs offline: a simulated Telegram in-process stands in for
/// the real one and the playground page at `/playground` plays its users (see ``SimulatedTelegram``).
/// Polling and a shared queue need the real Telegram.
func runHost(
    options: RunOptions, port: Int, ingress: LocalHost.Configuration.Ingress, sharedQueue: SQSQueues? = nil,
    openWebhook: Bool = false, deleteWebhook: Bool = false
) async throws {
    let logger = bootstrapLogging()
    let environment: BotEnvironment? = if case .webhook = ingress, sharedQueue == nil {
        try BotEnvironment.readIfTokenSet()
    } else {
        try BotEnvironment.read()
    }
    // The lock first: a refused second host must not touch the file.
    let lock = try DataDirectoryLock(directory: options.dataDir)
    defer { withExtendedLifetime(lock) {} }
    let storage = try await SQLiteStorage.open(
        directory: options.dataDir, logger: logger, deadLetterRetention: try options.deadLetterRetention(),
        deduplicationWindow: try options.deduplicationWindow()
    )
    var opened = OpenedResources()
    opened.add { try? await storage.close() }
    var failure: (any Error)?
    do {
        let telegram = try await TelegramConnection.open(
            environment: environment, queue: storage.queue, dataDirectory: options.dataDir, logger: logger
        )
        // Closed after the host, which may have been sending the bot's last replies until it stopped.
        opened.add { await telegram.close() }
        let webhookSecret: String?
        if let environment {
            try await TelegramRefusals.checkToken(telegram.client, logger: logger)
            if deleteWebhook {
                _ = try await telegram.client.deleteWebhook()
                logger.notice("deleted the bot's webhook: Telegram hands its updates to polling now")
            }
            webhookSecret = if case .webhook = ingress {
                try ServedWebhookSecret.resolve(environment: environment, dataDirectory: options.dataDir, open: openWebhook, logger: logger)
            } else {
                nil
            }
        } else {
            webhookSecret = telegram.webhookSecret
        }
        var dispatcher = Dispatcher.Configuration(concurrency: options.concurrency)
        let queue: HostedQueue
        let sessions: any SessionStore
        if let sharedQueue {
            let shared = try await SharedSQSQueue.open(sharedQueue, localSessions: storage.sessions, logger: logger)
            opened.add { await shared.close() }
            queue = .shared(shared.queue)
            sessions = shared.sessions
            // Other machines' enqueues wake nobody here: look at the queue twice a second when idle
            // (one ReceiveMessage each, about 5 million a month per idle machine).
            dispatcher.pollInterval = .milliseconds(500)
        } else {
            queue = .embedded(storage)
            sessions = storage.sessions
        }
        let bot = FerryApp.running.makeBot(client: telegram.client, sessions: sessions, logger: logger)
        await publishCommandLists(of: bot, logger: logger)
        let host = LocalHost(
            bot: bot, queue: queue,
            configuration: .init(
                host: options.host, port: port, ingress: ingress,
                webhook: .init(secretToken: webhookSecret),
                dispatcher: dispatcher,
                policy: .init(maximumAttempts: options.maxAttempts)
            ),
            routes: telegram.playground.map { [$0] } ?? [],
            logger: logger
        )
        // Services stop in reverse order: the playground's event streams end first, since the server
        // waits for open responses to finish.
        var services: [any Service] = [host]
        if let playground = telegram.playground { services.append(playground) }
        try await ServiceGroup(
            configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        ).run()
    } catch {
        failure = error
    }
    await opened.closeAll()
    if let failure { throw TelegramRefusals.explain(failure) ?? failure }
    logger.info("stopped")
}

/// What a run opened, closed in the reverse order on every path: each closer is added once its resource is open.
struct OpenedResources {
    private var closers: [() async -> Void] = []

    mutating func add(_ close: @escaping () async -> Void) {
        closers.append(close)
    }

    func closeAll() async {
        for close in closers.reversed() { await close() }
    }
}
