public import AWSClients
import FerryQueue
public import FerryRuntime
public import Logging
import Synchronization
import TelegramClient

/// The consumer role: handles a batch of updates from the SQS FIFO queue and answers which to leave on
/// the queue (the event source mapping must report batch item failures).
///
/// - **Chats in parallel, each in order.** The batch's message groups (chats) run concurrently, at most
///   ``Configuration/concurrency`` at once; the records of one group run one after another, in record order.
/// - **A failure holds back its group only.** The failed record and every later record of its group are
///   released for the retry delay and reported failed; other groups go on. The batch as a whole never fails.
/// - **One way to settle.** Outcomes go through ``UpdateSettlement`` over ``SQSUpdateQueue``, as in the local
///   dispatcher: an update that used its attempts, or can never succeed, is dead-lettered here (and the bot's
///   `onDeadLetter` hook runs), so SQS deletes it and its group goes on. The queue's redrive policy is only a
///   backstop.
/// - **Attempts are an update's own.** Records held back behind a failure, records there was no time left to
///   start and flood-control waits are released without using an attempt (see ``UncountedReceives``).
/// - **Within the deadline.** No record starts unless the longest recent record would still finish before
///   the invocation's deadline less ``Configuration/reserve``; at that point records still running are
///   cancelled and released, and retry waits that would reach it are not waited out. The invocation never
///   times out, which would hand the whole batch back and answer every handled update again.
/// - **A refused token fails the invocation.** When Telegram refuses the bot's token (401), nothing can be
///   handled: no further record starts, every record not settled is kept for
///   ``UpdateProcessor/Outcome/tokenRefusedDelay``, the records already handled are deleted here, and the
///   invocation fails with ``TokenRefused``, so the function's Errors metric (and its alarm) shows it.
/// - **Albums are handed over before it answers.** When a record was an album item, the invocation waits
///   for the album's quiet period (see `Composing.album(store:quiet:_:)`) so its handler runs before Lambda
///   freezes the process; never past the reserve.
public struct ConsumerFunction: LambdaFunction {
    public struct Configuration: Sendable {
        /// Message groups of a batch handled at once (`FERRY_CONSUMER_CONCURRENCY`).
        public var concurrency: Int
        /// Time kept free at the end of every invocation to settle the records and answer Lambda.
        public var reserve: Duration

        /// Ten: an SQS FIFO event source hands over at most ten records, so every chat of a batch runs at once.
        public static let defaultConcurrency = 10

        public init(concurrency: Int = Self.defaultConcurrency, reserve: Duration = .seconds(2)) {
            self.concurrency = max(1, concurrency)
            self.reserve = reserve
        }
    }

    public let settlement: UpdateSettlement
    public let queue: SQSUpdateQueue
    /// When set, updates handled before (within 24 hours) are skipped: see ``HandledUpdates``.
    public let handledUpdates: (any HandledUpdates)?
    public let configuration: Configuration
    let logger: Logger
    private let durations = RecentDurations()

    public init(
        processor: UpdateProcessor, queue: SQSUpdateQueue, handledUpdates: (any HandledUpdates)? = nil,
        configuration: Configuration = Configuration(), logger: Logger = Logger(label: "ferry.consumer")
    ) {
        self.settlement = UpdateSettlement(queue: queue, processor: processor)
        self.queue = queue
        self.handledUpdates = handledUpdates
        self.configuration = configuration
        self.logger = logger
    }

    /// Handles `event` with no deadline.
    public func handle(_ event: SQSEvent) async throws -> SQSBatchResponse {
        try await handle(event, until: nil)
    }

    public func handle(_ event: SQSEvent, in invocation: LambdaInvocation) async throws -> SQSBatchResponse {
        try await handle(event, until: .now + invocation.remainingTime)
    }

