import AsyncHTTPClient
import Ferry
import AWSClients
import FerryAWS
import FerryDeploy
import FerryRuntime
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

/// The Lambda role a bot binary plays, named by the function's handler setting (`_HANDLER`).
enum LambdaRole: String, CaseIterable {
    /// Function URL -> checks -> SQS FIFO queue.
    case webhook
    /// SQS FIFO queue -> the bot's handlers.
    case consumer
    /// Dead-letter queue -> DynamoDB table, log line, `onDeadLetter` hook.
    case deadLetter = "dead-letter"
}

/// What a bot binary reads from its Lambda environment:
///
/// | variable | roles |
/// | --- | --- |
/// | `_HANDLER`: `webhook`, `consumer` or `dead-letter` | all |
/// | `TELEGRAM_BOT_TOKEN`, or `TELEGRAM_BOT_TOKEN_PARAMETER` (an SSM SecureString's name) | consumer, dead-letter |
/// | `TELEGRAM_WEBHOOK_SECRET`, or `TELEGRAM_WEBHOOK_SECRET_PARAMETER` | webhook |
/// | `QUEUE_URL` | webhook, consumer |
/// | `DEAD_LETTER_QUEUE_URL` | consumer |
/// | `DEAD_LETTER_TABLE` | dead-letter |
/// | `TELEGRAM_API_URL` (default: Telegram's) | consumer, dead-letter |
/// | `FERRY_MAX_ATTEMPTS` (default 3) | consumer |
/// | `FERRY_CONSUMER_CONCURRENCY`: chats of a batch handled at once, 1 to 10 (default 10) | consumer |
/// | `SESSIONS_TABLE`: the DynamoDB table behind `resources.sessions` (else sessions live in memory) | consumer, webhook |
/// | `FERRY_FAST_LANE`: `on` (= `pre_checkout_query`) or update kinds, comma-separated, handled inside the webhook invocation (default `off`); needs the bot token | webhook |
/// | `FERRY_IDEMPOTENCY`: `on` records each handled `update_id` for 24 h in `SESSIONS_TABLE` (default `off`) | consumer |
///
/// Secrets are read once, at cold start.
struct LambdaEnvironment {
    var variables: [String: String]

    func required(_ name: String) throws -> String {
        guard let value = variables[name], !value.isEmpty else { throw CommandError("\(name) is not set") }
        return value
    }

    func role() throws -> LambdaRole {
        let handler = try required("_HANDLER")
        guard let role = LambdaRole(rawValue: handler) else {
            let roles = LambdaRole.allCases.map(\.rawValue).joined(separator: ", ")
            throw CommandError("_HANDLER is \"\(handler)\"; a Ferry bot's Lambda handler is one of: \(roles)")
        }
        return role
    }

    /// Deliveries before the consumer dead-letters an update.
    func maximumAttempts() throws -> Int {
        guard let text = variables["FERRY_MAX_ATTEMPTS"], !text.isEmpty else { return UpdateProcessor.Policy().maximumAttempts }
        guard let attempts = Int(text), attempts > 0 else { throw CommandError("FERRY_MAX_ATTEMPTS is \"\(text)\", not a positive number; set it to one, such as 3") }
        return attempts
    }

    /// Chats of a batch the consumer handles at once (`FERRY_CONSUMER_CONCURRENCY`).
    func consumerConcurrency() throws -> Int {
        guard let text = variables[BotStack.EnvironmentVariable.consumerConcurrency], !text.isEmpty else { return ConsumerFunction.Configuration.defaultConcurrency }
        guard let concurrency = Int(text), (1...SQSClient.maxBatchSize).contains(concurrency) else {
            throw CommandError(
                "FERRY_CONSUMER_CONCURRENCY is \"\(text)\"; use a number from 1 to \(SQSClient.maxBatchSize) (a batch holds at most \(SQSClient.maxBatchSize) records)"
            )
        }
        return concurrency
    }

    /// The update kinds the webhook handles itself (`FERRY_FAST_LANE`); empty when off.
    /// `FERRY_DEAD_LETTER_RETENTION_SECONDS`: how long a parked dead letter is kept; 30 days when unset.
    func deadLetterRetention() throws -> Duration {
        guard let value = variables["FERRY_DEAD_LETTER_RETENTION_SECONDS"], !value.isEmpty else { return .seconds(30 * 24 * 3600) }
        guard let seconds = Int(value), seconds > 0 else {
            throw CommandError("FERRY_DEAD_LETTER_RETENTION_SECONDS is \"\(value)\", not a whole number of seconds above 0")
        }
        return .seconds(seconds)
    }

