public import AWSClients
public import FerryQueue
import Synchronization
import TelegramBotAPI

/// An ``UpdateQueue`` on an SQS FIFO queue and its FIFO dead-letter queue, so the dispatcher and the
/// webhook ingress run unchanged over SQS.
///
/// Each update is one message: the update's JSON exactly as Telegram sent it is the body, its FIFO
/// group is the message group, and its `update_id` is the deduplication id.
///
/// Where SQS differs from the embedded queue:
/// - **Duplicates are reported as new.** SQS drops a message whose deduplication id it accepted in the
///   last five minutes but answers the send as if it had stored it, so ``enqueue(_:)`` reports
///   `.enqueued` for a duplicate, and only within those five minutes (not 24 hours) is it dropped.
/// - **Attempts need a ledger.** SQS counts every receive and cannot give one back. With
///   ``uncountedReceives``, a release with `countingAttempt: false` is written there and an update's
///   attempts are its receives less those; without it, every receive counts an attempt. The released
///   update's `reason` is not kept (`lastReason` is always `nil`).
/// - **Stale receipts.** SQS answers a delete with an outdated receipt handle by keeping the message
///   (or, for some handles, refusing it), never by deleting a newer delivery.
///
/// ``deadLetter(_:reason:)`` needs the update of a receipt, which SQS does not return: the queue keeps
/// the updates it delivered, until each is settled or its visibility timeout ends, so dead-lettering
/// works only with receipts this instance received or adopted (``adopt(_:for:)``, for messages
/// Lambda's event source received).
public struct SQSUpdateQueue: UpdateQueue {
    /// The message attribute that carries why an update was dead-lettered.
    public static let reasonAttribute = "ferry-reason"
    /// What ``reasonAttribute`` was called before December 2026: a dead-letter queue keeps messages for
    /// 14 days, so the dead-letter function still reads it from letters an older consumer wrote.
    static let reasonAttributeBeforeDecember2026 = "ferry-error"
    /// The message attribute that carries how many deliveries a dead-lettered update had.
    public static let attemptsAttribute = "ferry-attempts"
    /// The message attribute that carries when a dead-lettered update first entered the queue
    /// (milliseconds since 1970), so `dlq list` can tell how long it waited.
    public static let enqueuedAtAttribute = "ferry-enqueued-at"
    /// Set on updates dead-lettered through this queue: the dispatcher that did it ran the bot's
    /// `onDeadLetter` hook already, so the dead-letter function parks them without running it again.
    public static let hookRanAttribute = "ferry-hook-ran"
    /// Message attributes are part of SQS's size limit; a reason longer than this is cut.
    static let maximumReasonLength = 4096
    /// SQS's longest visibility timeout: 12 hours.
    static let maximumVisibilitySeconds = 43_200

    public let sqs: SQSClient
    public let queueURL: String
    /// Where ``deadLetter(_:reason:)`` sends updates; `nil` for a queue only written to (the webhook),
    /// which then cannot dead-letter.
    public let deadLetterQueueURL: String?
    /// Where releases that used no attempt are counted; `nil` counts every receive as an attempt.
    public let uncountedReceives: (any UncountedReceives)?

    /// With a ledger of uncounted receives, an update's attempts are the receives that used one.
    public var countsOnlyAttemptsUsed: Bool { uncountedReceives != nil }
    private let deliveries = Deliveries()

    public init(sqs: SQSClient, queueURL: String, deadLetterQueueURL: String?, uncountedReceives: (any UncountedReceives)? = nil) {
        self.sqs = sqs
        self.queueURL = queueURL
        self.deadLetterQueueURL = deadLetterQueueURL
        self.uncountedReceives = uncountedReceives
    }

    public func enqueue(_ updates: [QueuedUpdate]) async throws -> [EnqueueOutcome] {
        var start = 0
        while start < updates.count {
            let chunk = updates[start..<min(start + SQSClient.maxBatchSize, updates.count)]
            let entries = try chunk.enumerated().map { offset, update in
                (id: String(offset), message: try Self.message(for: update))
            }
            let result = try await sqs.sendMessageBatch(entries, to: queueURL)
            // The updates before a refused one are stored; the caller retries all, and SQS drops the
            // repeats by deduplication id.
            if let failure = result.failed.first { throw failure }
            start += chunk.count
        }
        return Array(repeating: .enqueued, count: updates.count)
    }

