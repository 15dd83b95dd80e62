public import FerryStageContract

extension BotStack {
    /// The stack as a CloudFormation template.
    ///
    /// The template takes two parameters, ``TemplateParameter/codeBucket`` and ``TemplateParameter/codeKey``:
    /// where the deploy step uploaded the code package (one zip, the bootstrap binary, shared by all three functions).
    ///
    /// - Throws: ``BotStackError`` when a setting is outside what AWS accepts (see ``validate()``).
    public func template(for target: Target = .aws) throws(BotStackError) -> CloudFormation.Template {
        try validate()
        var template = CloudFormation.Template(
            description: "Ferry bot \(bot), stage \(stage): webhook, FIFO update queue, consumer, dead letters"
        )
        template.parameters = [
            TemplateParameter.codeBucket: .init(
                description: "S3 bucket holding the code package",
                allowedPattern: "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"
            ),
            TemplateParameter.codeKey: .init(
                description: "S3 key of the code package (a zip with the bootstrap binary)",
                minLength: 1,
                maxLength: 1024
            ),
            TemplateParameter.secretsVersion: .init(
                description: "Versions of the bot token and webhook secret parameters: a new one restarts every function",
                allowedPattern: "^[0-9a-z.-]{1,64}$",
                defaultValue: "0"
            ),
        ]
        let parts = [queueResources, tableResources, functionResources, webhookURLResources(for: target), alarmResources(for: target), dashboardResources(for: target)]
        for part in parts {
            template.resources.merge(part) { _, _ in preconditionFailure("two parts of the stack declare one logical ID") }
        }
        template.outputs = outputs(for: target)
        return template
    }

    /// The template's parameters, supplied by the deploy step.
    public enum TemplateParameter {
        /// The S3 bucket holding the code package.
        public static let codeBucket = "CodeBucket"
        /// The S3 key of the code package.
        public static let codeKey = "CodeKey"
        /// The versions of the secrets the functions read at start-up (see ``EnvironmentVariable/secretsVersion``).
        public static let secretsVersion = "SecretsVersion"
    }

    /// The outputs a deployed stack reports.
    public enum OutputName {
        /// The webhook's public HTTPS URL, to register with Telegram's `setWebhook`; absent for a local emulator.
        public static let webhookURL = "WebhookUrl"
        public static let queueURL = "QueueUrl"
        public static let deadLetterQueueURL = "DeadLetterQueueUrl"
        public static let sessionsTable = "SessionsTableName"
        public static let deadLetterTable = "DeadLetterTableName"
    }

    /// The logical IDs of the stack's resources.
    public enum LogicalID {
        public static let queue = "UpdatesQueue"
        public static let deadLetterQueue = "DeadLetterQueue"
        public static let sessionsTable = "SessionsTable"
        public static let deadLetterTable = "DeadLetterTable"
        public static let webhookURL = "WebhookFunctionUrl"
        /// Lets anyone call the function URL (`lambda:InvokeFunctionUrl`, auth type `NONE`).
        public static let webhookURLPermission = "WebhookFunctionUrlPermission"
        /// Lets the function URL invoke the function (`lambda:InvokeFunction`, only through the URL).
        public static let webhookInvokePermission = "WebhookFunctionInvokePermission"
        public static let alarmTopic = "AlarmTopic"
        public static let deadLetterAlarm = "DeadLettersHandledAlarm"

        public static func function(_ function: Function) -> String { "\(function.logicalName)Function" }
        public static func role(_ function: Function) -> String { "\(function.logicalName)Role" }
        public static func logGroup(_ function: Function) -> String { "\(function.logicalName)LogGroup" }
        public static func errorsAlarm(_ function: Function) -> String { "\(function.logicalName)ErrorsAlarm" }
        /// The event source mapping feeding the function from its queue; the webhook has none.
        public static func eventSource(_ function: Function) -> String { "\(function.logicalName)EventSource" }
    }

    private func outputs(for target: Target) -> [String: CloudFormation.Output] {
        var outputs: [String: CloudFormation.Output] = [
            OutputName.queueURL: .init(value: .ref(LogicalID.queue), description: "URL of the FIFO update queue"),
            OutputName.deadLetterQueueURL: .init(
                value: .ref(LogicalID.deadLetterQueue),
                description: "URL of the FIFO dead-letter queue"
            ),
            OutputName.sessionsTable: .init(value: .ref(LogicalID.sessionsTable), description: "Sessions table"),
            OutputName.deadLetterTable: .init(
                value: .ref(LogicalID.deadLetterTable),
                description: "Table of parked dead letters"
            ),
        ]
        if target == .aws {
            outputs[OutputName.webhookURL] = .init(
                value: .getAtt(LogicalID.webhookURL, "FunctionUrl"),
                description: "The webhook URL to register with Telegram's setWebhook"
            )
        }
        if target == .aws && dashboard {
            outputs[OutputName.dashboardURL] = .init(value: dashboardURL, description: "The stage's CloudWatch dashboard")
        }
        return outputs
    }
}
