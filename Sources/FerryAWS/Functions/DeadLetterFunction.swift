public import AWSClients
public import FerryRuntime
public import Logging
import FerryStageContract
import TelegramBotAPI

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The dead-letter role: for each update that reaches the dead-letter queue, parks it in a DynamoDB
/// table (as ``DeadLetterTable`` lays it out; an operator lists and redrives it there), logs it as one
/// JSON line, and runs the bot's `onDeadLetter` hook once.
///
/// A record is never retried for the bot's sake: a failing hook is logged and the record reported
/// handled, so a broken notification cannot loop. Only a record that could not be parked is left on
/// the queue, since deleting it would lose the update; parking is keyed by the dead-letter message's
/// id and conditional, so a redelivered record runs the hook no second time.
public struct DeadLetterFunction: LambdaFunction {
    private typealias Attribute = DeadLetterTable

    public let processor: UpdateProcessor
    public let dynamoDB: DynamoDBClient
    public let table: String
    /// How long a parked update is kept before DynamoDB deletes it.
    public let retention: Duration
    let logger: Logger
    let log: @Sendable (String) -> Void

    /// - Parameter log: where the JSON line of each dead letter goes (standard output, which Lambda
    ///   sends to CloudWatch Logs).
    public init(
        processor: UpdateProcessor, dynamoDB: DynamoDBClient, table: String, retention: Duration = .seconds(30 * 24 * 3600),
        logger: Logger = Logger(label: "ferry.dead-letter"),
        log: @escaping @Sendable (String) -> Void = { print($0) }
    ) {
        self.processor = processor
        self.dynamoDB = dynamoDB
        self.table = table
        self.retention = retention
        self.logger = logger
        self.log = log
    }

    public func handle(_ event: SQSEvent) async -> SQSBatchResponse {
        var failed: [String] = []
        for record in event.records {
            let letter = DeadLetterMessage(record.message)
            let isNew: Bool
            do {
                isNew = try await park(letter)
            } catch {
                logger.error("could not park a dead letter; it stays on the queue", metadata: ["message_id": "\(letter.id)", "error": "\(error)"])
                failed.append(letter.id)
                continue
            }
            guard isNew else { continue }
            log(letter.logLine)
            // A `serve --queue sqs` host ran the hook when it dead-lettered the update.
            guard !letter.hookRan else { continue }
            await processor.notifyDeadLetter(body: letter.body, reason: letter.reason, attempts: letter.attempts)
        }
        return SQSBatchResponse(failedMessageIDs: failed)
    }

    /// Stores the letter unless it was stored before; returns whether it was new.
    private func park(_ letter: DeadLetterMessage) async throws -> Bool {
        var item: DynamoDBItem = [
            Attribute.id: .string(letter.id),
            Attribute.updateID: .number(letter.updateID),
            Attribute.groupID: .string(letter.groupID),
            Attribute.body: .string(letter.bodyText),
            Attribute.reason: .string(letter.reason),
            Attribute.attempts: .number(letter.attempts),
            Attribute.deadLetteredAt: .number(letter.deadLetteredAt),
            Attribute.expiresAt: .number(letter.deadLetteredAt / 1000 + retention.components.seconds),
        ]
        if let enqueuedAt = letter.enqueuedAt { item[Attribute.enqueuedAt] = .number(enqueuedAt) }
        do {
            try await dynamoDB.putItem(item, into: table, conditionExpression: "attribute_not_exists(#pk)", names: ["#pk": Attribute.id])
            return true
        } catch let error as AWSServiceError where error.code == "ConditionalCheckFailedException" {
            return false
        }
    }
}

/// What a dead-letter queue message says about its update.
struct DeadLetterMessage {
    var id: String
    var updateID: Int
    var groupID: String
    var bodyText: String
    var reason: String
    var attempts: Int
    var deadLetteredAt: Int64
    var enqueuedAt: Int64?
    var hookRan: Bool

    init(_ message: SQSMessage) {
        id = message.messageID
        bodyText = message.body
        updateID = message.messageDeduplicationID.flatMap { Int($0) }
            ?? (try? UpdateRoutingKeys.extract(from: Array(message.body.utf8)).updateID)
            ?? 0
        groupID = message.messageGroupID ?? ""
        // Without the consumer's attributes, the queue's redrive policy moved it: attempts ran out.
        reason = message.messageAttributes[SQSUpdateQueue.reasonAttribute]?.stringValue
            ?? message.messageAttributes[SQSUpdateQueue.reasonAttributeBeforeDecember2026]?.stringValue
            ?? "moved by the queue's redrive policy after its receives ran out"
        attempts = message.messageAttributes[SQSUpdateQueue.attemptsAttribute]?.stringValue.flatMap { Int($0) }
            ?? message.approximateReceiveCount ?? 0
        deadLetteredAt = message.sentTimestamp ?? Int64(Date().timeIntervalSince1970 * 1000)
        enqueuedAt = message.messageAttributes[SQSUpdateQueue.enqueuedAtAttribute]?.stringValue.flatMap { Int64($0) }
        hookRan = message.messageAttributes[SQSUpdateQueue.hookRanAttribute]?.stringValue == "true"
    }

    var body: [UInt8] { Array(bodyText.utf8) }

    /// One JSON object, so CloudWatch Logs Insights can filter on its fields.
    var logLine: String {
        struct Line: Encodable {
            var event = "dead_letter"
            var message_id: String
            var update_id: Int
            var group_id: String
            var reason: String
            var attempts: Int
        }
        let line = Line(message_id: id, update_id: updateID, group_id: groupID, reason: reason, attempts: attempts)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(line)).map { String(decoding: $0, as: UTF8.self) } ?? #"{"event":"dead_letter"}"#
    }
}
