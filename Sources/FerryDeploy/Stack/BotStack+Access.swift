public import FerryStageContract

extension BotStack {
    /// What one function's execution role may do: exactly what the function does, on this stack's resources only.
    /// No statement has a wildcard action or resource; the one `*` is the log-stream name inside the function's
    /// own log group, because Lambda names its log streams at run time.
    ///
    /// The bot token and the webhook secret are SecureString parameters the deploy step writes (CloudFormation
    /// cannot create SecureStrings, and a template parameter or a `{{resolve:ssm-secure}}` reference would put the
    /// value into the function's configuration in plain text). The template therefore only knows their names:
    /// the functions get the name in their environment and `ssm:GetParameter` on that one parameter's ARN, and
    /// read the value at start-up.
    public func permissions(of function: Function) -> CloudFormation.PolicyDocument {
        var statements: [CloudFormation.PolicyStatement] = []
        switch function {
        case .webhook:
            statements.append(.init(sid: "EnqueueUpdates", actions: ["sqs:SendMessage"], resources: [queueARN]))
            statements += readParameters([names.webhookSecretParameter, names.retiringWebhookSecretParameter], sid: "ReadWebhookSecret")
            if hasFastLane {
                statements.append(useSessions)
                statements += readParameter(names.botTokenParameter, sid: "ReadBotToken")
            }
        case .consumer:
            statements.append(.init(
                sid: "ConsumeUpdates",
                // Receive, delete and read attributes are what the event source needs; changing visibility is
                // how the consumer delays the retry of a failed update.
                actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
                resources: [queueARN]
            ))
            statements.append(.init(sid: "DeadLetterUpdates", actions: ["sqs:SendMessage"], resources: [deadLetterQueueARN]))
            statements.append(useSessions)
            statements += readParameter(names.botTokenParameter, sid: "ReadBotToken")
        case .deadLetter:
            statements.append(.init(
                sid: "ConsumeDeadLetters",
                actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
                resources: [deadLetterQueueARN]
            ))
            statements.append(.init(
                sid: "ParkDeadLetters",
                actions: ["dynamodb:PutItem"],
                resources: [.getAtt(LogicalID.deadLetterTable, "Arn")]
            ))
            statements += readParameter(names.botTokenParameter, sid: "ReadBotToken")
        }
        statements.append(.init(
            sid: "WriteOwnLogs",
            actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
            resources: [
                .sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:\(names.logGroup(function))"),
                .sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:\(names.logGroup(function)):log-stream:*"),
            ]
        ))
        return CloudFormation.PolicyDocument(statements)
    }

    /// The ARN of an SSM parameter of this stack, built from its name: the parameter is not a resource of the
    /// template. Names start with a slash, which the ARN does not repeat.
    public func parameterARN(_ name: String) -> CloudFormation.Value {
        .sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter\(name)")
    }

    /// Reading and writing items of the sessions table (sessions, and idempotency records when kept).
    private var useSessions: CloudFormation.PolicyStatement {
        .init(
            sid: "UseSessions",
            actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
            resources: [.getAtt(LogicalID.sessionsTable, "Arn")]
        )
    }

    private var queueARN: CloudFormation.Value { .getAtt(LogicalID.queue, "Arn") }
    private var deadLetterQueueARN: CloudFormation.Value { .getAtt(LogicalID.deadLetterQueue, "Arn") }

    /// Reading one SecureString parameter: `ssm:GetParameter` on it, and with a customer managed key,
    /// `kms:Decrypt` on that key only when SSM asks for it (the AWS managed key needs no statement; see
    /// ``ParameterEncryption/awsManagedKey``).
    private func readParameter(_ name: String, sid: String) -> [CloudFormation.PolicyStatement] {
        readParameters([name], sid: sid)
    }

    private func readParameters(_ names: [String], sid: String) -> [CloudFormation.PolicyStatement] {
        var statements = [CloudFormation.PolicyStatement(sid: sid, actions: ["ssm:GetParameter"], resources: names.map(parameterARN))]
        if case .customerManagedKey(let keyARN) = parameterEncryption {
            statements.append(.init(
                sid: "\(sid)Decryption",
                actions: ["kms:Decrypt"],
                resources: [.string(keyARN)],
                conditions: ["StringEquals": ["kms:ViaService": .sub("ssm.${AWS::Region}.amazonaws.com")]]
            ))
        }
        return statements
    }

    /// The webhook's public HTTPS endpoint and the two resource-policy statements a public function URL needs
    /// since October 2025: anyone may call the URL (`lambda:InvokeFunctionUrl` with auth type `NONE`), and the URL
    /// may invoke the function (`lambda:InvokeFunction`, restricted to invocations through the URL, so the public
    /// grant does not extend to the Invoke API). Callers are authenticated by the function itself: Telegram sends
    /// the webhook secret in `X-Telegram-Bot-Api-Secret-Token`, compared in constant time.
    func webhookURLResources(for target: Target) -> [String: CloudFormation.Resource] {
        guard target == .aws else { return [:] }
        let function = CloudFormation.Value.ref(LogicalID.function(.webhook))
        return [
            LogicalID.webhookURL: .init(
                type: "AWS::Lambda::Url",
                properties: [
                    "TargetFunctionArn": .getAtt(LogicalID.function(.webhook), "Arn"),
                    "AuthType": "NONE",
                    "InvokeMode": "BUFFERED",
                ],
                metadata: ScannerExceptions.functionURL
            ),
            LogicalID.webhookURLPermission: .init(
                type: "AWS::Lambda::Permission",
                properties: [
                    "Action": "lambda:InvokeFunctionUrl",
                    "FunctionName": function,
                    "Principal": "*",
                    "FunctionUrlAuthType": "NONE",
                ]
            ),
            LogicalID.webhookInvokePermission: .init(
                type: "AWS::Lambda::Permission",
                properties: [
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": function,
                    "Principal": "*",
                    "InvokedViaFunctionUrl": true,
                ]
            ),
        ]
    }
}