    func fastLaneKinds() throws -> Set<UpdateKind> {
        let value = variables["FERRY_FAST_LANE"]?.lowercased() ?? ""
        switch value {
        case "", "off", "false", "0": return []
        case "on", "true", "1": return [.preCheckoutQuery]
        default:
            let kinds = value.split(separator: ",").map { UpdateKind(rawValue: String($0.filter { !$0.isWhitespace })) }
            if let unknown = kinds.first(where: { if case .unknown = $0 { true } else { false } }) {
                throw CommandError("FERRY_FAST_LANE names \"\(unknown.rawValue)\", which is not an update kind (such as pre_checkout_query)")
            }
            return Set(kinds)
        }
    }

    /// Whether the consumer keeps idempotency records (`FERRY_IDEMPOTENCY`: `on` or `off`, default `off`).
    func idempotency() throws -> Bool {
        switch variables["FERRY_IDEMPOTENCY"]?.lowercased() ?? "" {
        case "", "off", "false", "0": return false
        case "on", "true", "1":
            guard variables["SESSIONS_TABLE"].map({ !$0.isEmpty }) == true else {
                throw CommandError("FERRY_IDEMPOTENCY is on, but SESSIONS_TABLE (where the records are kept) is not set")
            }
            return true
        case let other: throw CommandError("FERRY_IDEMPOTENCY is \"\(other)\"; use on or off")
        }
    }

    /// Sessions in `SESSIONS_TABLE` when set, else in memory (they then last as long as the warm
    /// execution environment).
    func sessions(dynamoDB: DynamoDBClient, logger: Logger) -> any SessionStore {
        guard let table = variables["SESSIONS_TABLE"], !table.isEmpty else {
            logger.notice("SESSIONS_TABLE is not set: sessions live in memory, per execution environment")
            return InMemorySessionStore()
        }
        return DynamoDBSessionStore(dynamoDB: dynamoDB, table: table)
    }

    /// The secret a rotation replaced, from `TELEGRAM_WEBHOOK_RETIRING_SECRET_PARAMETER`: `nil` when there is
    /// none (no rotation yet). Read with the other secrets at start-up; a rotation restarts the function.
    func retiringWebhookSecret(ssm: SSMClient, logger: Logger) async throws -> WebhookIngress.RetiringSecret? {
        guard let parameter = variables["TELEGRAM_WEBHOOK_RETIRING_SECRET_PARAMETER"], !parameter.isEmpty else { return nil }
        do {
            let stored = try await ssm.parameter(named: parameter, withDecryption: true).value
            guard let retiring = WebhookIngress.RetiringSecret(stored: stored) else {
                logger.warning("the retiring webhook secret is not `<secret> <unix seconds>`; ignored", metadata: ["parameter": "\(parameter)"])
                return nil
            }
            return retiring
        } catch let error as AWSServiceError where error.code == "ParameterNotFound" {
            return nil
        } catch {
            throw CommandError("could not read the SSM parameter \(parameter) (TELEGRAM_WEBHOOK_RETIRING_SECRET_PARAMETER): \(error)")
        }
    }

    /// A secret from the variable `name`, or else from the SSM parameter named by `name_PARAMETER`;
    /// `nil` when neither is set. The error names the parameter, never its value.
    func secret(_ name: String, ssm: SSMClient) async throws -> String? {
        if let value = variables[name], !value.isEmpty { return value }
        guard let parameter = variables["\(name)_PARAMETER"], !parameter.isEmpty else { return nil }
        do {
            return try await ssm.parameter(named: parameter, withDecryption: true).value
        } catch {
            throw CommandError("could not read the SSM parameter \(parameter) (\(name)_PARAMETER): \(error)")
        }
    }
}

/// Serves the role named by `_HANDLER` on the Lambda Runtime API until the process ends. Set-up
/// failures (a missing variable, an unreadable secret) are reported to Lambda as an init error.
func runLambda(app: FerryApp) async -> Never {
    let logger = bootstrapLogging()
    let environment = LambdaEnvironment(variables: ProcessEnvironment.all)
    // Both are shut down before exiting: an HTTPClient released while running is a fatal error.
    let runtimeClient = LambdaRuntime.makeHTTPClient()
    let serviceClient = makeServiceHTTPClient()
    var status: Int32 = 0
    do {
        let runtime = try LambdaRuntime.fromEnvironment(environment.variables, httpClient: runtimeClient, logger: logger)
        try await runtime.run {
            try await makeLambdaHandler(environment: environment, httpClient: serviceClient, app: app, logger: logger)
        }
    } catch {
        logger.critical("the Lambda runtime stopped", metadata: ["error": "\(error)"])
        status = 1
    }
    try? await serviceClient.shutdown()
    try? await runtimeClient.shutdown()
    exit(status)
}

/// The connection pool for AWS and the Bot API, for the process's life, set up as the Bot API needs
/// it: no redirects (following one would send a signed request or the token somewhere else), no
/// tracing spans (they would carry the token in the URL), as many connections as handlers.
private func makeServiceHTTPClient() -> HTTPClient {
    HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: TelegramClient.httpClientConfiguration())
}

