import AsyncHTTPClient
import Foundation
import FerryTestSupport
import Testing

@testable import AWSClients
@testable import FerryAWS

@Suite("DynamoDB values")
struct DynamoDBValueTests {
    @Test("every attribute type encodes to its one-key JSON form and back")
    func roundTrip() throws {
        let item: DynamoDBItem = [
            "s": .string("text"), "n": .number(42), "b": .binary([0, 255]), "t": .bool(true), "z": .null,
            "l": .list([.string("a"), .number("1.5")]), "m": .map(["inner": .string("x")]),
            "ss": .stringSet(["a", "b"]), "ns": .numberSet(["1", "2"]), "bs": .binarySet([[1], [2]]),
        ]
        let json = try JSONEncoder().encode(item)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: [String: Any]])
        #expect(object["n"]?["N"] as? String == "42")
        #expect(object["b"]?["B"] as? String == "AP8=")
        #expect(object["z"]?["NULL"] as? Bool == true)
        #expect(try JSONDecoder().decode(DynamoDBItem.self, from: json) == item)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(DynamoDBValue.self, from: Data(#"{"S":"a","N":"1"}"#.utf8)) }
    }
}

/// The DynamoDB client against a real `moto_server` on 127.0.0.1.
@Suite(
    "DynamoDB against moto",
    .needs(.moto),
    .motoServer
)
struct DynamoDBIntegrationTests {
    @Test("items are written, read, queried in sort order, paged, conditionally refused and deleted")
    func itemLifecycle() async throws {
        let server = try #require(MotoServer.current)
        let dynamo = DynamoDBClient(configuration: server.configuration, httpClient: .shared)
        let table = "sessions-\(UUID().uuidString.prefix(8))"
        try await dynamo.createTable(named: table, partitionKey: "chat", sortKey: "key")

        for index in [3, 1, 2] {
            try await dynamo.putItem(["chat": .string("42"), "key": .string("k\(index)"), "count": .number(index)], into: table)
        }
        try await dynamo.putItem(["chat": .string("7"), "key": .string("k1"), "blob": .binary([1, 2])], into: table)

        let item = try await dynamo.getItem(from: table, key: ["chat": .string("42"), "key": .string("k2")], consistentRead: true)
        #expect(item?["count"]?.intValue == 2)
        #expect(try await dynamo.getItem(from: table, key: ["chat": .string("42"), "key": .string("k9")]) == nil)

        let page = try await dynamo.query(table, keyConditionExpression: "#c = :c", names: ["#c": "chat"], values: [":c": .string("42")], ascending: false)
        #expect(page.items.compactMap { $0["key"]?.stringValue } == ["k3", "k2", "k1"])

        let first = try await dynamo.query(table, keyConditionExpression: "chat = :c", values: [":c": .string("42")], limit: 2)
        #expect(first.items.count == 2)
        let startKey: DynamoDBItem = try #require(first.lastEvaluatedKey)
        let rest = try await dynamo.query(table, keyConditionExpression: "chat = :c", values: [":c": .string("42")], exclusiveStartKey: startKey)
        #expect(rest.items.compactMap { $0["key"]?.stringValue } == ["k3"])

        let everything = try await dynamo.scan(table)
        #expect(everything.items.count == 4)
        #expect(everything.items.contains { $0["blob"]?.binaryValue == [1, 2] })

        let refused = await #expect(throws: AWSServiceError.self) {
            try await dynamo.putItem(
                ["chat": .string("42"), "key": .string("k1")],
                into: table,
                conditionExpression: "attribute_not_exists(#k)",
                names: ["#k": "key"]
            )
        }
        #expect(refused?.code == "ConditionalCheckFailedException")

        try await dynamo.deleteItem(from: table, key: ["chat": .string("42"), "key": .string("k1")])
        #expect(try await dynamo.getItem(from: table, key: ["chat": .string("42"), "key": .string("k1")]) == nil)

        let missing = await #expect(throws: AWSServiceError.self) { _ = try await dynamo.scan("no-such-table") }
        #expect(missing?.code == "ResourceNotFoundException")
    }
}
