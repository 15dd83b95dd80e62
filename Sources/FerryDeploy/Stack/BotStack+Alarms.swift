extension BotStack {
    /// CloudWatch alarms, each for something a person should look at:
    /// - the dead-letter function ran at all (an update used up its attempts, and a user was told it failed);
    /// - a function reported errors (the webhook's mean Telegram's calls fail and Telegram retries them);
    /// - the oldest update in the queue is older than ``AlarmThresholds/oldestUpdateAge`` (a chat is stuck behind
    ///   an update that keeps failing, or the consumer stopped);
    /// - the consumer was throttled (the account's concurrency is used up elsewhere);
    /// - the webhook's longest run in a minute came near its timeout (Telegram would see time-outs and retry).
    ///
    /// With ``alarmEmail`` set, each alarm mails the address through an SNS topic when it fires, and again when
    /// it is back to OK.
    func alarmResources(for target: Target) -> [String: CloudFormation.Resource] {
        guard target == .aws else { return [:] }
        var resources: [String: CloudFormation.Resource] = [:]
        var actions: [CloudFormation.Value] = []
        if let alarmEmail {
            resources[LogicalID.alarmTopic] = CloudFormation.Resource(
                type: "AWS::SNS::Topic",
                properties: [
                    "TopicName": .string(names.alarmTopic),
                    "Subscription": [["Protocol": "email", "Endpoint": .string(alarmEmail)]],
                ],
                metadata: ScannerExceptions.alarmTopic
            )
            actions = [.ref(LogicalID.alarmTopic)]
        }
        for (logicalID, alarm) in alarms {
            resources[logicalID] = alarm.resource(actions: actions)
        }
        return resources
    }

    /// The stack's alarms by logical ID, with the numbers that make each fire.
    var alarms: [String: Alarm] {
        var alarms: [String: Alarm] = [:]
        alarms[LogicalID.deadLetterAlarm] = Alarm(
            name: names.deadLetterAlarm,
            description: "An update used up its \(attempts) attempts and was dead-lettered; its user was told",
            metric: .lambda("Invocations", of: .deadLetter),
            statistic: "Sum",
            threshold: 0
        )
        for function in Function.allCases {
            alarms[LogicalID.errorsAlarm(function)] = Alarm(
                name: names.errorsAlarm(function),
                description: "The \(function.handler) function of \(bot) (\(stage)) reported errors",
                metric: .lambda("Errors", of: function),
                statistic: "Sum",
                threshold: 0
            )
        }
        let oldestAge = Self.wholeSeconds(alarmThresholds.oldestUpdateAge)
        alarms[LogicalID.oldestUpdateAlarm] = Alarm(
            name: names.oldestUpdateAlarm,
            description: "An update of \(bot) (\(stage)) has waited in the queue longer than \(oldestAge) seconds: "
                + "a chat is stuck behind a failing update, or the consumer is not running",
            metric: .queue("ApproximateAgeOfOldestMessage"),
            statistic: "Maximum",
            threshold: oldestAge
        )
        alarms[LogicalID.consumerThrottlesAlarm] = Alarm(
            name: names.consumerThrottlesAlarm,
            description: "The consumer of \(bot) (\(stage)) was throttled more than \(alarmThresholds.consumerThrottles) "
                + "times in five minutes: the account's Lambda concurrency is used up",
            metric: .lambda("Throttles", of: .consumer),
            statistic: "Sum",
            threshold: alarmThresholds.consumerThrottles,
            periodSeconds: 300
        )
        alarms[LogicalID.webhookDurationAlarm] = Alarm(
            name: names.webhookDurationAlarm,
            description: "The webhook of \(bot) (\(stage)) ran for \(alarmThresholds.webhookDurationPercent)% of its "
                + "\(Self.wholeSeconds(webhookTimeout))-second timeout or more: Telegram's calls are about to time out",
            metric: .lambda("Duration", of: .webhook),
            statistic: "Maximum",
            threshold: webhookDurationThresholdMilliseconds,
            comparison: "GreaterThanOrEqualToThreshold"
        )
        return alarms
    }

    /// The webhook duration, in milliseconds (Lambda's unit), at which its alarm fires.
    var webhookDurationThresholdMilliseconds: Int {
        Self.wholeSeconds(webhookTimeout) * 1000 * alarmThresholds.webhookDurationPercent / 100
    }

    /// One CloudWatch alarm on one metric of the stack.
    struct Alarm {
        /// A metric: its namespace, name and the one dimension that picks this stack's resource.
        struct Metric {
            var namespace: String
            var name: String
            var dimension: String
            var value: CloudFormation.Value

            static func lambda(_ name: String, of function: Function) -> Metric {
                Metric(namespace: "AWS/Lambda", name: name, dimension: "FunctionName", value: .ref(LogicalID.function(function)))
            }

            static func queue(_ name: String) -> Metric {
                Metric(namespace: "AWS/SQS", name: name, dimension: "QueueName", value: .getAtt(LogicalID.queue, "QueueName"))
            }
        }

        var name: String
        var description: String
        var metric: Metric
        var statistic: String
        var threshold: Int
        var periodSeconds = 60
        var comparison = "GreaterThanThreshold"

        /// Fires on one period past the threshold; no data (no traffic) is not an alarm.
        func resource(actions: [CloudFormation.Value]) -> CloudFormation.Resource {
            var properties: [String: CloudFormation.Value] = [
                "AlarmName": .string(name),
                "AlarmDescription": .string(description),
                "Namespace": .string(metric.namespace),
                "MetricName": .string(metric.name),
                "Dimensions": [["Name": .string(metric.dimension), "Value": metric.value]],
                "Statistic": .string(statistic),
                "Period": .integer(periodSeconds),
                "EvaluationPeriods": 1,
                "Threshold": .integer(threshold),
                "ComparisonOperator": .string(comparison),
                "TreatMissingData": "notBreaching",
            ]
            if !actions.isEmpty {
                properties["AlarmActions"] = .list(actions)
                // Also say when it is over, so the person told does not have to look.
                properties["OKActions"] = .list(actions)
            }
            return CloudFormation.Resource(type: "AWS::CloudWatch::Alarm", properties: properties)
        }
    }
}

/// The alarm thresholds a user may want to choose. The others are fixed: any dead letter, any function error.
public struct AlarmThresholds: Sendable, Hashable {
    /// How long an update may wait in the queue before the oldest-update alarm fires (60 seconds to 14 days,
    /// whole seconds). The default, 10 minutes, is well above a healthy bot's seconds and above the few minutes
    /// a failing update's retries take, but below the time a consumer that keeps timing out needs to exhaust
    /// the queue's redrive count.
    public var oldestUpdateAge: Duration = .seconds(600)
    /// The share of the webhook's timeout, in percent (10 to 100), its longest run in a minute may reach before
    /// the duration alarm fires.
    public var webhookDurationPercent = 80
    /// Consumer throttles tolerated in five minutes (0 or more); the default fires on the first.
    public var consumerThrottles = 0

    public init() {}
}
