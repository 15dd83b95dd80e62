extension BotStack {
    /// CloudWatch alarms: one when the dead-letter function runs at all (an update used up its attempts, and a
    /// user was told it failed), and one per function when it reports errors. With ``alarmEmail`` set, each
    /// alarm mails the address through an SNS topic when it fires.
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
        resources[LogicalID.deadLetterAlarm] = alarm(
            named: names.deadLetterAlarm,
            description: "An update used up its \(attempts) attempts and was dead-lettered; its user was told",
            metric: "Invocations",
            function: .deadLetter,
            actions: actions
        )
        for function in Function.allCases {
            resources[LogicalID.errorsAlarm(function)] = alarm(
                named: names.errorsAlarm(function),
                description: "The \(function.handler) function of \(bot) (\(stage)) reported errors",
                metric: "Errors",
                function: function,
                actions: actions
            )
        }
        return resources
    }

    /// Fires when the function's metric sums above zero in a minute; no data (no invocations) is not an alarm.
    private func alarm(
        named name: String,
        description: String,
        metric: String,
        function: Function,
        actions: [CloudFormation.Value]
    ) -> CloudFormation.Resource {
        var properties: [String: CloudFormation.Value] = [
            "AlarmName": .string(name),
            "AlarmDescription": .string(description),
            "Namespace": "AWS/Lambda",
            "MetricName": .string(metric),
            "Dimensions": [["Name": "FunctionName", "Value": .ref(LogicalID.function(function))]],
            "Statistic": "Sum",
            "Period": 60,
            "EvaluationPeriods": 1,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
        ]
        if !actions.isEmpty {
            properties["AlarmActions"] = .list(actions)
        }
        return CloudFormation.Resource(type: "AWS::CloudWatch::Alarm", properties: properties)
    }
}
