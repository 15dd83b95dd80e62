public import Ferry
public import Logging
public import TelegramBotAPI
import AWSClients
import AsyncHTTPClient
import FerryRuntime
import FerryStageContract
import TelegramClient

/// What a bot binary reads from its Lambda environment: the variables ``FunctionRole/reads`` lists for its
/// role, which the handler setting (`_HANDLER`) names, through the same ``EnvironmentReader`` as `serve`.
/// Secrets are read once, at cold start.
struct LambdaEnvironment {
    let role: FunctionRole
    let reader: EnvironmentReader
    /// The whole environment, for the variables every AWS program reads (region, credentials).
    var variables: [String: String] { reader.variables }

    init(_ reader: EnvironmentReader) throws {
        self.reader = reader
        let handler = try reader.required(.handler)
        guard let role = FunctionRole(handler: handler) else {
            let roles = FunctionRole.allCases.map(\.handler).joined(separator: ", ")
            throw SettingError("\(EnvironmentVariable.handler) is \"\(handler)\"; a Ferry bot's Lambda handler is one of: \(roles)")
        }
        self.role = role
    }

    /// The variable's value; `nil` when it is unset or empty.
    func value(_ variable: EnvironmentVariable) -> String? {
        checkListed(variable)
        return reader.value(variable)
    }

    func required(_ variable: EnvironmentVariable) throws -> String {
        checkListed(variable)
        return try reader.required(variable)
    }

    /// Only what the contract lists for the role: the stack's template is tested against that list, so a
    /// variable read here but missing from it would be one no deployed function is given.
    private func checkListed(_ variable: EnvironmentVariable) {
        precondition(role.reads.contains(variable), "the \(role.handler) role reads \(variable), which FunctionRole.reads does not list")
    }

    /// Deliveries before the consumer dead-letters an update.
    func maximumAttempts() throws -> Int {
        checkListed(.maxAttempts)
        return try reader.integer(
            .maxAttempts, in: 1...Int.max, default: UpdateProcessor.Policy().maximumAttempts, what: "attempts before an update is dead-lettered"
        )
    }

    /// Chats of a batch the consumer handles at once.
    func consumerConcurrency() throws -> Int {
        checkListed(.consumerConcurrency)
        return try reader.integer(
            .consumerConcurrency, in: 1...SQSClient.maxBatchSize, default: ConsumerFunction.Configuration.defaultConcurrency,
            what: "chats at once; a batch holds at most \(SQSClient.maxBatchSize) records"
        )
    }

    /// How long a parked dead letter is kept; 30 days when unset.
    func deadLetterRetention() throws -> Duration {
        checkListed(.deadLetterRetention)
        return .seconds(try reader.integer(.deadLetterRetention, in: 1...Int.max, default: 30 * 24 * 3600, what: "seconds"))
    }

    /// The update kinds the webhook handles itself: `on` (= `pre_checkout_query`) or kinds, comma-separated;
    /// empty when off (the default).
    func fastLaneKinds() throws -> Set<UpdateKind> {
        guard let text = value(.fastLane)?.lowercased() else { return [] }
        if let on = EnvironmentReader.onOff(text) { return on ? [.preCheckoutQuery] : [] }
        let kinds = text.split(separator: ",").map { UpdateKind(rawValue: String($0.filter { !$0.isWhitespace })) }
        if let unknown = kinds.first(where: { if case .unknown = $0 { true } else { false } }) {
            throw SettingError(
                "\(EnvironmentVariable.fastLane) names \"\(unknown.rawValue)\", which is not an update kind (such as pre_checkout_query)"
            )
        }
        return Set(kinds)
    }

    /// Whether the consumer keeps idempotency records: `on` records each handled `update_id` for 24 h in the
    /// sessions table; default `off`.
    func idempotency() throws -> Bool {
        checkListed(.idempotency)
        guard try reader.isOn(.idempotency, default: false) else { return false }
        guard value(.sessionsTable) != nil else {
            throw SettingError(
                "\(EnvironmentVariable.idempotency) is on, but \(EnvironmentVariable.sessionsTable) (where the records are kept) is not set"
            )
        }
        return true
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
            throw SettingError("could not read the SSM parameter \(parameter) (\(EnvironmentVariable.retiringWebhookSecretParameter)): \(error)")
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
            throw SettingError("could not read the SSM parameter \(name) (\(parameter)): \(error)")
        }
    }
}

/// A bot binary's life on AWS Lambda.
public enum LambdaBootstrap {
    /// Builds the bot for a role: the app's handlers, answering through the client given, with the sessions given.
    public typealias MakeBot = @Sendable (_ client: any BotAPI, _ sessions: any SessionStore, _ logger: Logger) -> Bot

    /// Serves the role named by `_HANDLER` on the Lambda Runtime API until the runtime stops; returns the
    /// process's exit status. Set-up failures (a missing variable, an unreadable secret) are reported to
    /// Lambda as an init error.
    public static func run(makeBot: @escaping MakeBot, logger: Logger) async -> Int32 {
        let reader = EnvironmentReader()
        // Both are shut down before returning: an HTTPClient released while running is a fatal error.
        let runtimeClient = LambdaRuntime.makeHTTPClient()
        let serviceClient = makeServiceHTTPClient()
        var status: Int32 = 0
        do {
            let runtime = try LambdaRuntime.fromEnvironment(reader.variables, httpClient: runtimeClient, logger: logger)
            try await runtime.run {
                try await makeLambdaHandler(environment: try LambdaEnvironment(reader), httpClient: serviceClient, makeBot: makeBot, logger: logger)
            }
        } catch {
            logger.critical("the Lambda runtime stopped", metadata: ["error": "\(error)"])
            status = 1
        }
        try? await serviceClient.shutdown()
        try? await runtimeClient.shutdown()
        return status
    }
}

/// The connection pool for AWS and the Bot API, for the process's life, set up as the Bot API needs
/// it: no redirects (following one would send a signed request or the token somewhere else), no
/// tracing spans (they would carry the token in the URL), as many connections as handlers.
private func makeServiceHTTPClient() -> HTTPClient {
    HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: TelegramClient.httpClientConfiguration())
}

private func makeLambdaHandler(
    environment: LambdaEnvironment, httpClient: HTTPClient, makeBot: @escaping LambdaBootstrap.MakeBot, logger: Logger
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
            httpClient: httpClient, makeBot: makeBot, logger: logger
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
            environment: environment, sessions: sessions, ssm: ssm, httpClient: httpClient, makeBot: makeBot, logger: logger
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
            environment: environment, sessions: InMemorySessionStore(), ssm: ssm, httpClient: httpClient, makeBot: makeBot, logger: logger
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
    makeBot: LambdaBootstrap.MakeBot, logger: Logger
) async throws -> Bot {
    guard let token = try await environment.secret(.botToken, orParameter: .botTokenParameter, ssm: ssm) else {
        throw SettingError(
            "neither \(EnvironmentVariable.botToken) nor \(EnvironmentVariable.botTokenParameter) is set: `deploy` sets the parameter; deploy the stage again"
        )
    }
    let apiURL = environment.value(.telegramAPIURL) ?? TelegramClient.Configuration.telegramBaseURL
    let client = TelegramClient(token: token, configuration: .init(baseURL: apiURL), httpClient: httpClient, logger: logger)
    return makeBot(client, sessions, logger)
}
