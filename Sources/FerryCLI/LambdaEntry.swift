import AsyncHTTPClient
import Ferry
import AWSClients
import FerryAWS
import FerryStageContract
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

/// What a bot binary reads from its Lambda environment: the variables ``FunctionRole/reads`` lists for its
/// role, which the handler setting (`_HANDLER`) names. Secrets are read once, at cold start.
struct LambdaEnvironment {
    let role: FunctionRole
    /// The whole environment, for the variables every AWS program reads (region, credentials).
    let variables: [String: String]

    init(_ variables: [String: String]) throws {
        self.variables = variables
        guard let handler = variables[EnvironmentVariable.handler.name], !handler.isEmpty else {
            throw CommandError("\(EnvironmentVariable.handler) is not set")
        }
        guard let role = FunctionRole(handler: handler) else {
            let roles = FunctionRole.allCases.map(\.handler).joined(separator: ", ")
            throw CommandError("\(EnvironmentVariable.handler) is \"\(handler)\"; a Ferry bot's Lambda handler is one of: \(roles)")
        }
        self.role = role
    }

    /// The variable's value; `nil` when it is unset or empty.
    func value(_ variable: EnvironmentVariable) -> String? {
        // Only what the contract lists for the role: the stack's template is tested against that list, so a
        // variable read here but missing from it would be one no deployed function is given.
        precondition(role.reads.contains(variable), "the \(role.handler) role reads \(variable), which FunctionRole.reads does not list")
        return variables[variable.name].flatMap { $0.isEmpty ? nil : $0 }
    }

    func required(_ variable: EnvironmentVariable) throws -> String {
        guard let value = value(variable) else { throw CommandError("\(variable) is not set") }
        return value
    }

    /// Deliveries before the consumer dead-letters an update.
    func maximumAttempts() throws -> Int {
        guard let text = value(.maxAttempts) else { return UpdateProcessor.Policy().maximumAttempts }
        guard let attempts = Int(text), attempts > 0 else {
            throw CommandError("\(EnvironmentVariable.maxAttempts) is \"\(text)\", not a positive number; set it to one, such as 3")
        }
        return attempts
    }

    /// Chats of a batch the consumer handles at once.
    func consumerConcurrency() throws -> Int {
        guard let text = value(.consumerConcurrency) else { return ConsumerFunction.Configuration.defaultConcurrency }
        guard let concurrency = Int(text), (1...SQSClient.maxBatchSize).contains(concurrency) else {
            throw CommandError(
                "\(EnvironmentVariable.consumerConcurrency) is \"\(text)\"; use a number from 1 to \(SQSClient.maxBatchSize) (a batch holds at most \(SQSClient.maxBatchSize) records)"
            )
        }
        return concurrency
    }

    /// How long a parked dead letter is kept; 30 days when unset.
    func deadLetterRetention() throws -> Duration {
        guard let text = value(.deadLetterRetention) else { return .seconds(30 * 24 * 3600) }
        guard let seconds = Int(text), seconds > 0 else {
            throw CommandError("\(EnvironmentVariable.deadLetterRetention) is \"\(text)\", not a whole number of seconds above 0")
        }
        return .seconds(seconds)
    }

    /// The update kinds the webhook handles itself: `on` (= `pre_checkout_query`) or kinds, comma-separated;
    /// empty when off (the default).
    func fastLaneKinds() throws -> Set<UpdateKind> {
        let text = value(.fastLane)?.lowercased() ?? ""
        switch text {
        case "", "off", "false", "0": return []
        case "on", "true", "1": return [.preCheckoutQuery]
        default:
            let kinds = text.split(separator: ",").map { UpdateKind(rawValue: String($0.filter { !$0.isWhitespace })) }
            if let unknown = kinds.first(where: { if case .unknown = $0 { true } else { false } }) {
                throw CommandError(
                    "\(EnvironmentVariable.fastLane) names \"\(unknown.rawValue)\", which is not an update kind (such as pre_checkout_query)"
                )
            }
            return Set(kinds)
        }
    }

    /// Whether the consumer keeps idempotency records: `on` records each handled `update_id` for 24 h in the
    /// sessions table; default `off`.
    func idempotency() throws -> Bool {
        switch value(.idempotency)?.lowercased() ?? "" {
        case "", "off", "false", "0": return false
        case "on", "true", "1":
            guard value(.sessionsTable) != nil else {
                throw CommandError(
                    "\(EnvironmentVariable.idempotency) is on, but \(EnvironmentVariable.sessionsTable) (where the records are kept) is not set"
                )
            }
            return true
        case let other: throw CommandError("\(EnvironmentVariable.idempotency) is \"\(other)\"; use on or off")
        }
    }

