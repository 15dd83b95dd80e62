/// A preset of the settings that make a stage cost money while no update arrives (docs/operations.md lists
/// them with figures).
public enum CostProfile: String, Sendable, Hashable, CaseIterable {
    /// Everything on: point-in-time recovery, a month of logs, the dashboard. For stages people rely on.
    case standard
    /// For development stages: no point-in-time recovery, three days of logs, no dashboard (`status` and `logs`
    /// show the same from the command line). The alarms stay: they are what tells you a change broke the bot.
    case dev

    /// Sets the profile's settings on `stack`; everything else is left as it is.
    public func apply(to stack: inout BotStack) {
        switch self {
        case .standard:
            stack.pointInTimeRecovery = true
            stack.logRetention = .oneMonth
            stack.dashboard = true
        case .dev:
            stack.pointInTimeRecovery = false
            stack.logRetention = .threeDays
            stack.dashboard = false
        }
    }
}

extension AlarmThresholds {
    /// Checks the thresholds against what CloudWatch and the stack allow.
    func validate(webhookTimeout: Duration) throws(BotStackError) {
        let (seconds, attoseconds) = oldestUpdateAge.components
        // SQS keeps a message at most 14 days, so an older update cannot be waiting.
        guard attoseconds == 0, (60...1_209_600).contains(seconds) else {
            throw .invalid("the oldest-update alarm's age is \(oldestUpdateAge); it must be whole seconds between 60 seconds and 14 days")
        }
        guard (10...100).contains(webhookDurationPercent) else {
            throw .invalid("the webhook duration alarm's threshold is \(webhookDurationPercent)% of the timeout; it must be between 10 and 100")
        }
        guard consumerThrottles >= 0 else {
            throw .invalid("the consumer throttles alarm's threshold is \(consumerThrottles); it must be 0 or more")
        }
    }
}

extension BotStack {
    /// The names of the stage's alarms, sorted: what `status` asks CloudWatch about.
    public var alarmNames: [String] { alarms.values.map(\.name).sorted() }
}
