public import FerryStageContract

extension BotStack {
    /// The Lambda runtime: the OS-only runtime, which runs the `bootstrap` binary in the code package.
    public static let runtime = "provided.al2023"

    /// The environment of one function: what it needs, and nothing its role does not let it use. Each variable
    /// is one the role reads (``FunctionRole/reads``), or one no role reads
    /// (``EnvironmentVariable/unreadOnEveryFunction``).
    ///
    /// - webhook: the queue it sends to and the webhook secret it checks callers against.
    /// - consumer: the queue (to delay a retry by changing a message's visibility), the dead-letter queue (to
    ///   dead-letter an update itself), the bot token, the sessions table and the attempt count.
    /// - dead-letter: the bot token (to tell the user), and the table it parks dead letters in. Lambda hands it
    ///   its queue's records and deletes them; it never calls the queue itself.
    public func environment(of function: Function) -> [String: CloudFormation.Value] {
        var variables: [String: CloudFormation.Value] = [:]
        for (variable, value) in roleEnvironment(of: function) { variables[variable.name] = value }
        variables[EnvironmentVariable.secretsVersion.name] = .ref(TemplateParameter.secretsVersion)
        return variables
    }

    private func roleEnvironment(of function: Function) -> [EnvironmentVariable: CloudFormation.Value] {
        let names = self.names
        switch function {
        case .webhook:
            var variables: [EnvironmentVariable: CloudFormation.Value] = [
                .queueURL: .ref(LogicalID.queue),
                .webhookSecretParameter: .string(names.webhookSecretParameter),
                .retiringWebhookSecretParameter: .string(names.retiringWebhookSecretParameter),
            ]
            if hasFastLane {
                // Handling updates itself, the webhook needs what the consumer needs to run the bot.
                variables[.fastLane] = .string(fastLaneUpdates.sorted().joined(separator: ","))
                variables[.botTokenParameter] = .string(names.botTokenParameter)
                variables[.sessionsTable] = .ref(LogicalID.sessionsTable)
            }
            return variables
        case .consumer:
            var variables: [EnvironmentVariable: CloudFormation.Value] = [
                .queueURL: .ref(LogicalID.queue),
                .deadLetterQueueURL: .ref(LogicalID.deadLetterQueue),
                .botTokenParameter: .string(names.botTokenParameter),
                .sessionsTable: .ref(LogicalID.sessionsTable),
                .maxAttempts: .string(String(attempts)),
                .consumerConcurrency: .string(String(consumerConcurrency)),
            ]
            if idempotencyRecords { variables[.idempotency] = "on" }
            return variables
        case .deadLetter:
            return [
                .botTokenParameter: .string(names.botTokenParameter),
                .deadLetterTable: .ref(LogicalID.deadLetterTable),
                .deadLetterRetention: .string(String(Self.wholeSeconds(deadLetterRetention))),
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
