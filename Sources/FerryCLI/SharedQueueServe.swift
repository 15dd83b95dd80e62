import FerryStageContract
import ArgumentParser
import AsyncHTTPClient
import Ferry
import AWSClients
import FerryAWS
import Logging

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

/// The SQS side of `serve --queue sqs`: the queue, the sessions every machine sees (or this machine's), and the
/// HTTP client they share. Credentials and region come from where the AWS CLI finds them
/// (``AWSCredentialChain``), `AWS_ENDPOINT_URL` from the environment.
struct SharedSQSQueue {
    let queue: SQSUpdateQueue
    let sessions: any SessionStore
    private let httpClient: HTTPClient

    static func open(_ queues: SQSQueues, localSessions: any SessionStore, logger: Logger) async throws -> SharedSQSQueue {
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.redirectConfiguration = .disallow
        let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
        let aws: AWSClientConfiguration
        do {
            aws = try await AWSClientConfiguration.resolve(EnvironmentReader.processVariables, httpClient: httpClient, runProcess: runCredentialProcess)
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        let sqs = SQSClient(configuration: aws, httpClient: httpClient)
        let queue = SQSUpdateQueue(sqs: sqs, queueURL: queues.queueURL, deadLetterQueueURL: queues.deadLetterQueueURL)
        let sessions: any SessionStore
        if let table = queues.sessionsTable {
            sessions = DynamoDBSessionStore(dynamoDB: DynamoDBClient(configuration: aws, httpClient: httpClient), table: table)
        } else {
            logger.notice("sessions are kept in this machine's data directory: give --sessions-table when several machines share the queue")
            sessions = localSessions
        }
        return SharedSQSQueue(queue: queue, sessions: sessions, httpClient: httpClient)
    }

    func close() async {
        try? await httpClient.shutdown()
    }
}
