public import AWSClients
import FerryStageContract

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The receives of SQS messages that were not attempts, so an update's attempts are its own.
///
/// SQS counts every receive (`ApproximateReceiveCount`) and cannot give one back. A Lambda batch
/// holds several records of a chat, so while the first one fails and waits for its retry, the ones
/// behind it are received again and again without running; a flood-control wait or a record the
/// invocation had no time left to start is received without being tried as well. ``SQSUpdateQueue``
/// writes each such receive here when it releases the message with `countingAttempt: false`, and an
/// update's attempts are its receives less these.
///
/// It is written and read only on the failure path: a message released uncounted costs one write;
/// a message received a second time costs one read. A message received once and handled costs nothing.
public protocol UncountedReceives: Sendable {
    /// How many receives of the message were not attempts.
    func count(messageID: String) async throws -> Int
    /// Records one more receive of the message that was not an attempt.
    func add(messageID: String) async throws
}

/// ``UncountedReceives`` as items in the sessions table (`ferry:uncounted-receives:<message id>`), so no
/// further table or permission is needed. Keyed by SQS message id rather than `update_id`: a dead letter
/// redriven to the queue is a new message and starts with fresh attempts. Each item expires with the
/// longest an SQS message can live, 14 days.
public struct DynamoDBUncountedReceives: UncountedReceives {
    static let keyPrefix = "ferry:uncounted-receives:"
    static let countAttribute = "count"
    /// SQS's longest message retention: no message outlives its items.
    static let retention: Duration = .seconds(14 * 24 * 3600)

    public let dynamoDB: DynamoDBClient
    public let table: String

    public init(dynamoDB: DynamoDBClient, table: String) {
        self.dynamoDB = dynamoDB
        self.table = table
    }

    public func count(messageID: String) async throws -> Int {
        try await dynamoDB.getItem(from: table, key: key(messageID), consistentRead: true)?[Self.countAttribute]?.intValue ?? 0
    }

    public func add(messageID: String) async throws {
        let expiresAt = Int64(Date().timeIntervalSince1970) + Self.retention.components.seconds
        try await dynamoDB.updateItem(
            in: table,
            key: key(messageID),
            updateExpression: "ADD #count :one SET #expiresAt = :expiresAt",
            names: ["#count": Self.countAttribute, "#expiresAt": SessionsTable.expiresAt],
            values: [":one": .number(1), ":expiresAt": .number(expiresAt)]
        )
    }

    private func key(_ messageID: String) -> DynamoDBItem {
        [SessionsTable.key: .string(Self.keyPrefix + messageID)]
    }
}
