public import FerryQueue
import Logging

/// The one way a host settles an update: the ``UpdateProcessor``'s outcome applied to the
/// ``UpdateQueue``. The local dispatcher, `serve --queue sqs` and the Lambda consumer all settle
/// through it, so a retry or a dead letter means the same thing in every mode.
///
/// Acknowledging a handled update is left to the host, which does it its own way: the dispatcher in
/// batches with its next receive, Lambda by deleting every record not reported failed.
public struct UpdateSettlement: Sendable {
    public enum Result: Sendable, Hashable {
        /// The bot handled the update; the host acknowledges it.
        case handled
        /// Back on the queue, its group held until `delay` has passed.
        case released(after: Duration)
        /// In the dead letters, its group free to go on; the bot's `onDeadLetter` hook ran.
        case deadLettered
        /// Telegram refused the bot's token: the update is back on the queue for
        /// ``UpdateProcessor/Outcome/tokenRefusedDelay``, without using an attempt, and the host tells its operator.
        case tokenRefused(reason: String)
        /// The queue did not take the outcome: the update comes back when its visibility timeout ends.
        /// `stale` when the delivery is no longer this host's (its visibility timeout ended), so asking
        /// again cannot help.
        case unsettled(stale: Bool)
    }

    public let queue: any UpdateQueue
    public let processor: UpdateProcessor

    public init(queue: any UpdateQueue, processor: UpdateProcessor) {
        self.queue = queue
        self.processor = processor
    }

    /// Runs the bot on `item` and settles it.
    public func run(_ item: ReceivedUpdate) async -> Result {
        await apply(await outcome(for: item), to: item)
    }

    /// What to do with `item`: the processor's outcome after running the bot on it, unless every attempt it
    /// had ended with no outcome at all (see ``unfinishedAttemptsOutcome(_:)``).
    public func outcome(for item: ReceivedUpdate) async -> UpdateProcessor.Outcome {
        if let setAside = unfinishedAttemptsOutcome(item) { return setAside }
        return await processor.process(body: item.update.body, attempt: item.attempts)
    }

    /// Dead-letters, before it runs again, an update whose every attempt ended with no outcome: each
    /// delivery was counted when claimed, and no handler ever returned or threw, because the process
    /// stopped while handling it (a force-unwrap or an overflow in the handler traps the process). Run
    /// again, it would stop the bot at every start, for ever. (A handler slower than the visibility
    /// timeout each time ends the same way.)
    func unfinishedAttemptsOutcome(_ item: ReceivedUpdate) -> UpdateProcessor.Outcome? {
        let allowed = processor.policy.maximumAttempts
        guard queue.countsOnlyAttemptsUsed, item.attempts > allowed else { return nil }
        let reason = "none of this update's \(allowed) attempts came to an end: the bot stopped while handling it each time (a crash"
            + " in its handler, such as a force-unwrap of nil or an arithmetic overflow?) or its handler outlived the visibility"
            + " timeout; set aside at delivery \(item.attempts), before it ran again"
        processor.logger.error(
            "an update's every attempt stopped the bot; dead-lettering it without running it again",
            metadata: ["update_id": "\(item.update.updateID)", "attempts": "\(allowed)", "reason": "\(item.lastReason ?? "none")"]
        )
        return .deadLetter(reason: reason)
    }

    /// Settles `item` with `outcome`.
    public func apply(_ outcome: UpdateProcessor.Outcome, to item: ReceivedUpdate) async -> Result {
        do {
            switch outcome {
            case .handled:
                return .handled
            case .retry(let delay, let reason, let countsAsAttempt):
                try await queue.release(item.receipt, after: delay, reason: reason, countingAttempt: countsAsAttempt)
                return .released(after: delay)
            case .tokenRefused(let reason):
                try await queue.release(item.receipt, after: UpdateProcessor.Outcome.tokenRefusedDelay, reason: reason, countingAttempt: false)
                return .tokenRefused(reason: reason)
            case .deadLetter(let reason):
                try await queue.deadLetter(item.receipt, reason: reason)
                await processor.notifyDeadLetter(body: item.update.body, reason: reason, attempts: item.attempts)
                return .deadLettered
            }
        } catch {
            // The queue delivers the update again when its visibility timeout ends.
            processor.logger.error(
                "cannot record an update's outcome in the queue",
                metadata: ["update_id": "\(item.update.updateID)", "outcome": "\(outcome)", "error": "\(error)"]
            )
            return .unsettled(stale: error is StaleReceiptError)
        }
    }
}
