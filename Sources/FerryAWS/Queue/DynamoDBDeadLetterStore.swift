public import AWSClients
public import FerryQueue
import FerryStageContract
import TelegramBotAPI

/// The dead letters of a deployed stage: the records ``DeadLetterFunction`` parks in DynamoDB, listed,
/// redriven to the stage's FIFO queue and purged, so `dlq list | show | redrive | purge --stage S`
/// works as it does on the local SQLite queue.
///
/// A redriven update goes back to the end of its chat's group with a fresh receive count. Its
/// deduplication id is `<update_id>:<parked id>` rather than the `update_id` alone: SQS would silently
/// drop a message whose id it saw in the last five minutes, which an update dead-lettered moments ago
/// is, and the same would happen again on its way to the dead-letter queue if it failed once more.
/// The parked id keeps a repeated redrive of one record (after a crash between sending and deleting)
/// a duplicate that SQS drops.
public struct DynamoDBDeadLetterStore: DeadLetterStore {
    public let dynamoDB: DynamoDBClient
    public let table: String
    public let sqs: SQSClient
    /// The stage's main FIFO queue, where redriven updates go.
    public let queueURL: String

    private typealias Attribute = DeadLetterTable

    public init(dynamoDB: DynamoDBClient, table: String, sqs: SQSClient, queueURL: String) {
        self.dynamoDB = dynamoDB
        self.table = table
        self.sqs = sqs
        self.queueURL = queueURL
    }

    /// Dead letters, oldest first. DynamoDB keeps no order across partition keys, so the whole table is
    /// read (a page of up to 1 MB per request) and sorted here; dead letters are few, and expire.
    public func deadLetters(limit: Int) async throws -> [DeadLetterRecord] {
        let records = try await allItems().compactMap(Self.record(from:))
        return Array(records.sorted { ($0.deadLetteredAt, $0.id) < ($1.deadLetteredAt, $1.id) }.prefix(max(0, limit)))
    }

    public func deadLetter(id: String) async throws -> DeadLetterRecord? {
        try await dynamoDB.getItem(from: table, key: key(id), consistentRead: true).flatMap(Self.record(from:))
    }

    @discardableResult
    public func redrive(ids: [String]) async throws -> Int {
        var moved = 0
        for id in ids {
            guard let record = try await deadLetter(id: id) else { continue }
            try await redrive(record)
            moved += 1
        }
        return moved
    }

    @discardableResult
    public func redriveAll() async throws -> Int {
        let records = try await deadLetters(limit: .max)
        for record in records { try await redrive(record) }
        return records.count
    }

    @discardableResult
    public func purgeDeadLetters() async throws -> Int {
        let ids = try await allItems().compactMap { $0[Attribute.id]?.stringValue }
        for id in ids { try await dynamoDB.deleteItem(from: table, key: key(id)) }
        return ids.count
    }

    /// Sends the update back to the queue, then forgets the parked record: in this order, a failure
    /// in between leaves the record to redrive again (a duplicate SQS drops), never a lost update.
    private func redrive(_ record: DeadLetterRecord) async throws {
        guard let body = String(validating: record.update.body, as: UTF8.self) else {
            throw UpdateNotUTF8(updateID: record.update.updateID)
        }
        let message = SQSOutgoingMessage(
            body: body, groupID: record.update.groupID, deduplicationID: Self.redriveDeduplicationID(record)
        )
        try await sqs.sendMessage(message, to: queueURL)
        try await dynamoDB.deleteItem(from: table, key: key(record.id))
    }

    /// `<update_id>:<parked id>`, within SQS's 128 characters.
    static func redriveDeduplicationID(_ record: DeadLetterRecord) -> String {
        String("\(record.update.updateID):\(record.id)".prefix(128))
    }

    private func key(_ id: String) -> DynamoDBItem { [Attribute.id: .string(id)] }

    /// Every item of the table, page by page; bounded by the table, which TTL keeps small.
    private func allItems() async throws -> [DynamoDBItem] {
        var items: [DynamoDBItem] = []
        var start: DynamoDBItem?
        repeat {
            let page = try await dynamoDB.scan(table, exclusiveStartKey: start)
            items += page.items
            start = page.lastEvaluatedKey
        } while start != nil
        return items
    }

    /// A parked item as a record; `nil` for an item that is not one (no id or body).
    static func record(from item: DynamoDBItem) -> DeadLetterRecord? {
        guard let id = item[Attribute.id]?.stringValue, let body = item[Attribute.body]?.stringValue else { return nil }
        let bytes = Array(body.utf8)
        let keys = try? UpdateRoutingKeys.extract(from: bytes)
        let deadLetteredAt = item[Attribute.deadLetteredAt]?.intValue.map(Int64.init) ?? 0
        let groupID = item[Attribute.groupID]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? keys?.group.id ?? ""
        return DeadLetterRecord(
            id: id,
            update: QueuedUpdate(updateID: item[Attribute.updateID]?.intValue ?? keys?.updateID ?? 0, groupID: groupID, body: bytes),
            attempts: item[Attribute.attempts]?.intValue ?? 0,
            reason: item[Attribute.reason]?.stringValue ?? "",
            // Parked before the consumer recorded it: the best known is when it was dead-lettered.
            enqueuedAt: item[Attribute.enqueuedAt]?.intValue.map(Int64.init) ?? deadLetteredAt,
            deadLetteredAt: deadLetteredAt
        )
    }
}