    /// Receives one message per call: SQS hands out several messages of one group in a single
    /// receive, while the protocol promises only group heads. Asking for one at a time keeps the rest
    /// of a group queued (and their receive counts untouched) until its head is settled.
    public func receive(maximumCount: Int, visibilityTimeout: Duration) async throws -> [ReceivedUpdate] {
        let visibilitySeconds = Self.seconds(visibilityTimeout)
        var received: [ReceivedUpdate] = []
        var messageIDs: [String] = []
        for _ in 0..<max(0, maximumCount) {
            let messages = try await sqs.receiveMessages(
                from: queueURL, maxMessages: 1, waitTimeSeconds: 0, visibilityTimeoutSeconds: visibilitySeconds
            )
            guard let message = messages.first else { break }
            let delivery = await withOwnAttempts(adopt(message, for: visibilityTimeout))
            // A batch that took longer than the visibility timeout meets its first messages again: the
            // new delivery replaces the old one, whose receipt SQS no longer honours, and the batch ends
            // there, since everything from here on was already received in it.
            if let earlier = messageIDs.firstIndex(of: message.messageID) {
                deliveries.forget(received[earlier].receipt)
                received[earlier] = delivery
                break
            }
            messageIDs.append(message.messageID)
            received.append(delivery)
        }
        return received
    }

    /// Takes over a message someone else received (Lambda's event source), so that releasing and
    /// dead-lettering work on its receipt, for `visibility` at most. Its attempts are its receives until
    /// ``withOwnAttempts(_:)`` counts them.
    public func adopt(_ message: SQSMessage, for visibility: Duration) -> ReceivedUpdate {
        let delivery = ReceivedUpdate(
            receipt: QueueReceipt(message.receiptHandle),
            update: Self.update(from: message),
            attempts: message.approximateReceiveCount ?? 1
        )
        deliveries.remember(delivery, messageID: message.messageID, enqueuedAt: message.sentTimestamp, for: visibility)
        return delivery
    }

    /// `delivery` with its own attempts: its receives less those released without using an attempt.
    /// Only a message received before is looked up. When the ledger cannot be read, every receive counts:
    /// the update may be dead-lettered early, but a crash loop cannot go on for ever.
    public func withOwnAttempts(_ delivery: ReceivedUpdate) async -> ReceivedUpdate {
        guard let uncountedReceives, delivery.attempts > 1, let messageID = deliveries.messageID(for: delivery.receipt) else {
            return delivery
        }
        var counted = delivery
        if let uncounted = try? await uncountedReceives.count(messageID: messageID) {
            counted.attempts = max(1, delivery.attempts - uncounted)
            deliveries.update(counted)
        }
        return counted
    }

    /// Drops what the queue keeps about deliveries settled elsewhere (Lambda deletes handled records itself).
    func forget(_ receipts: [QueueReceipt]) {
        for receipt in receipts { deliveries.forget(receipt) }
    }

    public func acknowledge(_ receipts: [QueueReceipt]) async throws {
        var start = 0
        while start < receipts.count {
            let chunk = receipts[start..<min(start + SQSClient.maxBatchSize, receipts.count)]
            let entries = chunk.enumerated().map { offset, receipt in (id: String(offset), receiptHandle: receipt.rawValue) }
            let failures = try await sqs.deleteMessageBatch(entries, from: queueURL)
            for receipt in chunk { deliveries.forget(receipt) }
            if let failure = failures.first {
                guard failure.code == "ReceiptHandleIsInvalid", let index = Int(failure.id) else { throw failure }
                throw StaleReceiptError(receipt: chunk[chunk.startIndex + index])
            }
            start += chunk.count
        }
    }

    /// Hides the update for `delay` more, then SQS delivers it again, before the rest of its group.
    /// `countingAttempt: false` is written to ``uncountedReceives`` (ignored without one); `reason` is not kept.
    ///
    /// - Throws: the ledger's error when the receive could not be recorded as uncounted; the update is
    ///   released all the same, and that receive counts as an attempt.
    public func release(_ receipt: QueueReceipt, after delay: Duration, reason: String, countingAttempt: Bool) async throws {
        var ledgerError: (any Error)?
        if !countingAttempt, let uncountedReceives, let messageID = deliveries.messageID(for: receipt) {
            // Written before the visibility changes: the next receive must find it.
            do { try await uncountedReceives.add(messageID: messageID) } catch { ledgerError = error }
        }
        deliveries.forget(receipt)
        do {
            try await sqs.changeMessageVisibility(receiptHandle: receipt.rawValue, visibilityTimeoutSeconds: Self.seconds(delay), in: queueURL)
        } catch let error as AWSServiceError where error.code == "ReceiptHandleIsInvalid" || error.code == "MessageNotInflight" {
            throw StaleReceiptError(receipt: receipt)
        }
        if let ledgerError { throw ledgerError }
    }

