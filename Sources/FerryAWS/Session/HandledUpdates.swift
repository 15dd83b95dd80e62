public import AWSClients
import FerryStageContract

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Remembers which updates were handled, so a redelivery that SQS's five-minute deduplication window
/// no longer catches (Telegram retries for up to 24 hours) is not handled twice.
///
/// The consumer asks before handling and records after: a crash in between handles the update again
/// (at least once, never lost). Checking and recording need no lock, since the updates of one chat,
/// duplicates included, reach the consumer one at a time.
public protocol HandledUpdates: Sendable {
    func contains(updateID: Int) async throws -> Bool
    func insert(updateID: Int) async throws
}

/// ``HandledUpdates`` as items in the sessions table (`ferry:handled-update:<update_id>`), each
/// expiring after 24 hours, so no further table or permission is needed. Off by default: it costs a
/// read and a write per update (`FERRY_IDEMPOTENCY=on` turns it on in the consumer).
public struct DynamoDBHandledUpdates: HandledUpdates {
    /// How long Telegram keeps redelivering an update it could not hand over.
    public static let retention: Duration = .seconds(24 * 3600)
    static let keyPrefix = "ferry:handled-update:"

    public let dynamoDB: DynamoDBClient
    public let table: String
    private let now: @Sendable () -> Date

    public init(dynamoDB: DynamoDBClient, table: String) {
        self.init(dynamoDB: dynamoDB, table: table, now: { Date() })
    }

    init(dynamoDB: DynamoDBClient, table: String, now: @escaping @Sendable () -> Date) {
        self.dynamoDB = dynamoDB
        self.table = table
        self.now = now
    }

    public func contains(updateID: Int) async throws -> Bool {
        guard let item = try await dynamoDB.getItem(from: table, key: key(updateID), consistentRead: true) else { return false }
        // An expired record DynamoDB has not deleted yet no longer counts: Telegram chooses update ids at
        // random again after a week without updates, so an old id may come back as a new update.
        let expiresAt = item[SessionsTable.expiresAt]?.intValue ?? 0
        return expiresAt > Int(now().timeIntervalSince1970)
    }

    public func insert(updateID: Int) async throws {
        var item = key(updateID)
        item[SessionsTable.expiresAt] = .number(Int64(now().timeIntervalSince1970) + Self.retention.components.seconds)
        try await dynamoDB.putItem(item, into: table)
    }

    private func key(_ updateID: Int) -> DynamoDBItem {
        [SessionsTable.key: .string(Self.keyPrefix + String(updateID))]
    }
}
