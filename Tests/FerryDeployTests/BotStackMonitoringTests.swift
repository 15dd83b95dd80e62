import FerryDeploy
import Foundation
import Testing

/// What watches a deployed stage: the alarms beyond dead letters and errors, their thresholds, the dashboard,
/// and the cost profile that leaves the standing costs out of a development stage. moto creates neither alarms
/// nor dashboards, so these are checked on the rendered template (and linted in `TemplateLintTests`).
@Suite("Stack monitoring")
struct BotStackMonitoringTests {
    typealias ID = BotStack.LogicalID

    @Test("the oldest update's age, the consumer's throttles and the webhook's duration have alarms with the documented defaults")
    func scaleAlarms() throws {
        let json = try TemplateJSON(BotStack(bot: "echo", stage: "prod"))

        let oldest = try json.properties(ID.oldestUpdateAlarm)
        #expect(oldest["AlarmName"] as? String == "ferry-echo-prod-oldest-update-age")
        #expect(oldest["Namespace"] as? String == "AWS/SQS")
        #expect(oldest["MetricName"] as? String == "ApproximateAgeOfOldestMessage")
        #expect(jsonEqual(oldest["Dimensions"], [["Name": "QueueName", "Value": getAtt(ID.queue, "QueueName")]]))
        #expect(oldest["Statistic"] as? String == "Maximum")
        #expect(oldest["Threshold"] as? Int == 600)
        #expect(oldest["ComparisonOperator"] as? String == "GreaterThanThreshold")

        let throttles = try json.properties(ID.consumerThrottlesAlarm)
        #expect(throttles["MetricName"] as? String == "Throttles")
        #expect(jsonEqual(throttles["Dimensions"], [["Name": "FunctionName", "Value": ref(ID.function(.consumer))]]))
        #expect(throttles["Statistic"] as? String == "Sum")
        #expect(throttles["Period"] as? Int == 300)
        #expect(throttles["Threshold"] as? Int == 0)

        let duration = try json.properties(ID.webhookDurationAlarm)
        #expect(duration["MetricName"] as? String == "Duration")
        #expect(jsonEqual(duration["Dimensions"], [["Name": "FunctionName", "Value": ref(ID.function(.webhook))]]))
        #expect(duration["Statistic"] as? String == "Maximum")
        #expect(duration["Threshold"] as? Int == 8_000, "80% of the webhook's 10-second timeout, in milliseconds")
        #expect(duration["ComparisonOperator"] as? String == "GreaterThanOrEqualToThreshold")

        // The webhook's errors have an alarm of their own (with the other functions' in BotStackTemplateTests).
        #expect(try json.properties(ID.errorsAlarm(.webhook))["AlarmName"] as? String == "ferry-echo-prod-webhook-errors")
        for alarm in json.logicalIDs(ofType: "AWS::CloudWatch::Alarm") {
            #expect(try json.properties(alarm)["TreatMissingData"] as? String == "notBreaching", "an idle bot is not an alarm: \(alarm)")
        }
    }

    @Test("the thresholds follow the settings")
    func thresholds() throws {
        var stack = BotStack(bot: "echo", stage: "prod")
        stack.alarmThresholds.oldestUpdateAge = .seconds(3600)
        stack.alarmThresholds.webhookDurationPercent = 50
        stack.alarmThresholds.consumerThrottles = 5
        stack.webhookTimeout = .seconds(4)
        let json = try TemplateJSON(stack)
        #expect(try json.properties(ID.oldestUpdateAlarm)["Threshold"] as? Int == 3600)
        #expect(try json.properties(ID.webhookDurationAlarm)["Threshold"] as? Int == 2_000)
        #expect(try json.properties(ID.consumerThrottlesAlarm)["Threshold"] as? Int == 5)
        #expect(stack.alarmNames.count == 7)
        #expect(Set(stack.alarmNames) == Set(json.logicalIDs(ofType: "AWS::CloudWatch::Alarm").map { try! json.properties($0)["AlarmName"] as! String }))

        let refused: [(String, (inout AlarmThresholds) -> Void)] = [
            ("age under a minute", { $0.oldestUpdateAge = .seconds(59) }),
            ("age over SQS's 14 days", { $0.oldestUpdateAge = .seconds(1_209_601) }),
            ("fractional age", { $0.oldestUpdateAge = .milliseconds(90_500) }),
            ("percent under 10", { $0.webhookDurationPercent = 9 }),
            ("percent over 100", { $0.webhookDurationPercent = 101 }),
            ("negative throttles", { $0.consumerThrottles = -1 }),
        ]
        for (name, change) in refused {
            var invalid = BotStack(bot: "echo", stage: "prod")
            change(&invalid.alarmThresholds)
            #expect(throws: BotStackError.self, "\(name)") { try invalid.template() }
        }
    }

    @Test("with an address, every alarm mails it when it fires and when it is over")
    func notifications() throws {
        var stack = BotStack(bot: "echo", stage: "prod")
        stack.alarmEmail = "oncall@example.com"
        let json = try TemplateJSON(stack)
        let alarms = json.logicalIDs(ofType: "AWS::CloudWatch::Alarm")
        #expect(alarms.count == 7)
        for alarm in alarms {
            let properties = try json.properties(alarm)
            #expect(jsonEqual(properties["AlarmActions"], [ref(ID.alarmTopic)]), "\(alarm)")
            #expect(jsonEqual(properties["OKActions"], [ref(ID.alarmTopic)]), "\(alarm)")
        }
    }

