public import FerryStageContract

extension BotStack {
    /// The physical names of the stack's resources, all derived from the bot and the stage.
    public var names: Names { Names(bot: bot, stage: stage) }

    /// Physical names: each starts with `ferry-<bot>-<stage>` (or contains `/ferry/<bot>/<stage>/`), so two bots
    /// or two stages never share one. IAM roles are the exception that proves the rule: CloudFormation names
    /// them after the stack (itself `ferry-<bot>-<stage>`) plus a random suffix, because role names are global
    /// to the account and a fixed name would collide when the same bot and stage are deployed to two regions.
    public struct Names: Sendable, Hashable {
        public let bot: String
        public let stage: String

        /// `ferry-<bot>-<stage>`: the stack's name and the prefix of every resource name.
        public var stack: String { "ferry-\(bot)-\(stage)" }

        public func function(_ function: Function) -> String { "\(stack)-\(function.handler)" }

        /// The log group Lambda writes the function's logs to (its default name, created by the stack so its
        /// retention is set and removing the stack removes it).
        public func logGroup(_ function: Function) -> String { "/aws/lambda/\(self.function(function))" }

        public var queue: String { "\(stack)-updates.fifo" }
        public var deadLetterQueue: String { "\(stack)-dead-letters.fifo" }
        public var sessionsTable: String { "\(stack)-sessions" }
        public var deadLetterTable: String { "\(stack)-dead-letters" }

        /// The SSM parameter holding the bot token (a SecureString the deploy step writes).
        public var botTokenParameter: String { "/ferry/\(bot)/\(stage)/telegram-bot-token" }
        /// The SSM parameter holding the webhook's secret token (a SecureString the deploy step writes).
        public var webhookSecretParameter: String { "/ferry/\(bot)/\(stage)/telegram-webhook-secret" }
        /// The SSM parameter holding the secret a rotation replaced, and until when the webhook still accepts it
        /// (`<secret> <unix seconds>`): see ``Deployer/retiringSecretWindow``.
        public var retiringWebhookSecretParameter: String { "/ferry/\(bot)/\(stage)/telegram-webhook-secret-retiring" }

        public var alarmTopic: String { "\(stack)-alarms" }
        public var deadLetterAlarm: String { "\(stack)-dead-letters-handled" }
        public func errorsAlarm(_ function: Function) -> String { "\(stack)-\(function.handler)-errors" }
    }
}

extension BotStack {
    /// Checks every setting against what AWS accepts, so a bad value fails here with a clear message rather than
    /// halfway through a deployment.
    public func validate() throws(BotStackError) {
        try Self.check(name: bot, what: "bot", maxLength: 24, allowsHyphens: true)
        try Self.check(name: stage, what: "stage", maxLength: 16, allowsHyphens: false)
        try Self.check(memory, in: 128...10240, what: "memory (MB)")
        try Self.check(seconds: timeout, in: 1...900, what: "timeout")
        try Self.check(seconds: webhookTimeout, in: 1...900, what: "webhook timeout")
        try Self.check(batchSize, in: 1...10, what: "batch size")
        try Self.check(consumerConcurrency, in: 1...10, what: "consumer concurrency")
        try Self.check(maximumConcurrency, in: 2...1000, what: "maximum concurrency")
        try Self.check(attempts, in: 1...1000, what: "attempts")
        try Self.check(webhookMaxConnections, in: Self.webhookMaxConnectionsRange, what: "webhook max connections")
        try Self.check(seconds: queueRetention, in: 60...1_209_600, what: "queue retention")
        try Self.check(seconds: deadLetterRetention, in: 86_400...31_536_000, what: "dead-letter retention")
        try Self.check(backupRetentionDays, in: 1...35, what: "backup retention (days)")
        for kind in fastLaneUpdates {
            let isKindName = !kind.isEmpty && kind.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || $0 == "_" }
            guard isKindName else { throw .invalid("fast-lane update kind \"\(kind)\" is not an update kind such as pre_checkout_query") }
        }
        if let alarmEmail {
            let parts = alarmEmail.split(separator: "@", omittingEmptySubsequences: false)
            let plausible = parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
                && alarmEmail.count <= 254 && !alarmEmail.contains(where: \.isWhitespace)
            guard plausible else { throw .invalid("alarm email \"\(alarmEmail)\" is not an email address") }
        }
        try alarmThresholds.validate(webhookTimeout: webhookTimeout)
        if case .customerManagedKey(let arn) = parameterEncryption {
            guard arn.hasPrefix("arn:"), arn.contains(":kms:"), arn.contains(":key/") else {
                throw .invalid("parameter encryption key \"\(arn)\" is not a KMS key ARN (arn:...:kms:...:key/...)")
            }
        }
    }

    /// What Telegram accepts as `setWebhook`'s `max_connections`.
    public static let webhookMaxConnectionsRange = 1...100

    private static func check(name: String, what: String, maxLength: Int, allowsHyphens: Bool) throws(BotStackError) {
        let allowed = allowsHyphens ? "lowercase letters, digits and hyphens" : "lowercase letters and digits"
        let rule = "\(what) \"\(name)\" must be 1 to \(maxLength) \(allowed), starting with a letter"
        guard let first = name.first, first.isASCII, first.isLowercase, name.count <= maxLength else {
            throw .invalid(rule)
        }
        for character in name.unicodeScalars {
            let isLetterOrDigit = ("a"..."z").contains(character) || ("0"..."9").contains(character)
            guard isLetterOrDigit || (allowsHyphens && character == "-") else { throw .invalid(rule) }
        }
        if allowsHyphens && (name.hasSuffix("-") || name.contains("--")) {
            throw .invalid("\(what) \"\(name)\" must not end with a hyphen or contain two in a row")
        }
    }

    private static func check(_ value: Int, in range: ClosedRange<Int>, what: String) throws(BotStackError) {
        guard range.contains(value) else {
            throw .invalid("\(what) is \(value); it must be between \(range.lowerBound) and \(range.upperBound)")
        }
    }

    private static func check(seconds duration: Duration, in range: ClosedRange<Int>, what: String) throws(BotStackError) {
        let (seconds, attoseconds) = duration.components
        guard attoseconds == 0, range.contains(Int(clamping: seconds)) else {
            throw .invalid("\(what) is \(duration); it must be whole seconds between \(range.lowerBound) and \(range.upperBound)")
        }
    }

    /// A whole-second duration as the integer CloudFormation wants; ``validate()`` has checked it is whole.
    static func wholeSeconds(_ duration: Duration) -> Int {
        Int(clamping: duration.components.seconds)
    }
}

/// A stack setting AWS would refuse.
public enum BotStackError: Error, Hashable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): reason
        }
    }
}
