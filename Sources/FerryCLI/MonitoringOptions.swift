import ArgumentParser
import FerryDeploy

/// The options of `template` and `deploy` that decide who hears about a stage's trouble and what it costs
/// at rest: the alarm address, the tunable alarm thresholds and the cost profile (docs/operations.md).
struct MonitoringOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Mail the stage's alarms (dead letters, errors, a stuck queue, throttles, a slow webhook) to this address.",
        discussion: "AWS mails the address a confirmation link once; nothing arrives until it is followed. Give it on every deploy: a deploy without it removes the subscription.",
        valueName: "address"
    ))
    var alarmEmail: String?

    @Option(help: ArgumentHelp(
        "Alarm when an update has waited this long in the queue (90s, 10m, 2h; default 10m).",
        valueName: "duration"
    ))
    var alarmOldestUpdateAge: DurationArgument?

    @Option(help: ArgumentHelp(
        "Alarm when the webhook runs this share of its timeout, in percent (10 to 100; default 80).",
        valueName: "percent"
    ))
    var alarmWebhookDurationPercent: Int?

    @Option(help: ArgumentHelp(
        "Alarm when the consumer is throttled more than this many times in five minutes (default 0).",
        valueName: "count"
    ))
    var alarmConsumerThrottles: Int?

    @Option(help: ArgumentHelp(
        "standard (point-in-time recovery, a month of logs, a dashboard) or dev (none of them, three days of logs).",
        valueName: "profile"
    ))
    var costProfile: CostProfileArgument = .standard

    /// `stack` with these options applied: the profile first, so the options given one by one win over it.
    func applied(to stack: BotStack) -> BotStack {
        var stack = stack
        costProfile.profile.apply(to: &stack)
        stack.alarmEmail = alarmEmail
        if let alarmOldestUpdateAge { stack.alarmThresholds.oldestUpdateAge = alarmOldestUpdateAge.duration }
        if let alarmWebhookDurationPercent { stack.alarmThresholds.webhookDurationPercent = alarmWebhookDurationPercent }
        if let alarmConsumerThrottles { stack.alarmThresholds.consumerThrottles = alarmConsumerThrottles }
        return stack
    }

    /// What `deploy` says about notifications before it starts: one plain warning when nobody will hear of
    /// trouble, so the author can stop and add an address.
    func notificationWarning(stage: String) -> String? {
        guard alarmEmail == nil else { return nil }
        return "warning: no --alarm-email, so nobody will be told about dead letters or errors of stage \(stage): "
            + "the alarms will only show in the CloudWatch console and `status`. The dead-letter apology tells users "
            + "\"Our team has been notified\"; give --alarm-email ADDRESS to make that true."
    }

    /// What `deploy` says about notifications once the stage is up.
    func notificationNote() -> String? {
        guard let alarmEmail else { return nil }
        return "Alarms mail \(alarmEmail). When the subscription is new, AWS has mailed it a confirmation link "
            + "(\"AWS Notification - Subscription Confirmation\"): nothing arrives until it is followed."
    }
}

/// ``CostProfile`` on the command line, by its name.
enum CostProfileArgument: String, ExpressibleByArgument, CaseIterable {
    case standard, dev

    var profile: CostProfile {
        switch self {
        case .standard: .standard
        case .dev: .dev
        }
    }
}

/// A duration on the command line: a whole number with a unit, `s`, `m`, `h` or `d` (`90s`, `10m`, `2h`, `1d`);
/// a bare number is seconds.
struct DurationArgument: ExpressibleByArgument, Sendable {
    var seconds: Int

    var duration: Duration { .seconds(seconds) }

    init?(argument: String) {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = Substring(argument)
        var unit = 1
        if let last = argument.last, let multiple = units[last] {
            digits = digits.dropLast()
            unit = multiple
        }
        // At most a year: anything larger is a typo, and the product must not overflow.
        guard let number = Int(digits), number >= 0, number * unit <= 366 * 86_400 else { return nil }
        seconds = number * unit
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
