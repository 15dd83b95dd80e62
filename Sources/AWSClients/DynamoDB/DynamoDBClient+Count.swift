extension DynamoDBClient {
    /// How many items the table holds, counted by scanning it (DynamoDB's own count in `DescribeTable` is
    /// up to six hours old), reading at most `limit` items' worth of pages; `nil` when there are more.
    public func count(_ table: String, limit: Int) async throws -> Int? {
        var counted = 0
        var start: DynamoDBItem?
        repeat {
            let output = try await client.send(
                "Scan",
                CountScan(TableName: table, Select: "COUNT", ExclusiveStartKey: start, Limit: max(1, limit - counted + 1)),
                as: CountScanOutput.self
            )
            counted += output.Count
            start = output.LastEvaluatedKey
            if counted > limit { return nil }
        } while start != nil
        return counted
    }

    private struct CountScan: Encodable {
        var TableName: String
        var Select: String
        var ExclusiveStartKey: DynamoDBItem?
        var Limit: Int
    }

    private struct CountScanOutput: Decodable {
        var Count: Int
        var LastEvaluatedKey: DynamoDBItem?
    }
}
