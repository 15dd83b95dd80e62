#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension BotStack {
    /// The stage's CloudWatch dashboard: one screen of the metrics that say whether the bot is keeping up.
    /// Left out with ``dashboard`` off, and for a local emulator (moto cannot create dashboards).
    func dashboardResources(for target: Target) -> [String: CloudFormation.Resource] {
        guard target == .aws, dashboard else { return [:] }
        return [
            LogicalID.dashboard: CloudFormation.Resource(
                type: "AWS::CloudWatch::Dashboard",
                properties: [
                    "DashboardName": .string(names.dashboard),
                    "DashboardBody": .sub(dashboardBody),
                ]
            ),
        ]
    }

    /// The dashboard's console address: the deploy step prints it (from the stack's outputs).
    var dashboardURL: CloudFormation.Value {
        .sub("https://console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards:name=\(names.dashboard)")
    }

    /// The dashboard's JSON, with `${AWS::Region}` and the alarms' `${<LogicalID>.Arn}` for `Fn::Sub` to fill in:
    /// the alarms' states across the top, then the graphs two a row, each half the 24-column grid wide.
    var dashboardBody: String {
        let alarmStates: CloudFormation.Value = [
            "type": "alarm", "x": 0, "y": 0, "width": 24, "height": 3,
            "properties": [
                "title": "Alarms (in ALARM first)",
                "alarms": .list(alarms.keys.sorted().map { .string("${\($0).Arn}") }),
                "sortBy": "stateUpdatedTimestamp",
            ],
        ]
        let graphs = dashboardWidgets.enumerated().map { index, widget -> CloudFormation.Value in
            [
                "type": "metric",
                "x": .integer(index % 2 * 12),
                "y": .integer(3 + index / 2 * 6),
                "width": 12,
                "height": 6,
                "properties": [
                    "title": .string(widget.title),
                    "region": "${AWS::Region}",
                    "view": "timeSeries",
                    "stacked": false,
                    "period": 60,
                    "metrics": .list(widget.metrics.map(\.line)),
                ],
            ]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Only plain JSON values go in (no intrinsic functions), which always encode.
        let data = try! encoder.encode(CloudFormation.Value.object(["widgets": .list([alarmStates] + graphs)]))
        return String(decoding: data, as: UTF8.self)
    }

    private struct Widget {
        var title: String
        var metrics: [Line]
    }

    /// One line of a widget: a metric of one of the stack's resources, with its statistic and legend.
    private struct Line {
        var namespace: String
        var metric: String
        var dimension: String
        var resource: String
        var statistic: String
        var label: String

        var line: CloudFormation.Value {
            [
                .string(namespace), .string(metric), .string(dimension), .string(resource),
                ["stat": .string(statistic), "label": .string(label)],
            ]
        }
    }

    private var dashboardWidgets: [Widget] {
        let names = self.names
        func lambda(_ metric: String, _ function: Function, _ statistic: String, _ label: String) -> Line {
            Line(namespace: "AWS/Lambda", metric: metric, dimension: "FunctionName", resource: names.function(function), statistic: statistic, label: label)
        }
        func sqs(_ metric: String, _ queue: String, _ statistic: String, _ label: String) -> Line {
            Line(namespace: "AWS/SQS", metric: metric, dimension: "QueueName", resource: queue, statistic: statistic, label: label)
        }
        return [
            Widget(title: "Webhook: Telegram's calls", metrics: [
                lambda("Invocations", .webhook, "Sum", "invocations"),
                lambda("Errors", .webhook, "Sum", "errors"),
                lambda("Throttles", .webhook, "Sum", "throttles"),
            ]),
            Widget(title: "Webhook: duration (ms; timeout \(Self.wholeSeconds(webhookTimeout) * 1000))", metrics: [
                lambda("Duration", .webhook, "Average", "average"),
                lambda("Duration", .webhook, "Maximum", "maximum"),
            ]),
            Widget(title: "Update queue: depth", metrics: [
                sqs("ApproximateNumberOfMessagesVisible", names.queue, "Maximum", "waiting"),
                sqs("ApproximateNumberOfMessagesNotVisible", names.queue, "Maximum", "in flight"),
            ]),
            Widget(title: "Update queue: age of the oldest update (s)", metrics: [
                sqs("ApproximateAgeOfOldestMessage", names.queue, "Maximum", "oldest"),
            ]),
            Widget(title: "Consumer: batches", metrics: [
                lambda("Invocations", .consumer, "Sum", "invocations"),
                lambda("Errors", .consumer, "Sum", "errors"),
                lambda("Throttles", .consumer, "Sum", "throttles"),
            ]),
            Widget(title: "Consumer: duration (ms; timeout \(Self.wholeSeconds(timeout) * 1000))", metrics: [
                lambda("Duration", .consumer, "Average", "average"),
                lambda("Duration", .consumer, "Maximum", "maximum"),
            ]),
            Widget(title: "Consumer: concurrency (limit \(maximumConcurrency))", metrics: [
                lambda("ConcurrentExecutions", .consumer, "Maximum", "instances"),
            ]),
            Widget(title: "Dead letters", metrics: [
                lambda("Invocations", .deadLetter, "Sum", "dead-letter batches handled"),
                lambda("Errors", .deadLetter, "Sum", "dead-letter function errors"),
                sqs("ApproximateNumberOfMessagesVisible", names.deadLetterQueue, "Maximum", "waiting to be parked"),
            ]),
        ]
    }
}

extension BotStack.LogicalID {
    public static let dashboard = "Dashboard"
    public static let oldestUpdateAlarm = "OldestUpdateAgeAlarm"
    public static let consumerThrottlesAlarm = "ConsumerThrottlesAlarm"
    public static let webhookDurationAlarm = "WebhookDurationAlarm"
}

extension BotStack.OutputName {
    /// The console address of the stage's dashboard; absent without one.
    public static let dashboardURL = "DashboardUrl"
}

extension BotStack.Names {
    /// The dashboard's name: the stack's.
    public var dashboard: String { stack }
    public var oldestUpdateAlarm: String { "\(stack)-oldest-update-age" }
    public var consumerThrottlesAlarm: String { "\(stack)-consumer-throttles" }
    public var webhookDurationAlarm: String { "\(stack)-webhook-duration" }
}
