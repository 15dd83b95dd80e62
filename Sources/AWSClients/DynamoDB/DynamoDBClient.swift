import AsyncHTTPClient
public import Logging

/// One page of a `Query` or `Scan`: the items, and the key to continue from when there are more.
public struct DynamoDBPage: Sendable, Equatable {
    public var items: [DynamoDBItem]
    /// Pass as `exclusiveStartKey` to read the next page; `nil` on the last page.
    public var lastEvaluatedKey: DynamoDBItem?
}

/// Amazon DynamoDB over its JSON protocol: single-item reads and writes, `Query` and `Scan`.
///
/// Expressions use placeholders: `#name` from `names`, `:value` from `values`. A failed
/// `conditionExpression` throws ``AWSServiceError`` with code `ConditionalCheckFailedException`.
public struct DynamoDBClient: AWSServiceClient {
    public let client: AWSJSONClient

    public static let service = AWSJSONService.dynamoDB

    public init(wrapping client: AWSJSONClient) {
        self.client = client
    }

    public static let silentLogger = Logger(label: "ferry.dynamodb", factory: { _ in SwiftLogNoOpLogHandler() })

    /// The item with `key`, or `nil` when there is none.
    public func getItem(from table: String, key: DynamoDBItem, consistentRead: Bool = false) async throws -> DynamoDBItem? {
        try await client.send(
            "GetItem",
            Wire.GetItem(TableName: table, Key: key, ConsistentRead: consistentRead),
            as: Wire.ItemOutput.self
        ).Item
    }

    /// Writes `item`, replacing any item with the same key unless `conditionExpression` forbids it
    /// (`attribute_not_exists(#pk)` to only create).
    public func putItem(
        _ item: DynamoDBItem,
        into table: String,
        conditionExpression: String? = nil,
        names: [String: String] = [:],
        values: DynamoDBItem = [:]
    ) async throws {
        try await client.send(
            "PutItem",
            Wire.PutItem(
                TableName: table,
                Item: item,
                ConditionExpression: conditionExpression,
                ExpressionAttributeNames: names.isEmpty ? nil : names,
                ExpressionAttributeValues: values.isEmpty ? nil : values
            )
        )
    }

    /// Changes the item with `key` by `updateExpression` (`ADD #count :one SET #expires = :expires`), creating
    /// it when there is none: one request, applied atomically.
    public func updateItem(
        in table: String,
        key: DynamoDBItem,
        updateExpression: String,
        names: [String: String] = [:],
        values: DynamoDBItem = [:]
    ) async throws {
        try await client.send(
            "UpdateItem",
            Wire.UpdateItem(
                TableName: table,
                Key: key,
                UpdateExpression: updateExpression,
                ExpressionAttributeNames: names.isEmpty ? nil : names,
                ExpressionAttributeValues: values.isEmpty ? nil : values
            )
        )
    }

    /// Deletes the item with `key`; deleting an item that does not exist succeeds.
    public func deleteItem(
        from table: String,
        key: DynamoDBItem,
        conditionExpression: String? = nil,
        names: [String: String] = [:],
        values: DynamoDBItem = [:]
    ) async throws {
        try await client.send(
            "DeleteItem",
            Wire.DeleteItem(
                TableName: table,
                Key: key,
                ConditionExpression: conditionExpression,
                ExpressionAttributeNames: names.isEmpty ? nil : names,
                ExpressionAttributeValues: values.isEmpty ? nil : values
            )
        )
    }

