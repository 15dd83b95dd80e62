extension BotStack {
    /// The Lambda runtime: the OS-only runtime, which runs the `bootstrap` binary in the code package.
    public static let runtime = "provided.al2023"

    /// The environment variable names the functions read their configuration from. Each function gets only
    /// the variables for what its role lets it use (see ``environment(of:)``).
    public enum EnvironmentVariable {
        public static let queueURL = "QUEUE_URL"
        public static let deadLetterQueueURL = "DEAD_LETTER_QUEUE_URL"
        /// The name of the SSM parameter holding the bot token, not the token: a value in the environment is
        /// visible to anyone who may read the function's configuration.
        public static let botTokenParameter = "TELEGRAM_BOT_TOKEN_PARAMETER"
        /// The name of the SSM parameter holding the webhook's secret token.
        public static let webhookSecretParameter = "TELEGRAM_WEBHOOK_SECRET_PARAMETER"
        public static let sessionsTable = "SESSIONS_TABLE"
        public static let deadLetterTable = "DEAD_LETTER_TABLE"
        /// Failed attempts before the consumer dead-letters an update; the queue's `maxReceiveCount` is a multiple of it.
        public static let maxAttempts = "FERRY_MAX_ATTEMPTS"
        /// Chats of a batch the consumer handles at once (``BotStack/consumerConcurrency``).
        public static let consumerConcurrency = "FERRY_CONSUMER_CONCURRENCY"
        /// The update kinds the webhook handles itself, comma-separated (see ``BotStack/fastLaneUpdates``).
        public static let fastLane = "FERRY_FAST_LANE"
        /// `on` when the consumer keeps idempotency records (see ``BotStack/idempotencyRecords``).
        public static let idempotency = "FERRY_IDEMPOTENCY"
        /// The versions of the secret parameters, which the functions read once, at start-up. The deploy step sets
        /// it; a new token or secret changes it, so Lambda replaces every warm instance, even when nothing else changed.
        public static let secretsVersion = "FERRY_SECRETS_VERSION"
        /// Seconds a parked dead letter is kept (``BotStack/deadLetterRetention``).
        public static let deadLetterRetention = "FERRY_DEAD_LETTER_RETENTION_SECONDS"
        /// The parameter holding the secret a rotation replaced (``BotStack/Names/retiringWebhookSecretParameter``).
        public static let retiringWebhookSecretParameter = "TELEGRAM_WEBHOOK_RETIRING_SECRET_PARAMETER"
    }

    /// The environment of one function: what it needs, and nothing its role does not let it use.
    ///
    /// - webhook: the queue it sends to and the webhook secret it checks callers against.
    /// - consumer: the queue (to delay a retry by changing a message's visibility), the dead-letter queue (to
    ///   dead-letter an update itself), the bot token, the sessions table and the attempt count.
    /// - dead-letter: its queue, the bot token (to tell the user), and the table it parks dead letters in.
    public func environment(of function: Function) -> [String: CloudFormation.Value] {
        var variables = roleEnvironment(of: function)
        variables[EnvironmentVariable.secretsVersion] = .ref(TemplateParameter.secretsVersion)
        return variables
    }

    private func roleEnvironment(of function: Function) -> [String: CloudFormation.Value] {
        let names = self.names
        switch function {
        case .webhook:
            var variables: [String: CloudFormation.Value] = [
                EnvironmentVariable.queueURL: .ref(LogicalID.queue),
                EnvironmentVariable.webhookSecretParameter: .string(names.webhookSecretParameter),
                EnvironmentVariable.retiringWebhookSecretParameter: .string(names.retiringWebhookSecretParameter),
            ]
            if hasFastLane {
                // Handling updates itself, the webhook needs what the consumer needs to run the bot.
                variables[EnvironmentVariable.fastLane] = .string(fastLaneUpdates.sorted().joined(separator: ","))
                variables[EnvironmentVariable.botTokenParameter] = .string(names.botTokenParameter)
                variables[EnvironmentVariable.sessionsTable] = .ref(LogicalID.sessionsTable)
            }
            return variables
        case .consumer:
            var variables: [String: CloudFormation.Value] = [
                EnvironmentVariable.queueURL: .ref(LogicalID.queue),
                EnvironmentVariable.deadLetterQueueURL: .ref(LogicalID.deadLetterQueue),
                EnvironmentVariable.botTokenParameter: .string(names.botTokenParameter),
                EnvironmentVariable.sessionsTable: .ref(LogicalID.sessionsTable),
                EnvironmentVariable.maxAttempts: .string(String(attempts)),
                EnvironmentVariable.consumerConcurrency: .string(String(consumerConcurrency)),
            ]
            if idempotencyRecords { variables[EnvironmentVariable.idempotency] = "on" }
            return variables
        case .deadLetter:
            return [
                EnvironmentVariable.deadLetterQueueURL: .ref(LogicalID.deadLetterQueue),
                EnvironmentVariable.botTokenParameter: .string(names.botTokenParameter),
                EnvironmentVariable.deadLetterTable: .ref(LogicalID.deadLetterTable),
                EnvironmentVariable.deadLetterRetention: .string(String(Self.wholeSeconds(deadLetterRetention))),
            ]
        }
    }

    /// Whether the webhook handles some updates itself.
    var hasFastLane: Bool { !fastLaneUpdates.isEmpty }

    /// Per function: the function, its execution role, its log group, and for the two queue consumers the event
    /// source mapping that feeds it.
    var functionResources: [String: CloudFormation.Resource] {
        var resources: [String: CloudFormation.Resource] = [:]
        for function in Function.allCases {
            resources[LogicalID.function(function)] = lambdaFunction(function)
            resources[LogicalID.role(function)] = executionRole(function)
            resources[LogicalID.logGroup(function)] = logGroup(function)
        }
        resources[LogicalID.eventSource(.consumer)] = eventSource(
            from: LogicalID.queue,
            to: .consumer,
            batchSize: batchSize,
            maximumConcurrency: maximumConcurrency
        )
        // Dead letters are rare, and each is handled once: the least concurrency an event source allows is plenty.
        resources[LogicalID.eventSource(.deadLetter)] = eventSource(
            from: LogicalID.deadLetterQueue,
            to: .deadLetter,
            batchSize: batchSize,
            maximumConcurrency: 2
        )
        return resources
    }

    private func lambdaFunction(_ function: Function) -> CloudFormation.Resource {
        let timeout = function == .webhook ? webhookTimeout : self.timeout
        return CloudFormation.Resource(
            type: "AWS::Lambda::Function",
            properties: [
                "FunctionName": .string(names.function(function)),
                "Description": .string("Ferry \(bot) (\(stage)): \(function.handler)"),
                "Runtime": .string(Self.runtime),
                "Handler": .string(function.handler),
                "Architectures": [.string(architecture.rawValue)],
                "MemorySize": .integer(memory),
                "Timeout": .integer(Self.wholeSeconds(timeout)),
                "Role": .getAtt(LogicalID.role(function), "Arn"),
                "Code": [
                    "S3Bucket": .ref(TemplateParameter.codeBucket),
                    "S3Key": .ref(TemplateParameter.codeKey),
                ],
                "Environment": ["Variables": .object(environment(of: function))],
                "LoggingConfig": ["LogGroup": .ref(LogicalID.logGroup(function)), "LogFormat": "Text"],
            ],
            metadata: ScannerExceptions.function(function)
        )
    }

    private func logGroup(_ function: Function) -> CloudFormation.Resource {
        CloudFormation.Resource(
            type: "AWS::Logs::LogGroup",
            properties: [
                "LogGroupName": .string(names.logGroup(function)),
                "RetentionInDays": .integer(logRetention.days),
            ],
            metadata: ScannerExceptions.logGroup
        )
    }

    private func executionRole(_ function: Function) -> CloudFormation.Resource {
        CloudFormation.Resource(
            type: "AWS::IAM::Role",
            properties: [
                "Description": .string("Execution role of \(names.function(function))"),
                "AssumeRolePolicyDocument": CloudFormation.PolicyDocument([.assumeRole(by: "lambda.amazonaws.com")]).value,
                "Policies": [
                    [
                        "PolicyName": .string("\(function.handler)-least-privilege"),
                        "PolicyDocument": permissions(of: function).value,
                    ],
                ],
            ]
        )
    }

    /// Lambda polls the queue on the function's behalf with the function's role, and deletes each message
    /// the function did not report in `batchItemFailures`.
    private func eventSource(
        from queue: String,
        to function: Function,
        batchSize: Int,
        maximumConcurrency: Int
    ) -> CloudFormation.Resource {
        CloudFormation.Resource(
            type: "AWS::Lambda::EventSourceMapping",
            properties: [
                "EventSourceArn": .getAtt(queue, "Arn"),
                "FunctionName": .ref(LogicalID.function(function)),
                "BatchSize": .integer(batchSize),
                // The function reports which records failed; the others are deleted. Failing the whole batch
                // instead would re-run records that already succeeded and send users duplicate replies.
                "FunctionResponseTypes": ["ReportBatchItemFailures"],
                "ScalingConfig": ["MaximumConcurrency": .integer(maximumConcurrency)],
                "Enabled": true,
            ]
        )
    }
}