private func makeLambdaHandler(
    environment: LambdaEnvironment, httpClient: HTTPClient, app: FerryApp, logger: Logger
) async throws -> LambdaRuntime.Handler {
    let role = try environment.role()
    let aws = try AWSClientConfiguration.fromEnvironment(environment.variables)
    let sqs = SQSClient(configuration: aws, httpClient: httpClient)
    let ssm = SSMClient(configuration: aws, httpClient: httpClient)
    let dynamoDB = DynamoDBClient(configuration: aws, httpClient: httpClient)

    switch role {
    case .webhook:
        let queue = SQSUpdateQueue(sqs: sqs, queueURL: try environment.required("QUEUE_URL"), deadLetterQueueURL: nil)
        let secret = try await environment.secret("TELEGRAM_WEBHOOK_SECRET", ssm: ssm)
        if secret == nil {
            logger.warning("no webhook secret is set: anyone who finds the function URL can post updates")
        }
        let retiring = try await environment.retiringWebhookSecret(ssm: ssm, logger: logger)
        let kinds = try environment.fastLaneKinds()
        guard !kinds.isEmpty else { return WebhookFunction(queue: queue, secretToken: secret, retiringSecret: retiring).runtimeHandler }
        let bot = try await makeLambdaBot(
            environment: environment, sessions: environment.sessions(dynamoDB: dynamoDB, logger: logger), ssm: ssm,
            httpClient: httpClient, app: app, logger: logger
        )
        let fastLane = WebhookFastLane(processor: UpdateProcessor(bot: bot, logger: logger), kinds: kinds)
        return WebhookFunction(queue: queue, secretToken: secret, retiringSecret: retiring, fastLane: fastLane).runtimeHandler
    case .consumer:
        let queueURL = try environment.required("QUEUE_URL")
        let deadLetterQueueURL = try environment.required("DEAD_LETTER_QUEUE_URL")
        let handledUpdates: (any HandledUpdates)? = try environment.idempotency()
            ? DynamoDBHandledUpdates(dynamoDB: dynamoDB, table: try environment.required("SESSIONS_TABLE")) : nil
        let sessions = environment.sessions(dynamoDB: dynamoDB, logger: logger)
        let bot = try await makeLambdaBot(
            environment: environment, sessions: sessions, ssm: ssm, httpClient: httpClient, app: app, logger: logger
        )
        let processor = UpdateProcessor(bot: bot, policy: .init(maximumAttempts: try environment.maximumAttempts()), logger: logger)
        // Receives that were not attempts are counted in the sessions table; without one, every receive counts.
        let uncountedReceives = environment.variables["SESSIONS_TABLE"].flatMap { $0.isEmpty ? nil : $0 }
            .map { DynamoDBUncountedReceives(dynamoDB: dynamoDB, table: $0) }
        let queue = SQSUpdateQueue(sqs: sqs, queueURL: queueURL, deadLetterQueueURL: deadLetterQueueURL, uncountedReceives: uncountedReceives)
        return ConsumerFunction(
            processor: processor, queue: queue, handledUpdates: handledUpdates,
            configuration: .init(concurrency: try environment.consumerConcurrency()), logger: logger
        ).runtimeHandler
    case .deadLetter:
        let table = try environment.required("DEAD_LETTER_TABLE")
        // The dead-letter role may not read the sessions table: an `onDeadLetter` hook sees in-memory sessions.
        let bot = try await makeLambdaBot(
            environment: environment, sessions: InMemorySessionStore(), ssm: ssm, httpClient: httpClient, app: app, logger: logger
        )
        return DeadLetterFunction(
            processor: UpdateProcessor(bot: bot, logger: logger), dynamoDB: dynamoDB, table: table,
            retention: try environment.deadLetterRetention(), logger: logger
        )
            .runtimeHandler
    }
}

/// The bot with the app's handlers, its sessions in `sessions`.
private func makeLambdaBot(
    environment: LambdaEnvironment, sessions: any SessionStore, ssm: SSMClient, httpClient: HTTPClient,
    app: FerryApp, logger: Logger
) async throws -> Bot {
    guard let token = try await environment.secret("TELEGRAM_BOT_TOKEN", ssm: ssm) else {
        throw CommandError(
            "neither TELEGRAM_BOT_TOKEN nor TELEGRAM_BOT_TOKEN_PARAMETER is set: `deploy` sets the parameter; deploy the stage again"
        )
    }
    let apiURL = environment.variables["TELEGRAM_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? TelegramClient.Configuration.telegramBaseURL
    let client = TelegramClient(token: token, configuration: .init(baseURL: apiURL), httpClient: httpClient, logger: logger)
    return app.makeBot(client: client, sessions: sessions, logger: logger)
}
