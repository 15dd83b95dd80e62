public import AWSClients
public import Ferry
import FerryStageContract

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Sessions in a DynamoDB table (the stage's sessions table, `SESSIONS_TABLE`), so a chat's state
/// follows it from one Lambda execution environment, or one `serve` machine, to the next.
///
/// Concurrent updates of one key stay correct the way they do on the SQLite store: the runtime hands a
/// chat's updates out one at a time (FIFO message groups), so one session is never loaded by two
/// updates at once, and each save replaces the whole item atomically. What DynamoDB adds is a stale
/// read: by default a read may miss a write made a moment ago, which would let the next update of the
/// chat start from the state before the last one and overwrite it. Every load here is therefore a
/// strongly consistent read.
///
/// Items have ``SessionsTable``'s attributes: `key`, `value`, `updatedAt` and, with a ``timeToLive``, `expiresAt`.
public struct DynamoDBSessionStore: SessionStore {
    private typealias Attribute = SessionsTable

    /// DynamoDB refuses an item over 400 KB; this leaves room for the key and the other attributes.
    public static let maximumSessionSize = 390 * 1024

    public let dynamoDB: DynamoDBClient
    public let table: String
    /// How long after its last save a session is forgotten; `nil` keeps sessions until deleted.
    public let timeToLive: Duration?
    private let now: @Sendable () -> Date

    public init(dynamoDB: DynamoDBClient, table: String, timeToLive: Duration? = nil) {
        self.init(dynamoDB: dynamoDB, table: table, timeToLive: timeToLive, now: { Date() })
    }

    init(dynamoDB: DynamoDBClient, table: String, timeToLive: Duration?, now: @escaping @Sendable () -> Date) {
        self.dynamoDB = dynamoDB
        self.table = table
        self.timeToLive = timeToLive
        self.now = now
    }

    public func load(key: String) async throws -> [UInt8]? {
        guard let item = try await dynamoDB.getItem(from: table, key: [Attribute.key: .string(key)], consistentRead: true) else {
            return nil
        }
        // DynamoDB deletes expired items up to a few days late; until then they are still read.
        if let expiresAt = item[Attribute.expiresAt]?.intValue, expiresAt <= Int(now().timeIntervalSince1970) { return nil }
        return item[Attribute.value]?.binaryValue
    }

    public func save(_ data: [UInt8], key: String) async throws {
        guard data.count <= Self.maximumSessionSize else {
            throw SessionTooLarge(key: key, size: data.count, limit: Self.maximumSessionSize)
        }
        let time = now()
        var item: DynamoDBItem = [
            Attribute.key: .string(key),
            Attribute.value: .binary(data),
            Attribute.updatedAt: .number(Int64(time.timeIntervalSince1970 * 1000)),
        ]
        if let timeToLive {
            item[Attribute.expiresAt] = .number(Int64(time.timeIntervalSince1970) + timeToLive.components.seconds)
        }
        try await dynamoDB.putItem(item, into: table)
    }

    public func delete(key: String) async throws {
        try await dynamoDB.deleteItem(from: table, key: [Attribute.key: .string(key)])
    }
}

/// A session too large for one DynamoDB item.
public struct SessionTooLarge: Error, Sendable, Hashable, CustomStringConvertible {
    public var key: String
    public var size: Int
    public var limit: Int
    public var description: String {
        "the session \(key) encodes to \(size) bytes; a DynamoDB session holds at most \(limit): keep large data elsewhere"
    }
}
