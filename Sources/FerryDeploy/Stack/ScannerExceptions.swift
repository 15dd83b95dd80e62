/// Checkov findings the stack does not fix, each with its reason, recorded in the resource's `Metadata` where
/// checkov reads them (`checkov.skip`), so anyone scanning the rendered template sees the same justification.
/// Each exception is granted only where it applies: a finding the settings do fix is not skipped.
enum ScannerExceptions {
    struct Exception {
        var id: String
        var reason: String
    }

    static func metadata(_ exceptions: [Exception]) -> [String: CloudFormation.Value] {
        guard !exceptions.isEmpty else { return [:] }
        let skips = exceptions.map { exception -> CloudFormation.Value in
            ["id": .string(exception.id), "comment": .string(exception.reason)]
        }
        return ["checkov": ["skip": .list(skips)]]
    }

    static func function(_ function: BotStack.Function) -> [String: CloudFormation.Value] {
        metadata([
            Exception(
                id: "CKV_AWS_115",
                reason: "No reserved concurrency: a new account's whole quota is 10, and reserving any of it fails the "
                    + "deployment. The consumers are bounded by the event sources' MaximumConcurrency instead."
            ),
            Exception(
                id: "CKV_AWS_116",
                reason: "A function dead-letter queue only catches asynchronous invocations; these functions are invoked "
                    + "synchronously, by the function URL or by SQS event sources, whose failures the FIFO queue's "
                    + "redrive policy sends to the FIFO dead-letter queue."
            ),
            Exception(
                id: "CKV_AWS_117",
                reason: "The functions reach only public endpoints (Telegram, SQS, SSM, DynamoDB); inside a VPC they would "
                    + "need a NAT gateway to reach Telegram, a standing cost that buys no isolation here."
            ),
            Exception(
                id: "CKV_AWS_173",
                reason: "The environment holds no secret, only resource names and URLs (the token and webhook secret are "
                    + "SSM parameter names); Lambda encrypts it at rest with its AWS managed key."
            ),
        ])
    }

    static var logGroup: [String: CloudFormation.Value] {
        metadata([
            Exception(
                id: "CKV_AWS_158",
                reason: "Log groups are encrypted at rest by CloudWatch Logs; a customer managed key adds a monthly cost and "
                    + "a key policy for the logs service, and the logs carry no secret (the bot token is redacted)."
            ),
        ])
    }

    static var functionURL: [String: CloudFormation.Value] {
        metadata([
            Exception(
                id: "CKV_AWS_258",
                reason: "Telegram cannot sign its webhook calls with SigV4, so the URL must be public; the function "
                    + "authenticates each call by the X-Telegram-Bot-Api-Secret-Token header, compared in constant time."
            ),
        ])
    }

    static var queue: [String: CloudFormation.Value] {
        metadata([
            Exception(
                id: "CKV_AWS_27",
                reason: "The queue is encrypted at rest with SQS managed keys (SqsManagedSseEnabled); checkov's "
                    + "CloudFormation check only recognises KmsMasterKeyId, which would add KMS costs and permissions."
            ),
        ])
    }

    static func table(pointInTimeRecovery: Bool) -> [String: CloudFormation.Value] {
        var exceptions = [
            Exception(
                id: "CKV_AWS_119",
                reason: "The table is encrypted with the account's AWS managed DynamoDB key (SSEEnabled), whose use shows "
                    + "in CloudTrail; a customer managed key per stack adds a monthly cost and a key policy to maintain."
            ),
        ]
        if !pointInTimeRecovery {
            exceptions.append(Exception(
                id: "CKV_AWS_28",
                reason: "A development stage (--cost-profile dev) keeps no point-in-time backups: its sessions and dead "
                    + "letters are test data, and the backups are charged by table size every month."
            ))
        }
        return metadata(exceptions)
    }

    static var alarmTopic: [String: CloudFormation.Value] {
        metadata([
            Exception(
                id: "CKV_AWS_26",
                reason: "CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key (its key policy "
                    + "cannot be granted to CloudWatch), and a customer managed key costs monthly for notifications "
                    + "that hold only alarm names and states."
            ),
        ])
    }
}
