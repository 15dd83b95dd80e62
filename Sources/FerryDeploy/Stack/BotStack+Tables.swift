import FerryStageContract

extension BotStack {
    /// The sessions table and the table of parked dead letters: on-demand billing (no capacity to plan; a quiet
    /// bot costs nothing), items expiring by themselves, point-in-time recovery on unless ``pointInTimeRecovery`` is off.
    var tableResources: [String: CloudFormation.Resource] {
        [
            LogicalID.sessionsTable: table(named: names.sessionsTable, partitionKey: SessionsTable.key),
            LogicalID.deadLetterTable: table(named: names.deadLetterTable, partitionKey: DeadLetterTable.id),
        ]
    }

    private func table(named name: String, partitionKey: String) -> CloudFormation.Resource {
        let policy: CloudFormation.RemovalPolicy = retainsTablesOnRemoval ? .retain : .delete
        return CloudFormation.Resource(
            type: "AWS::DynamoDB::Table",
            properties: [
                "TableName": .string(name),
                "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [["AttributeName": .string(partitionKey), "AttributeType": "S"]],
                "KeySchema": [["AttributeName": .string(partitionKey), "KeyType": "HASH"]],
                "TimeToLiveSpecification": ["AttributeName": .string(StageTables.expiresAt), "Enabled": true],
                "PointInTimeRecoverySpecification": pointInTimeRecovery
                    ? ["PointInTimeRecoveryEnabled": true, "RecoveryPeriodInDays": .integer(backupRetentionDays)]
                    : ["PointInTimeRecoveryEnabled": false],
                // Encrypted with the account's AWS managed DynamoDB key rather than the default AWS owned key, so
                // key use shows in CloudTrail.
                "SSESpecification": ["SSEEnabled": true],
            ],
            deletionPolicy: policy,
            updateReplacePolicy: policy,
            metadata: ScannerExceptions.table(pointInTimeRecovery: pointInTimeRecovery)
        )
    }
}