    /// Handles `event`, done by `deadline` (less the reserve) when there is one.
    func handle(_ event: SQSEvent, until deadline: ContinuousClock.Instant?) async throws -> SQSBatchResponse {
        let messages = event.records.map(\.message)
        // The queue keeps what it needs to release and dead-letter each record until the batch is done.
        let deliveries = messages.map { queue.adopt($0, for: .seconds(SQSUpdateQueue.maximumVisibilitySeconds)) }
        let stopAt = deadline.map { $0 - configuration.reserve }
        let batch = Batch(deliveries: deliveries, stopAt: stopAt)
        let outcome = await TelegramClient.$retryDeadline.withValue(stopAt) { () async -> Tally in
            let outcome = await runGroups(Self.groups(of: messages), batch)
            // Lambda freezes the process once this returns: an album still waiting out its quiet
            // period would be handed over only when a later invocation thaws it (its items are
            // stored, so nothing is lost, but the user would wait for the chat's next update).
            await settlement.processor.bot.finishPendingWork(before: stopAt)
            return outcome
        }
        defer { queue.forget(deliveries.map(\.receipt)) }
        if let refusal = batch.refusal {
            // A failed invocation makes SQS deliver the whole batch again: what was handled goes now.
            await acknowledge(outcome.handled.map { deliveries[$0].receipt })
            throw TokenRefused(reason: refusal, keptUpdates: outcome.failed.count)
        }
        return SQSBatchResponse(failedMessageIDs: outcome.failed.sorted().map { messages[$0].messageID })
    }

    /// The consumer's invocation failure when Telegram refuses the bot's token.
    public struct TokenRefused: Error, CustomStringConvertible {
        public var reason: String
        public var keptUpdates: Int

        public var description: String {
            "Telegram refused the bot token (\(reason)): set TELEGRAM_BOT_TOKEN to the token @BotFather issued and deploy again; "
                + "\(keptUpdates) update(s) of this batch are kept on the queue and retried"
        }
    }

    /// What the groups of one batch share.
    private final class Batch: Sendable {
        let deliveries: [ReceivedUpdate]
        /// Where the invocation's reserve begins; `nil` without a deadline.
        let stopAt: ContinuousClock.Instant?
        private let refused = Mutex<String?>(nil)

        init(deliveries: [ReceivedUpdate], stopAt: ContinuousClock.Instant?) {
            self.deliveries = deliveries
            self.stopAt = stopAt
        }

        /// Why Telegram refused the token, once a record has found out; no record starts after that.
        var refusal: String? { refused.withLock { $0 } }
        func refuse(_ reason: String) { refused.withLock { $0 = $0 ?? reason } }
    }

    /// Record indexes: those to report failed, and those the bot handled.
    private struct Tally: Sendable {
        var failed: [Int] = []
        var handled: [Int] = []

        mutating func add(_ other: Tally) {
            failed += other.failed
            handled += other.handled
        }
    }

    private func acknowledge(_ receipts: [QueueReceipt]) async {
        guard !receipts.isEmpty else { return }
        do {
            try await queue.acknowledge(receipts)
        } catch {
            // They come back and are handled again, or skipped by the idempotency records.
            logger.warning("could not delete settled updates of a failed batch", metadata: ["error": "\(error)"])
        }
    }

    /// The records' indexes by message group, each group in record order, the groups in order of first record.
    static func groups(of messages: [SQSMessage]) -> [[Int]] {
        var groups: [[Int]] = []
        var position: [String: Int] = [:]
        for (index, message) in messages.enumerated() {
            let group = message.messageGroupID ?? ""
            if let existing = position[group] {
                groups[existing].append(index)
            } else {
                position[group] = groups.count
                groups.append([index])
            }
        }
        return groups
    }

    private enum Finished: Sendable {
        case group(Tally)
        case stopTime
    }

    /// Runs the groups, at most `concurrency` at once.
    private func runGroups(_ groups: [[Int]], _ batch: Batch) async -> Tally {
        await withTaskGroup(of: Finished.self) { tasks in
            if let stopAt = batch.stopAt {
                tasks.addTask {
                    try? await Task.sleep(until: stopAt, clock: .continuous)
                    return .stopTime
                }
            }
            var waiting = groups[...]
            var running = 0
            var outcome = Tally()
            while running < configuration.concurrency, let group = waiting.popFirst() {
                tasks.addTask { .group(await self.run(group, batch)) }
                running += 1
            }
            while running > 0, let finished = await tasks.next() {
                switch finished {
                case .group(let groupOutcome):
                    outcome.add(groupOutcome)
                    running -= 1
                    if let group = waiting.popFirst() {
                        tasks.addTask { .group(await self.run(group, batch)) }
                        running += 1
                    }
                case .stopTime:
                    // What still runs now would not finish in time: cancelled, each handler's record is
                    // released without using an attempt, and the groups not started release theirs.
                    logger.warning("the invocation's time is nearly up; records still running are cancelled and released")
                    tasks.cancelAll()
                }
            }
            // Only the timer can be left, when every group finished before it fired.
            tasks.cancelAll()
            return outcome
        }
    }

