import FerryQueue
import Synchronization

/// The updates' outcomes as the pipeline reported them to its queue, in order, for each `update_id`.
final class OutcomeLog: Sendable {
    private struct State {
        /// Which update each delivery in flight is, to name the update a settling call is about.
        var updateIDs: [QueueReceipt: Int] = [:]
        var outcomes: [Int: [PipelineOutcome]] = [:]
    }

    private let state = Mutex(State())

    func noteReceived(_ items: [ReceivedUpdate]) {
        state.withLock { state in
            for item in items { state.updateIDs[item.receipt] = item.update.updateID }
        }
    }

    func record(_ outcome: PipelineOutcome, for receipt: QueueReceipt) {
        state.withLock { state in
            guard let updateID = state.updateIDs.removeValue(forKey: receipt) else { return }
            state.outcomes[updateID, default: []].append(outcome)
        }
    }

    func record(_ outcome: PipelineOutcome, forUpdate updateID: Int) {
        state.withLock { $0.outcomes[updateID, default: []].append(outcome) }
    }

    /// Whether a delivery was received and its outcome not logged yet: the queue may already be empty
    /// while the call that emptied it is still returning.
    var awaitsAnOutcome: Bool {
        state.withLock { !$0.updateIDs.isEmpty }
    }

    func count(for updateID: Int) -> Int {
        state.withLock { $0.outcomes[updateID]?.count ?? 0 }
    }

    /// The first outcome of `updateID` after the first `skipped`, if there is one yet.
    func outcome(for updateID: Int, after skipped: Int) -> PipelineOutcome? {
        state.withLock { state in
            guard let outcomes = state.outcomes[updateID], outcomes.count > skipped else { return nil }
            return outcomes[skipped]
        }
    }

    func all(for updateID: Int) -> [PipelineOutcome] {
        state.withLock { $0.outcomes[updateID] ?? [] }
    }
}

/// Forwards every call to `base` and, once `base` has done what a call asked, logs what it means for the
/// update: the queue is where the host settles each delivery, so the log tells a test exactly when an
/// update it sent is done with, without sleeping or polling the file.
struct ObservedQueue: UpdateQueue {
    let base: any UpdateQueue
    let log: OutcomeLog

    var countsOnlyAttemptsUsed: Bool { base.countsOnlyAttemptsUsed }

    func enqueue(_ updates: [QueuedUpdate]) async throws -> [EnqueueOutcome] {
        let results = try await base.enqueue(updates)
        for (update, result) in zip(updates, results) where result == .duplicate {
            log.record(.droppedAsDuplicate, forUpdate: update.updateID)
        }
        return results
    }

    func receive(maximumCount: Int, visibilityTimeout: Duration) async throws -> [ReceivedUpdate] {
        let received = try await base.receive(maximumCount: maximumCount, visibilityTimeout: visibilityTimeout)
        log.noteReceived(received)
        return received
    }

    func acknowledge(_ receipts: [QueueReceipt]) async throws {
        try await base.acknowledge(receipts)
        for receipt in receipts { log.record(.handled, for: receipt) }
    }

    func acknowledge(_ receipts: [QueueReceipt], thenReceive maximumCount: Int, visibilityTimeout: Duration) async throws -> [ReceivedUpdate] {
        let received = try await base.acknowledge(receipts, thenReceive: maximumCount, visibilityTimeout: visibilityTimeout)
        for receipt in receipts { log.record(.handled, for: receipt) }
        log.noteReceived(received)
        return received
    }

    func release(_ receipt: QueueReceipt, after delay: Duration, reason: String, countingAttempt: Bool) async throws {
        try await base.release(receipt, after: delay, reason: reason, countingAttempt: countingAttempt)
        log.record(.released(reason: reason), for: receipt)
    }

    func deadLetter(_ receipt: QueueReceipt, reason: String) async throws {
        try await base.deadLetter(receipt, reason: reason)
        log.record(.deadLettered(reason: reason), for: receipt)
    }
}