    /// Sessions in the sessions table when one is set, else in memory (they then last as long as the warm
    /// execution environment).
    func sessions(dynamoDB: DynamoDBClient, logger: Logger) -> any SessionStore {
        guard let table = value(.sessionsTable) else {
            logger.notice("\(EnvironmentVariable.sessionsTable) is not set: sessions live in memory, per execution environment")
            return InMemorySessionStore()
        }
        return DynamoDBSessionStore(dynamoDB: dynamoDB, table: table)
    }

    /// The secret a rotation replaced: `nil` when there is none (no rotation yet). Read with the other secrets
    /// at start-up; a rotation restarts the function.
    func retiringWebhookSecret(ssm: SSMClient, logger: Logger) async throws -> WebhookIngress.RetiringSecret? {
        guard let parameter = value(.retiringWebhookSecretParameter) else { return nil }
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
            throw CommandError("could not read the SSM parameter \(parameter) (\(EnvironmentVariable.retiringWebhookSecretParameter)): \(error)")
        }
    }

    /// A secret from `variable`, or else from the SSM parameter `parameter` names; `nil` when neither is set.
    /// The error names the parameter, never its value.
    func secret(_ variable: EnvironmentVariable, orParameter parameter: EnvironmentVariable, ssm: SSMClient) async throws -> String? {
        if let value = value(variable) { return value }
        guard let name = value(parameter) else { return nil }
        do {
            return try await ssm.parameter(named: name, withDecryption: true).value
        } catch {
            throw CommandError("could not read the SSM parameter \(name) (\(parameter)): \(error)")
        }
    }
}

/// Serves the role named by `_HANDLER` on the Lambda Runtime API until the process ends. Set-up
/// failures (a missing variable, an unreadable secret) are reported to Lambda as an init error.
func runLambda(app: FerryApp) async -> Never {
    let logger = bootstrapLogging()
    let variables = ProcessEnvironment.all
    // Both are shut down before exiting: an HTTPClient released while running is a fatal error.
    let runtimeClient = LambdaRuntime.makeHTTPClient()
    let serviceClient = makeServiceHTTPClient()
    var status: Int32 = 0
    do {
        let runtime = try LambdaRuntime.fromEnvironment(variables, httpClient: runtimeClient, logger: logger)
        try await runtime.run {
            try await makeLambdaHandler(environment: try LambdaEnvironment(variables), httpClient: serviceClient, app: app, logger: logger)
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
    let aws = try AWSClientConfiguration.fromEnvironment(environment.variables)
    let sqs = SQSClient(configuration: aws, httpClient: httpClient)
    let ssm = SSMClient(configuration: aws, httpClient: httpClient)
    let dynamoDB = DynamoDBClient(configuration: aws, httpClient: httpClient)

    switch environment.role {
    case .webhook:
        let queue = SQSUpdateQueue(sqs: sqs, queueURL: try environment.required(.queueURL), deadLetterQueueURL: nil)
        let secret = try await environment.secret(.webhookSecret, orParameter: .webhookSecretParameter, ssm: ssm)
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
        let queueURL = try environment.required(.queueURL)
        let deadLetterQueueURL = try environment.required(.deadLetterQueueURL)
        let handledUpdates: (any HandledUpdates)? = try environment.idempotency()
            ? DynamoDBHandledUpdates(dynamoDB: dynamoDB, table: try environment.required(.sessionsTable)) : nil
        let sessions = environment.sessions(dynamoDB: dynamoDB, logger: logger)
        let bot = try await makeLambdaBot(
            environment: environment, sessions: sessions, ssm: ssm, httpClient: httpClient, app: app, logger: logger
        )
        let processor = UpdateProcessor(bot: bot, policy: .init(maximumAttempts: try environment.maximumAttempts()), logger: logger)
        // Receives that were not attempts are counted in the sessions table; without one, every receive counts.
        let uncountedReceives = environment.value(.sessionsTable).map { DynamoDBUncountedReceives(dynamoDB: dynamoDB, table: $0) }
        let queue = SQSUpdateQueue(sqs: sqs, queueURL: queueURL, deadLetterQueueURL: deadLetterQueueURL, uncountedReceives: uncountedReceives)
        return ConsumerFunction(
            processor: processor, queue: queue, handledUpdates: handledUpdates,
            configuration: .init(concurrency: try environment.consumerConcurrency()), logger: logger
        ).runtimeHandler
    case .deadLetter:
        let table = try environment.required(.deadLetterTable)
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
    guard let token = try await environment.secret(.botToken, orParameter: .botTokenParameter, ssm: ssm) else {
        throw CommandError(
            "neither \(EnvironmentVariable.botToken) nor \(EnvironmentVariable.botTokenParameter) is set: `deploy` sets the parameter; deploy the stage again"
        )
    }
    let apiURL = environment.value(.telegramAPIURL) ?? TelegramClient.Configuration.telegramBaseURL
    let client = TelegramClient(token: token, configuration: .init(baseURL: apiURL), httpClient: httpClient, logger: logger)
    return app.makeBot(client: client, sessions: sessions, logger: logger)
}