    /// Runs one group's records in order.
    private func run(_ group: [Int], _ batch: Batch) async -> Tally {
        var outcome = Tally()
        /// Once set, the rest of the group is released for this long.
        var holdBack: Duration?
        var holdBackReason = ""
        for index in group {
            let delivery = batch.deliveries[index]
            if let refusal = batch.refusal {
                _ = await settle(.tokenRefused(reason: refusal), delivery)
                outcome.failed.append(index)
                continue
            }
            if holdBack == nil, !canStart(before: batch.stopAt) {
                holdBack = .zero
                holdBackReason = "not started: too little of the invocation's time was left"
            }
            if let delay = holdBack {
                _ = await settle(.retry(after: delay, reason: holdBackReason, countsAsAttempt: false), delivery)
                outcome.failed.append(index)
                continue
            }
            let updateID = delivery.update.updateID
            if await wasHandledBefore(updateID) {
                outcome.handled.append(index)
                continue
            }
            let item = await queue.withOwnAttempts(delivery)
            let started = ContinuousClock.now
            var result = await settlement.outcome(for: item)
            durations.record(ContinuousClock.now - started)
            if Task.isCancelled, result != .handled {
                // Cut off by the invocation's end, not by a fault of the update.
                result = .retry(after: .zero, reason: "cut off at the end of the invocation", countsAsAttempt: false)
            }
            switch await settle(result, item) {
            case .handled:
                await uncancelled { await recordHandled(updateID) }
                outcome.handled.append(index)
            case .deadLettered:
                break
            case .tokenRefused(let reason):
                batch.refuse(reason)
                outcome.failed.append(index)
            case .released(let delay):
                holdBack = delay
                holdBackReason = "held back behind update \(updateID) of its chat"
                outcome.failed.append(index)
            case .unsettled:
                // It and the rest of its group come back when the visibility timeout ends.
                holdBack = .zero
                holdBackReason = "held back behind update \(updateID) of its chat"
                outcome.failed.append(index)
            }
        }
        return outcome
    }

    /// Whether a record started now would finish before `stopAt`, judging by the longest recent record.
    private func canStart(before stopAt: ContinuousClock.Instant?) -> Bool {
        guard let stopAt else { return true }
        return !Task.isCancelled && ContinuousClock.now + durations.longest <= stopAt
    }

    private func settle(_ outcome: UpdateProcessor.Outcome, _ item: ReceivedUpdate) async -> UpdateSettlement.Result {
        await uncancelled { await settlement.apply(outcome, to: item) }
    }

    /// Runs `work` to its end even when the stop time has cancelled the group: the record must still be
    /// settled. An unstructured task does not inherit the cancellation.
    private func uncancelled<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
        await Task { await work() }.value
    }

    /// Whether the idempotency records say the update was handled already. When they cannot be read,
    /// the update is handled: a rare duplicate reply is better than a lost update.
    private func wasHandledBefore(_ updateID: Int) async -> Bool {
        guard let handledUpdates, updateID != 0 else { return false }
        do {
            guard try await handledUpdates.contains(updateID: updateID) else { return false }
            logger.info("update handled before; skipped as a redelivery", metadata: ["update_id": "\(updateID)"])
            return true
        } catch {
            logger.warning("could not read the idempotency record; handling the update", metadata: ["update_id": "\(updateID)", "error": "\(error)"])
            return false
        }
    }

    private func recordHandled(_ updateID: Int) async {
        guard let handledUpdates, updateID != 0 else { return }
        do {
            try await handledUpdates.insert(updateID: updateID)
        } catch {
            logger.warning("could not write the idempotency record", metadata: ["update_id": "\(updateID)", "error": "\(error)"])
        }
    }
}

/// How long the last records took to handle, for judging whether another one still fits in an invocation.
private final class RecentDurations: Sendable {
    /// Enough records to remember a slow one for a while, few enough that one long ago stops counting.
    private static let kept = 32
    private let durations = Mutex<[Duration]>([])

    func record(_ duration: Duration) {
        durations.withLock { durations in
            if durations.count == Self.kept { durations.removeFirst() }
            durations.append(duration)
        }
    }

    /// The longest of the recent records; zero before the first.
    var longest: Duration { durations.withLock { $0.max() ?? .zero } }
}