    /// The items matching `keyConditionExpression`, in sort-key order (reversed when `ascending` is false).
    public func query(
        _ table: String,
        keyConditionExpression: String,
        names: [String: String] = [:],
        values: DynamoDBItem,
        indexName: String? = nil,
        ascending: Bool = true,
        limit: Int? = nil,
        exclusiveStartKey: DynamoDBItem? = nil
    ) async throws -> DynamoDBPage {
        let output = try await client.send(
            "Query",
            Wire.Query(
                TableName: table,
                IndexName: indexName,
                KeyConditionExpression: keyConditionExpression,
                ExpressionAttributeNames: names.isEmpty ? nil : names,
                ExpressionAttributeValues: values,
                ScanIndexForward: ascending,
                Limit: limit,
                ExclusiveStartKey: exclusiveStartKey
            ),
            as: Wire.PageOutput.self
        )
        return DynamoDBPage(items: output.Items ?? [], lastEvaluatedKey: output.LastEvaluatedKey)
    }

    /// One page of every item in the table.
    public func scan(_ table: String, limit: Int? = nil, exclusiveStartKey: DynamoDBItem? = nil) async throws -> DynamoDBPage {
        let output = try await client.send(
            "Scan",
            Wire.Scan(TableName: table, Limit: limit, ExclusiveStartKey: exclusiveStartKey),
            as: Wire.PageOutput.self
        )
        return DynamoDBPage(items: output.Items ?? [], lastEvaluatedKey: output.LastEvaluatedKey)
    }

    /// Creates an on-demand table keyed by a string partition key and an optional string sort key:
    /// for tests and local set-up; deployed tables come from the infrastructure template.
    public func createTable(named table: String, partitionKey: String, sortKey: String? = nil) async throws {
        let keys = [(partitionKey, "HASH")] + (sortKey.map { [($0, "RANGE")] } ?? [])
        try await client.send(
            "CreateTable",
            Wire.CreateTable(
                TableName: table,
                KeySchema: keys.map { Wire.CreateTable.Key(AttributeName: $0.0, KeyType: $0.1) },
                AttributeDefinitions: keys.map { Wire.CreateTable.Attribute(AttributeName: $0.0, AttributeType: "S") },
                BillingMode: "PAY_PER_REQUEST"
            )
        )
    }

    /// The operations' JSON shapes, with the API's PascalCase member names.
    private enum Wire {
        struct GetItem: Encodable {
            var TableName: String
            var Key: DynamoDBItem
            var ConsistentRead: Bool
        }

        struct ItemOutput: Decodable {
            var Item: DynamoDBItem?
        }

        struct PutItem: Encodable {
            var TableName: String
            var Item: DynamoDBItem
            var ConditionExpression: String?
            var ExpressionAttributeNames: [String: String]?
            var ExpressionAttributeValues: DynamoDBItem?
        }

        struct UpdateItem: Encodable {
            var TableName: String
            var Key: DynamoDBItem
            var UpdateExpression: String
            var ExpressionAttributeNames: [String: String]?
            var ExpressionAttributeValues: DynamoDBItem?
        }

        struct DeleteItem: Encodable {
            var TableName: String
            var Key: DynamoDBItem
            var ConditionExpression: String?
            var ExpressionAttributeNames: [String: String]?
            var ExpressionAttributeValues: DynamoDBItem?
        }

        struct Query: Encodable {
            var TableName: String
            var IndexName: String?
            var KeyConditionExpression: String
            var ExpressionAttributeNames: [String: String]?
            var ExpressionAttributeValues: DynamoDBItem
            var ScanIndexForward: Bool
            var Limit: Int?
            var ExclusiveStartKey: DynamoDBItem?
        }

        struct Scan: Encodable {
            var TableName: String
            var Limit: Int?
            var ExclusiveStartKey: DynamoDBItem?
        }

        struct PageOutput: Decodable {
            var Items: [DynamoDBItem]?
            var LastEvaluatedKey: DynamoDBItem?
        }

        struct CreateTable: Encodable {
            struct Key: Encodable {
                var AttributeName: String
                var KeyType: String
            }

            struct Attribute: Encodable {
                var AttributeName: String
                var AttributeType: String
            }

            var TableName: String
            var KeySchema: [Key]
            var AttributeDefinitions: [Attribute]
            var BillingMode: String
        }
    }
}