    @Test("the dashboard shows the webhook, the queue, the consumer and the dead letters of this stage, and its URL is an output")
    func dashboard() throws {
        let stack = BotStack(bot: "echo", stage: "prod")
        let json = try TemplateJSON(stack)
        let properties = try json.properties(ID.dashboard)
        #expect(properties["DashboardName"] as? String == "ferry-echo-prod")
        let sub = try #require((properties["DashboardBody"] as? [String: Any])?["Fn::Sub"] as? String)
        // The placeholders are the region and the alarms' ARNs, which CloudFormation fills in.
        var body = sub.replacingOccurrences(of: "${AWS::Region}", with: "eu-west-1")
        let alarms = json.logicalIDs(ofType: "AWS::CloudWatch::Alarm")
        for alarm in alarms { body = body.replacingOccurrences(of: "${\(alarm).Arn}", with: "arn:aws:cloudwatch:eu-west-1:1:alarm:\(alarm)") }
        #expect(!body.contains("${"), "no other placeholder")
        let dashboard = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let widgets = try #require(dashboard["widgets"] as? [[String: Any]])
        let states = try #require(widgets.first { $0["type"] as? String == "alarm" }?["properties"] as? [String: Any])
        #expect(Set(states["alarms"] as? [String] ?? []) == Set(alarms.map { "arn:aws:cloudwatch:eu-west-1:1:alarm:\($0)" }), "every alarm's state")
        var shown: Set<String> = []
        for widget in widgets where widget["type"] as? String == "metric" {
            let widgetProperties = try #require(widget["properties"] as? [String: Any])
            #expect(widgetProperties["region"] as? String == "eu-west-1")
            let x = try #require(widget["x"] as? Int), width = try #require(widget["width"] as? Int)
            #expect(x + width <= 24, "inside the dashboard's 24 columns")
            for line in try #require(widgetProperties["metrics"] as? [[Any]]) {
                let namespace = try #require(line[0] as? String), metric = try #require(line[1] as? String)
                let resource = try #require(line[3] as? String)
                #expect(resource.hasPrefix("ferry-echo-prod-"), "\(resource) is this stage's")
                shown.insert("\(namespace) \(metric) \(resource)")
            }
        }
        let expected: Set<String> = [
            "AWS/Lambda Invocations ferry-echo-prod-webhook", "AWS/Lambda Errors ferry-echo-prod-webhook",
            "AWS/SQS ApproximateNumberOfMessagesVisible ferry-echo-prod-updates.fifo",
            "AWS/SQS ApproximateNumberOfMessagesNotVisible ferry-echo-prod-updates.fifo",
            "AWS/SQS ApproximateAgeOfOldestMessage ferry-echo-prod-updates.fifo",
            "AWS/Lambda Invocations ferry-echo-prod-consumer", "AWS/Lambda Duration ferry-echo-prod-consumer",
            "AWS/Lambda Errors ferry-echo-prod-consumer", "AWS/Lambda ConcurrentExecutions ferry-echo-prod-consumer",
            "AWS/Lambda Invocations ferry-echo-prod-dead-letter",
        ]
        #expect(expected.isSubset(of: shown), "missing: \(expected.subtracting(shown))")

        let url = try #require(json.outputs["DashboardUrl"]?["Value"] as? [String: Any])
        #expect(url["Fn::Sub"] as? String == "https://console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards:name=ferry-echo-prod")
    }

    @Test("the dev cost profile drops point-in-time recovery, keeps logs three days and has no dashboard; the alarms stay")
    func devProfile() throws {
        var stack = BotStack(bot: "echo", stage: "pr7")
        CostProfile.dev.apply(to: &stack)
        let json = try TemplateJSON(stack)
        for table in [ID.sessionsTable, ID.deadLetterTable] {
            let recovery = try json.properties(table)["PointInTimeRecoverySpecification"] as? [String: Any]
            #expect(recovery?["PointInTimeRecoveryEnabled"] as? Bool == false)
            let skips = ((json.resources[table]?["Metadata"] as? [String: Any])?["checkov"] as? [String: Any])?["skip"] as? [[String: Any]]
            #expect(skips?.contains { $0["id"] as? String == "CKV_AWS_28" } == true, "the scanner finding is justified")
        }
        for function in BotStack.Function.allCases {
            #expect(try json.properties(ID.logGroup(function))["RetentionInDays"] as? Int == 3)
        }
        #expect(json.resources[ID.dashboard] == nil)
        #expect(json.outputs["DashboardUrl"] == nil)
        #expect(json.logicalIDs(ofType: "AWS::CloudWatch::Alarm").count == 7)

        var standard = stack
        CostProfile.standard.apply(to: &standard)
        #expect(standard == BotStack(bot: "echo", stage: "pr7"), "standard is the defaults")
        let defaults = try TemplateJSON(standard)
        let recovery = try defaults.properties(ID.sessionsTable)["PointInTimeRecoverySpecification"] as? [String: Any]
        #expect(recovery?["PointInTimeRecoveryEnabled"] as? Bool == true)
    }
}
