import ArgumentParser
import FerryRuntime
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

    func validate() throws {
        guard concurrency > 0 else { throw ValidationError("--concurrency must be at least 1") }
        guard maxAttempts > 0 else { throw ValidationError("--max-attempts must be at least 1") }
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Receive updates by webhook on POST /webhook and handle them (also serves /healthz and /metrics)."
    )

    @Option(help: "Port to listen on.")
    var port: Int = 8080

    @OptionGroup var options: RunOptions

    @OptionGroup var sharedQueue: SharedQueueOptions

    func run() async throws {
        if let queues = sharedQueue.sqsQueues {
            return try await runSharedQueueHost(options: options, queues: queues, port: port)
        }
        try await runHost(options: options, port: port, ingress: .webhook)
    }
}

struct PollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "poll",
        abstract: "Fetch updates with getUpdates long polling and handle them (serves /healthz and /metrics)."
    )

    @Option(help: "Port for /healthz and /metrics.")
    var port: Int = 8080

    @OptionGroup var options: RunOptions

    func run() async throws {
        try await runHost(options: options, port: port, ingress: .polling(.init()))
    }
}

/// Runs the local host until SIGTERM or SIGINT, then shuts down gracefully and exits 0.
private func runHost(options: RunOptions, port: Int, ingress: LocalHost.Configuration.Ingress) async throws {
    let logger = bootstrapLogging()
    let environment = try BotEnvironment.read()
    // The lock first: a refused second host must not touch the file.
    let lock = try DataDirectoryLock(directory: options.dataDir)
    defer { withExtendedLifetime(lock) {} }
    let storage = try await SQLiteStorage.open(directory: options.dataDir, logger: logger)
    let client = environment.makeClient(logger: logger)
    let bot = makeBot(client: client, storage: storage, logger: logger)
    let host = LocalHost(
        bot: bot, storage: storage,
        configuration: .init(
            host: options.host, port: port, ingress: ingress,
            webhook: .init(secretToken: environment.webhookSecret),
            dispatcher: .init(concurrency: options.concurrency),
            policy: .init(maximumAttempts: options.maxAttempts)
        ),
        logger: logger
    )
    let group = ServiceGroup(
        configuration: .init(services: [.init(service: host)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    )
    do {
        try await group.run()
    } catch {
        try? await client.shutdown()
        try? await storage.close()
        throw error
    }
    try await client.shutdown()
    try await storage.close()
    logger.info("stopped")
}
