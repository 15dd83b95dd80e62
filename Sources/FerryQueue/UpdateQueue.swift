/// A durable FIFO queue of Telegram updates with the semantics of an SQS FIFO queue, so the same
/// dispatcher runs over the embedded SQLite queue and over SQS:
///
/// - **Message groups.** Updates with the same ``QueuedUpdate/groupID`` are delivered one at a
///   time, in the order they were enqueued: while a group's head is in flight (received, not yet
///   acknowledged, released or dead-lettered), nothing else of that group is delivered. Different
///   groups flow independently.
/// - **Visibility timeout.** A received update that is neither acknowledged nor released within
///   the timeout is delivered again: that is how a crashed consumer's work is recovered.
/// - **Attempts.** Every delivery counts one attempt (SQS's `ApproximateReceiveCount`).
/// - **Deduplication.** An update whose `update_id` was enqueued in the last 24 hours is accepted
///   and dropped, so a redelivered webhook is handled once.
public protocol UpdateQueue: Sendable {
    /// Stores the updates durably before returning: once this returns, they survive a crash.
    /// The result says, per update and in order, whether it was new or a duplicate.
    func enqueue(_ updates: [QueuedUpdate]) async throws -> [EnqueueOutcome]

    /// Up to `maximumCount` deliverable updates, each the head of its group, hidden from other
    /// receivers for `visibilityTimeout`. Returns an empty array at once when nothing is ready.
    func receive(maximumCount: Int, visibilityTimeout: Duration) async throws -> [ReceivedUpdate]

    /// Removes handled updates; the next update of each group becomes deliverable.
    func acknowledge(_ receipts: [QueueReceipt]) async throws

    /// Makes an update deliverable again after `delay`, its group held until then.
    /// `countingAttempt: false` gives the delivery back (the update was not handled for a reason
    /// that is not its fault, such as a Bot API rate limit); backends that cannot (SQS) ignore it.
    func release(_ receipt: QueueReceipt, after delay: Duration, reason: String, countingAttempt: Bool) async throws

    /// Moves an update out of the queue into the dead letters with the reason, so its group goes on.
    func deadLetter(_ receipt: QueueReceipt, reason: String) async throws

    /// Acknowledges `receipts`, then receives as ``receive(maximumCount:visibilityTimeout:)`` does:
    /// what a dispatcher does each time handlers finish. A backend that can do both in one step
    /// (one transaction) implements it; the default makes the two calls. When it throws, nothing
    /// was received, and the receipts may or may not have been acknowledged.
    func acknowledge(
        _ receipts: [QueueReceipt], thenReceive maximumCount: Int, visibilityTimeout: Duration
    ) async throws -> [ReceivedUpdate]

    /// Whether ``ReceivedUpdate/attempts`` counts only the deliveries that used an attempt, a release
    /// with `countingAttempt: false` giving its delivery back. Then an update received with more
    /// attempts than a policy allows had its earlier deliveries end with no outcome at all: the process
    /// stopped while handling it (a crash in its handler), and a dispatcher sets it aside before it runs
    /// again. Backends that count every receive (SQS) say false and rely on their own backstop
    /// (`maxReceiveCount`); false by default.
    var countsOnlyAttemptsUsed: Bool { get }
}

extension UpdateQueue {
    public var countsOnlyAttemptsUsed: Bool { false }

    public func acknowledge(
        _ receipts: [QueueReceipt], thenReceive maximumCount: Int, visibilityTimeout: Duration
    ) async throws -> [ReceivedUpdate] {
        if !receipts.isEmpty { try await acknowledge(receipts) }
        return try await receive(maximumCount: maximumCount, visibilityTimeout: visibilityTimeout)
    }
}

/// Where failed updates are parked, and what an operator does with them.
public protocol DeadLetterStore: Sendable {
    /// Dead letters, oldest first.
    func deadLetters(limit: Int) async throws -> [DeadLetterRecord]
    func deadLetter(id: String) async throws -> DeadLetterRecord?
    /// Puts dead letters back at the end of their groups, with fresh attempts; returns how many moved.
    @discardableResult
    func redrive(ids: [String]) async throws -> Int
    @discardableResult
    func redriveAll() async throws -> Int
    /// Deletes every dead letter; returns how many.
    @discardableResult
    func purgeDeadLetters() async throws -> Int
}

/// One update as queued: the body exactly as Telegram sent it, and what ingress read from it.
public struct QueuedUpdate: Sendable, Hashable {
    public var updateID: Int
    /// The FIFO group (`UpdateGroup.id`): at most 128 printable ASCII characters.
    public var groupID: String
    /// The update's JSON as received.
    public var body: [UInt8]

    public init(updateID: Int, groupID: String, body: [UInt8]) {
        self.updateID = updateID
        self.groupID = groupID
        self.body = body
    }
}

public enum EnqueueOutcome: Sendable, Hashable {
    case enqueued
    /// The `update_id` was enqueued before, within the deduplication window; nothing was stored.
    case duplicate
}

/// Identifies one delivery of an update; it stops being valid once the update is acknowledged,
/// released, dead-lettered, or its visibility timeout ends.
public struct QueueReceipt: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
}

public struct ReceivedUpdate: Sendable, Hashable {
    public var receipt: QueueReceipt
    public var update: QueuedUpdate
    /// Deliveries so far, this one included: 1 on the first.
    public var attempts: Int
    /// The error of the previous attempt, when there was one and the backend keeps it.
    public var lastReason: String?

    public init(receipt: QueueReceipt, update: QueuedUpdate, attempts: Int, lastReason: String? = nil) {
        self.receipt = receipt
        self.update = update
        self.attempts = attempts
        self.lastReason = lastReason
    }
}

extension ReceivedUpdate {
    /// The ``lastReason`` of a delivery that ended with no outcome because its process stopped while
    /// handling it: a queue that takes such deliveries back when its only consumer starts again says so.
    public static let stoppedWhileHandling = "the bot stopped while handling it (a crash in a handler, or a kill)"

    /// Whether the previous delivery ended with the process stopping mid-way, so that this update may
    /// be what stopped it.
    public var previousDeliveryStoppedTheBot: Bool { lastReason == Self.stoppedWhileHandling }
}

/// A dead-lettered update, as `dlq list` and `dlq show` print it.
public struct DeadLetterRecord: Sendable, Hashable {
    public var id: String
    public var update: QueuedUpdate
    public var attempts: Int
    public var reason: String
    /// Milliseconds since 1970 when the update was first enqueued, and when it was dead-lettered.
    public var enqueuedAt: Int64
    public var deadLetteredAt: Int64

    public init(id: String, update: QueuedUpdate, attempts: Int, reason: String, enqueuedAt: Int64, deadLetteredAt: Int64) {
        self.id = id
        self.update = update
        self.attempts = attempts
        self.reason = reason
        self.enqueuedAt = enqueuedAt
        self.deadLetteredAt = deadLetteredAt
    }
}

/// A receipt that no longer names an in-flight delivery: acknowledged already, or its visibility
/// timeout ended and the update was delivered again.
public struct StaleReceiptError: Error, Sendable, Hashable, CustomStringConvertible {
    public var receipt: QueueReceipt
    public init(receipt: QueueReceipt) { self.receipt = receipt }
    public var description: String { "the queue receipt \(receipt) is no longer valid (acknowledged, or its visibility timeout ended)" }
}
