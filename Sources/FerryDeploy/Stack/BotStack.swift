public import FerryStageContract

/// One bot's serverless stack on AWS, for one stage: the webhook, the FIFO queue grouped per chat, the
/// consumer, the dead-letter queue and its handler, their tables, secrets, logs and alarms.
///
/// ```swift
/// var stack = BotStack(bot: "echo", stage: "prod")
/// stack.maximumConcurrency = 50
/// stack.alarmEmail = "oncall@example.com"
/// let json = try stack.template().renderedJSON()
/// ```
///
/// Every physical name is derived from the bot and the stage (see ``names``), so several bots and stages
/// share an account and a region without colliding.
public struct BotStack: Sendable, Hashable {
    /// The bot's name: lowercase letters, digits and hyphens, starting with a letter, at most 24 characters.
    public var bot: String
    /// The stage (`dev`, `prod`, `pr42`): lowercase letters and digits, starting with a letter, at most 16
    /// characters. No hyphens, so `ferry-<bot>-<stage>` always splits one way: bot `a-b` stage `c` and bot `a`
    /// stage `b-c` would otherwise share every name.
    public var stage: String

    // The scaling settings (`template`/`deploy` flags in parentheses). Their defaults suit a new AWS account,
    // whose concurrency quota may be as low as 10 in all; docs/scaling.md says what to set as traffic grows.

    /// Memory of each function, in MB (128 to 10240; `--memory`); CPU grows with it (a full vCPU at 1769 MB).
    /// The default, 256, is plenty for the webhook and a consumer that mostly waits on the Bot API.
    public var memory: Int = 256
    /// How long the consumer and the dead-letter function may run per batch (1 to 900 seconds, whole seconds;
    /// `--timeout`). The queues' visibility timeout is six times this, as AWS recommends for SQS event sources,
    /// so a batch still being retried inside the function is not delivered a second time.
    public var timeout: Duration = .seconds(30)
    /// How long the webhook function may run. It only validates and enqueues, and Telegram waits for its answer.
    public var webhookTimeout: Duration = .seconds(10)
    /// Updates per consumer invocation (1 to 10, the most an SQS FIFO event source allows; `--batch-size`).
    public var batchSize: Int = 10
    /// The chats (message groups) of one batch the consumer handles at once (1 to 10; `--consumer-concurrency`;
    /// `FERRY_CONSUMER_CONCURRENCY`). Each chat's records still run one after another. The default, 10, runs
    /// every chat of a full batch at once: a consumer mostly waits on the Bot API, so parallel chats cost
    /// little CPU and cut the billed duration of a batch spread over many chats.
    public var consumerConcurrency: Int = 10
    /// The most consumer instances the queue's event source runs at once (2 to 1000, AWS's range for
    /// `MaximumConcurrency`; `--max-concurrency`). Per-chat order holds regardless: SQS FIFO hands out at most
    /// one batch per message group at a time. The default, 5, with the dead-letter function's 2, leaves 3 of a
    /// new account's 10 for the webhook, which must keep answering Telegram while the consumer is busy.
    public var maximumConcurrency: Int = 5
    /// The processor architecture of the functions (`--architecture`); the code package must be built for it,
    /// which `deploy` checks. The default is the build machine's, since `deploy` builds there.
    public var architecture: LambdaArchitecture = .buildMachine
    /// The most HTTPS connections Telegram opens to the webhook at once: `setWebhook`'s `max_connections`,
    /// which `deploy` passes (1 to 100; `--max-connections`). Not part of the template. The default is
    /// Telegram's maximum, 100, not its default of 40: each connection carries one update at a time, and the
    /// webhook function answers in milliseconds, so connections cost nothing while they bound ingress.
    public var webhookMaxConnections: Int = 100
    /// Failed handling attempts before an update is dead-lettered (1 to 1000; `--max-attempts`). The consumer moves an update to
    /// the dead-letter queue itself after this many failures; the queue's redrive policy, set to three times the
    /// count (at most SQS's 1000), is the safety net for attempts the consumer could not report (a crash or a
    /// timeout).
    public var attempts: Int = 3
    /// How long the functions' logs are kept.
    public var logRetention: LogRetention = .oneMonth
    /// Where alarm notifications are mailed; `nil` keeps the alarms without notifications. The address must
    /// confirm the subscription mail SNS sends before notifications arrive.
    public var alarmEmail: String?
    /// When the alarms that have a tunable threshold fire.
    public var alarmThresholds = AlarmThresholds()
    /// Whether the stage gets a CloudWatch dashboard. Three are free per account; each further one costs a
    /// monthly fee (see docs/operations.md).
    public var dashboard = true
    /// Whether the tables keep continuous backups to restore any second of the last 35 days, charged by the
    /// tables' size.
    public var pointInTimeRecovery = true
    /// The KMS key the deploy step encrypts the bot token and webhook secret with.
    public var parameterEncryption: ParameterEncryption = .awsManagedKey
    /// Whether removing the stack keeps the sessions and dead-letter tables. Off by default: the tables have
    /// fixed names, so a retained table blocks deploying the same bot and stage again until it is deleted by hand.
    public var retainsTablesOnRemoval = false
    /// Update kinds (`pre_checkout_query`) the webhook function handles itself instead of queueing, because
    /// Telegram wants their answer within seconds; empty (the default) queues everything. The webhook then also
    /// reads the bot token and uses the sessions table.
    public var fastLaneUpdates: [String] = []
    /// Whether the consumer records each handled `update_id` for 24 hours (in the sessions table) and skips
    /// redeliveries SQS's five-minute deduplication no longer catches. Off by default: a read and a write per update.
    public var idempotencyRecords = false

    // MARK: Retention: how long user data is kept (docs/deploy-safety.md lists what sits where)

    /// How long the update queue and the dead-letter queue keep a message: 60 seconds to 14 days (the default,
    /// SQS's most), so an update waiting behind a failing one of its chat is not dropped unseen.
    public var queueRetention: Duration = .seconds(14 * 24 * 3600)
    /// How long a parked dead letter (a whole update) stays in the dead-letter table before DynamoDB deletes it:
    /// 1 to 365 days, 30 by default.
    public var deadLetterRetention: Duration = .seconds(30 * 24 * 3600)
    /// How far back point-in-time recovery can restore the two tables (and so how long a deleted item can still be
    /// restored): 1 to 35 days, 35 by default.
    public var backupRetentionDays = 35

    public init(bot: String, stage: String) {
        self.bot = bot
        self.stage = stage
    }

    /// What a template is rendered for.
    public enum Target: Sendable, Hashable {
        /// The real AWS: everything.
        case aws
        /// A local AWS emulator (moto) that cannot create function URLs or CloudWatch alarms: the template leaves
        /// out the function URL, its two permissions, the `WebhookUrl` output, the alarms and the alarm topic.
        /// Everything else is identical, so the emulator checks the rest of the stack; the left-out parts are
        /// covered by linting the ``aws`` template.
        case localEmulator
    }

    /// The three functions, one code package: the handler name selects the role.
    public typealias Function = FunctionRole
}

extension FunctionRole {
    /// The prefix of this function's resources' logical IDs.
    var logicalName: String {
        switch self {
        case .webhook: "Webhook"
        case .consumer: "Consumer"
        case .deadLetter: "DeadLetter"
        }
    }
}
