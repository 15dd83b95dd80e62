/// One environment variable a bot binary reads when it runs as a Lambda function, and who sets it.
///
/// The stack's template and the bot binary both name variables only through these values, and
/// ``FunctionRole/reads`` lists what each role reads, so a test can hold the template to it.
public struct EnvironmentVariable: Sendable, Hashable, CustomStringConvertible {
    /// Who puts the variable into a function's environment.
    public enum Source: Sendable, Hashable {
        /// The stack's template, on each function whose role reads it.
        case stack
        /// Lambda itself, on every function.
        case lambda
        /// Only a person: to run a bot binary outside a deployed stage (an emulator, a test) or to change
        /// its logging. The template never sets it.
        case byHand
    }

    public let name: String
    public let source: Source

    public init(_ name: String, source: Source) {
        self.name = name
        self.source = source
    }

    public var description: String { name }
}

extension EnvironmentVariable {
    /// The role's handler name, from the template's `Handler` setting.
    public static let handler = EnvironmentVariable("_HANDLER", source: .lambda)
    /// The level bot binaries log at (default `info`).
    public static let logLevel = EnvironmentVariable("LOG_LEVEL", source: .byHand)

    public static let queueURL = EnvironmentVariable("QUEUE_URL", source: .stack)
    public static let deadLetterQueueURL = EnvironmentVariable("DEAD_LETTER_QUEUE_URL", source: .stack)
    public static let sessionsTable = EnvironmentVariable("SESSIONS_TABLE", source: .stack)
    public static let deadLetterTable = EnvironmentVariable("DEAD_LETTER_TABLE", source: .stack)

    /// The bot token itself. `serve` and `poll` read it too; a stage's functions get ``botTokenParameter`` instead.
    public static let botToken = EnvironmentVariable("TELEGRAM_BOT_TOKEN", source: .byHand)
    /// The name of the SSM parameter holding the bot token, not the token: a value in the environment is
    /// visible to anyone who may read the function's configuration.
    public static let botTokenParameter = EnvironmentVariable("TELEGRAM_BOT_TOKEN_PARAMETER", source: .stack)
    /// The webhook's secret token itself; a stage's webhook gets ``webhookSecretParameter`` instead.
    public static let webhookSecret = EnvironmentVariable("TELEGRAM_WEBHOOK_SECRET", source: .byHand)
    /// The name of the SSM parameter holding the webhook's secret token.
    public static let webhookSecretParameter = EnvironmentVariable("TELEGRAM_WEBHOOK_SECRET_PARAMETER", source: .stack)
    /// The parameter holding the secret a rotation replaced, accepted until it expires.
    public static let retiringWebhookSecretParameter = EnvironmentVariable(
        "TELEGRAM_WEBHOOK_RETIRING_SECRET_PARAMETER", source: .stack
    )
    /// Where the Bot API is (default: Telegram's): a local simulator or emulator.
    public static let telegramAPIURL = EnvironmentVariable("TELEGRAM_API_URL", source: .byHand)

    /// Failed attempts before the consumer dead-letters an update; the queue's `maxReceiveCount` is a multiple of it.
    public static let maxAttempts = EnvironmentVariable("FERRY_MAX_ATTEMPTS", source: .stack)
    /// Chats of a batch the consumer handles at once.
    public static let consumerConcurrency = EnvironmentVariable("FERRY_CONSUMER_CONCURRENCY", source: .stack)
    /// The update kinds the webhook handles itself, comma-separated, or `on` for `pre_checkout_query`.
    public static let fastLane = EnvironmentVariable("FERRY_FAST_LANE", source: .stack)
    /// `on` when the consumer keeps idempotency records in the sessions table.
    public static let idempotency = EnvironmentVariable("FERRY_IDEMPOTENCY", source: .stack)
    /// Seconds a parked dead letter is kept.
    public static let deadLetterRetention = EnvironmentVariable("FERRY_DEAD_LETTER_RETENTION_SECONDS", source: .stack)
    /// The versions of the secret parameters. No role reads it: the functions read their secrets once, at
    /// start-up, and a new token or secret changes this value, so Lambda replaces every warm instance.
    public static let secretsVersion = EnvironmentVariable("FERRY_SECRETS_VERSION", source: .stack)

    /// What the template sets on every function although no role reads it (see ``secretsVersion``).
    public static let unreadOnEveryFunction: Set<EnvironmentVariable> = [.secretsVersion]
}

extension FunctionRole {
    /// Every variable the bot binary reads in this role. The bot binary reads no other (it checks),
    /// except the variables every AWS program reads, which Lambda sets: the region, the credentials and
    /// `AWS_LAMBDA_RUNTIME_API`.
    ///
    /// | variable | webhook | consumer | dead-letter |
    /// | --- | --- | --- | --- |
    /// | `_HANDLER`, `LOG_LEVEL` | yes | yes | yes |
    /// | `QUEUE_URL` | yes | yes | |
    /// | `DEAD_LETTER_QUEUE_URL` | | yes | |
    /// | `TELEGRAM_WEBHOOK_SECRET`, its `_PARAMETER`, `TELEGRAM_WEBHOOK_RETIRING_SECRET_PARAMETER` | yes | | |
    /// | `FERRY_FAST_LANE` | yes | | |
    /// | `TELEGRAM_BOT_TOKEN`, its `_PARAMETER`, `TELEGRAM_API_URL` | with a fast lane | yes | yes |
    /// | `SESSIONS_TABLE` | with a fast lane | yes | |
    /// | `FERRY_MAX_ATTEMPTS`, `FERRY_CONSUMER_CONCURRENCY`, `FERRY_IDEMPOTENCY` | | yes | |
    /// | `DEAD_LETTER_TABLE`, `FERRY_DEAD_LETTER_RETENTION_SECONDS` | | | yes |
    ///
    /// The dead-letter role reads no sessions table: its role may not, so an `onDeadLetter` hook sees
    /// sessions in memory.
    public var reads: Set<EnvironmentVariable> {
        let everyRole: Set<EnvironmentVariable> = [.handler, .logLevel]
        let runsTheBot: Set<EnvironmentVariable> = [.botToken, .botTokenParameter, .telegramAPIURL]
        switch self {
        case .webhook:
            let checksCallers: Set<EnvironmentVariable> = [.webhookSecret, .webhookSecretParameter, .retiringWebhookSecretParameter]
            // With a fast lane the webhook runs the bot for some updates, with the consumer's sessions.
            let fastLane: Set<EnvironmentVariable> = runsTheBot.union([.fastLane, .sessionsTable])
            return everyRole.union([.queueURL]).union(checksCallers).union(fastLane)
        case .consumer:
            let settings: Set<EnvironmentVariable> = [.maxAttempts, .consumerConcurrency, .idempotency]
            return everyRole.union(runsTheBot).union([.queueURL, .deadLetterQueueURL, .sessionsTable]).union(settings)
        case .deadLetter:
            return everyRole.union(runsTheBot).union([.deadLetterTable, .deadLetterRetention])
        }
    }
}