    /// Sends the update to the dead-letter queue (same group and deduplication id, the reason and the
    /// attempts as message attributes), then deletes it from the queue.
    public func deadLetter(_ receipt: QueueReceipt, reason: String) async throws {
        guard let deadLetterQueueURL else { throw NoDeadLetterQueue() }
        guard let entry = deliveries.entry(for: receipt) else { throw StaleReceiptError(receipt: receipt) }
        let delivery = entry.delivery
        var message = try Self.message(for: delivery.update)
        message.attributes = Self.deadLetterAttributes(reason: reason, attempts: delivery.attempts, enqueuedAt: entry.enqueuedAt)
        message.attributes[Self.hookRanAttribute] = .string("true")
        try await sqs.sendMessage(message, to: deadLetterQueueURL)
        try await acknowledge([receipt])
    }

    // MARK: Messages

    /// The message that carries `update`: SQS bodies are text, so a body that is not UTF-8 is refused
    /// rather than altered.
    static func message(for update: QueuedUpdate) throws -> SQSOutgoingMessage {
        guard let body = String(validating: update.body, as: UTF8.self) else { throw UpdateNotUTF8(updateID: update.updateID) }
        return SQSOutgoingMessage(body: body, groupID: update.groupID, deduplicationID: String(update.updateID))
    }

    /// The update a message carries. Messages this queue sent have the `update_id` as their
    /// deduplication id; for any other the id is read from the body (0 when it has none, and the
    /// dispatcher then dead-letters the body it cannot decode).
    static func update(from message: SQSMessage) -> QueuedUpdate {
        let body = Array(message.body.utf8)
        let updateID = message.messageDeduplicationID.flatMap { Int($0) }
            ?? (try? UpdateRoutingKeys.extract(from: body).updateID)
            ?? 0
        return QueuedUpdate(updateID: updateID, groupID: message.messageGroupID ?? "", body: body)
    }

    static func deadLetterAttributes(reason: String, attempts: Int, enqueuedAt: Int64? = nil) -> [String: SQSMessageAttribute] {
        // SQS refuses an empty string attribute.
        let reason = reason.isEmpty ? "unknown" : String(reason.prefix(maximumReasonLength))
        var attributes: [String: SQSMessageAttribute] = [reasonAttribute: .string(reason), attemptsAttribute: .number(attempts)]
        if let enqueuedAt { attributes[enqueuedAtAttribute] = .number(enqueuedAt) }
        return attributes
    }

    /// Whole seconds, rounded up so an update is never shown earlier than asked, within SQS's range.
    static func seconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        let rounded = seconds + (attoseconds > 0 ? 1 : 0)
        return Int(min(max(rounded, 0), Int64(maximumVisibilitySeconds)))
    }
}

/// Dead-lettering on an ``SQSUpdateQueue`` made without a dead-letter queue.
public struct NoDeadLetterQueue: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String { "this queue has no dead-letter queue URL, so it cannot dead-letter updates" }
}

/// An update whose bytes are not UTF-8 text, which an SQS message body must be.
public struct UpdateNotUTF8: Error, Sendable, Hashable, CustomStringConvertible {
    public var updateID: Int
    public var description: String { "update \(updateID) is not UTF-8 text, which SQS requires of a message body" }
}

/// The updates received and not yet settled, by receipt: what dead-lettering needs to copy and what the
/// ledger of uncounted receives is keyed by. An entry is dropped when settled, or found past its
/// visibility timeout (the receipt is stale by then).
private final class Deliveries: Sendable {
    struct Entry {
        var delivery: ReceivedUpdate
        var messageID: String
        /// When SQS first accepted the message, in milliseconds since 1970.
        var enqueuedAt: Int64?
        var expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[QueueReceipt: Entry]>([:])

    func remember(_ delivery: ReceivedUpdate, messageID: String, enqueuedAt: Int64?, for visibilityTimeout: Duration) {
        let now = ContinuousClock.now
        entries.withLock { entries in
            entries = entries.filter { $0.value.expires > now }
            entries[delivery.receipt] = Entry(delivery: delivery, messageID: messageID, enqueuedAt: enqueuedAt, expires: now + visibilityTimeout)
        }
    }

    func update(_ delivery: ReceivedUpdate) {
        entries.withLock { $0[delivery.receipt]?.delivery = delivery }
    }

    func entry(for receipt: QueueReceipt) -> Entry? {
        entries.withLock { $0[receipt] }
    }

    func messageID(for receipt: QueueReceipt) -> String? {
        entries.withLock { $0[receipt]?.messageID }
    }

    func forget(_ receipt: QueueReceipt) {
        _ = entries.withLock { $0.removeValue(forKey: receipt) }
    }
}
