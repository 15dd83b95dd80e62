import ArgumentParser
import AsyncHTTPClient
import Ferry
import AWSClients
import FerryAWS
import FerryRuntime
import FerryServer
import FerrySQLite
import Logging
import ServiceLifecycle

/// `serve --queue sqs`: the options that put the local host's queue on SQS, so several ordinary
/// machines share one bot's work (the same FIFO queue the webhook Lambda writes to, or their own).
struct SharedQueueOptions: ParsableArguments {
    enum Backend: String, ExpressibleByArgument, CaseIterable {
        /// The embedded queue in the data directory (the default).
        case sqlite
        /// An SQS FIFO queue shared with other machines.
        case sqs
    }

    @Option(help: "Where updates wait: sqlite (the data directory) or sqs (a FIFO queue several machines share).")
    var queue: Backend = .sqlite

    @Option(help: "With --queue sqs: the FIFO queue's URL.")
    var queueURL: String?

    @Option(help: "With --queue sqs: the FIFO dead-letter queue's URL.")
    var deadLetterQueueURL: String?

    @Option(help: "With --queue sqs: a DynamoDB table (string partition key `key`) for sessions every machine sees; default: the data directory, per machine.")
    var sessionsTable: String?

    func validate() throws {
        switch queue {
        case .sqlite:
            guard queueURL == nil, deadLetterQueueURL == nil, sessionsTable == nil else {
                throw ValidationError("--queue-url, --dead-letter-queue-url and --sessions-table go with --queue sqs")
            }
        case .sqs:
            guard let queueURL, queueURL.hasSuffix(".fifo") else { throw ValidationError("--queue sqs needs --queue-url of a FIFO queue (.fifo)") }
            guard let deadLetterQueueURL, deadLetterQueueURL.hasSuffix(".fifo") else {
                throw ValidationError("--queue sqs needs --dead-letter-queue-url of a FIFO queue (.fifo)")
            }
        }
    }

    /// The SQS queues to serve from; `nil` for the embedded queue.
    var sqsQueues: SQSQueues? {
        guard queue == .sqs, let queueURL, let deadLetterQueueURL else { return nil }
        return SQSQueues(queueURL: queueURL, deadLetterQueueURL: deadLetterQueueURL, sessionsTable: sessionsTable)
    }
}

/// What `serve --queue sqs` runs over.
struct SQSQueues {
    var queueURL: String
    var deadLetterQueueURL: String
    /// Sessions in DynamoDB, shared by every machine; `nil` keeps them in the data directory.
    var sessionsTable: String?
}

/// Runs the host over the SQS queue until SIGTERM or SIGINT. Credentials and region come from where the AWS
/// CLI finds them (``AWSCredentialChain``), `AWS_ENDPOINT_URL` from the environment.
func runSharedQueueHost(options: RunOptions, queues: SQSQueues, port: Int, openWebhook: Bool) async throws {
    let logger = bootstrapLogging()
    let environment = try BotEnvironment.read()
    // One data directory per process still: its sessions, unless they are in DynamoDB.
    let lock = try DataDirectoryLock(directory: options.dataDir)
    defer { withExtendedLifetime(lock) {} }
    let storage = try await SQLiteStorage.open(directory: options.dataDir, logger: logger)
    var httpConfiguration = HTTPClient.Configuration()
    httpConfiguration.redirectConfiguration = .disallow
    let awsHTTPClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
    let aws: AWSClientConfiguration
    do {
        aws = try await AWSClientConfiguration.resolve(ProcessEnvironment.all, httpClient: awsHTTPClient, runProcess: runCredentialProcess)
    } catch {
        try? await awsHTTPClient.shutdown()
        try? await storage.close()
        throw error
    }
    let client = environment.makeClient(logger: logger)
    let webhookSecret: String?
    do {
        try await TelegramRefusals.checkToken(client, logger: logger)
        webhookSecret = try ServedWebhookSecret.resolve(environment: environment, dataDirectory: options.dataDir, open: openWebhook, logger: logger)
    } catch {
        try? await client.shutdown()
        try? await awsHTTPClient.shutdown()
        try? await storage.close()
        throw error
    }

    let sqs = SQSClient(configuration: aws, httpClient: awsHTTPClient)
    let queue = SQSUpdateQueue(sqs: sqs, queueURL: queues.queueURL, deadLetterQueueURL: queues.deadLetterQueueURL)
    let sessions: any SessionStore
    if let table = queues.sessionsTable {
        sessions = DynamoDBSessionStore(dynamoDB: DynamoDBClient(configuration: aws, httpClient: awsHTTPClient), table: table)
    } else {
        logger.notice("sessions are kept in this machine's data directory: give --sessions-table when several machines share the queue")
        sessions = storage.sessions
    }
    let bot = FerryApp.running.makeBot(client: client, sessions: sessions, logger: logger)
    await publishCommandLists(of: bot, logger: logger)

    let host = SharedQueueHost(
        bot: bot, queue: queue,
        configuration: .init(
            host: options.host, port: port,
            webhook: .init(secretToken: webhookSecret),
            // Other machines' enqueues wake nobody here: look at the queue twice a second when idle
            // (one ReceiveMessage each, about 5 million a month per idle machine).
            dispatcher: .init(concurrency: options.concurrency, pollInterval: .milliseconds(500)),
            policy: .init(maximumAttempts: options.maxAttempts)
        ),
        logger: logger
    )
    let group = ServiceGroup(
        configuration: .init(services: [.init(service: host)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    )
    var failure: (any Error)?
    do {
        try await group.run()
    } catch {
        failure = error
    }
    try? await client.shutdown()
    try? await awsHTTPClient.shutdown()
    try? await storage.close()
    if let failure { throw failure }
    logger.info("stopped")
}
