import Ferry
public import FerryQueue
import Logging
import Synchronization

/// Takes updates off an ``UpdateQueue`` and runs the bot on them: up to `concurrency` at once,
/// one at a time per chat (the queue delivers only a group's head), retrying failures with
/// backoff and dead-lettering what keeps failing.
///
/// ``run()`` works until ``stop()``; then it takes nothing new, lets the updates in flight finish
/// (for at most `shutdownGracePeriod`) and returns. An update cut off by the grace period is given
/// back to the queue without using an attempt; nothing acknowledged is handled again.
public final class Dispatcher: Sendable {
    public struct Configuration: Sendable {
        public var concurrency: Int
        public var visibilityTimeout: Duration
        /// How often to look at the queue when nothing wakes the dispatcher: retries coming due,
        /// a `dlq redrive` from another process, deliveries whose visibility timeout ended.
        public var pollInterval: Duration
        public var shutdownGracePeriod: Duration

        public init(
            concurrency: Int = 64, visibilityTimeout: Duration = .seconds(120), pollInterval: Duration = .milliseconds(200),
            shutdownGracePeriod: Duration = .seconds(10)
        ) {
            self.concurrency = max(1, concurrency)
            self.visibilityTimeout = visibilityTimeout
            self.pollInterval = pollInterval
            self.shutdownGracePeriod = shutdownGracePeriod
        }
    }

    public let configuration: Configuration
    private let queue: any UpdateQueue
    private let settlement: UpdateSettlement
    private let logger: Logger
    private let wakeup = Wakeup()
    private let state = Mutex(State())

    private struct State {
        var inFlight = 0
        var stopping = false
        /// Receipts of handled updates, acknowledged together with the next receive: one trip to the
        /// queue per round instead of one per update.
        var handled: [QueueReceipt] = []
    }

    public init(queue: any UpdateQueue, processor: UpdateProcessor, configuration: Configuration = Configuration()) {
        self.queue = queue
        self.settlement = UpdateSettlement(queue: queue, processor: processor)
        self.configuration = configuration
        self.logger = processor.logger
    }

    /// Looks at the queue now: ingress calls it after each enqueue.
    public func wake() { wakeup.signal() }

    /// Stops taking updates; ``run()`` returns once those in flight are done.
    public func stop() {
        state.withLock { $0.stopping = true }
        wakeup.signal()
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    public func run() async throws {
        do {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await self.tick() }
                // While an update that may have stopped the bot runs, it runs alone (see `isolate`).
                var isolating = false
                while !isStopping {
                    let (free, handled) = state.withLock { state in
                        defer { state.handled = [] }
                        let free = isolating ? (state.inFlight == 0 ? 1 : 0) : configuration.concurrency - state.inFlight
                        return (free, state.handled)
                    }
                    var batch: [ReceivedUpdate] = []
                    if free > 0 || !handled.isEmpty {
                        do {
                            batch = try await queue.acknowledge(
                                handled, thenReceive: max(0, free), visibilityTimeout: configuration.visibilityTimeout
                            )
                        } catch {
                            // Acknowledged again next round; a receipt that did go through matches nothing then.
                            state.withLock { $0.handled.insert(contentsOf: handled, at: 0) }
                            logger.error(
                                "cannot read the queue or acknowledge handled updates; trying again",
                                metadata: ["error": "\(error)", "handled": "\(handled.count)"]
                            )
                        }
                    }
                    if !batch.isEmpty {
                        isolating = batch.contains(where: \.previousDeliveryStoppedTheBot)
                        if isolating { batch = await isolate(batch) }
                    }
                    if batch.isEmpty {
                        await wakeup.wait()
                        continue
                    }
                    state.withLock { $0.inFlight += batch.count }
                    for item in batch {
                        group.addTask {
                            await self.handle(item)
                            self.state.withLock { $0.inFlight -= 1 }
                            // A finished head may have unblocked its chat's next update.
                            self.wakeup.signal()
                        }
                    }
                }
                group.addTask { try await self.awaitDrained() }
            }
        } catch is GracePeriodEnded {
            logger.warning("grace period ended; unfinished updates go back to the queue")
        }
        await acknowledgeRemaining()
    }

    /// Keeps one update of `batch` whose previous delivery stopped the bot, when nothing else is in
    /// flight, and gives the rest back to the queue without using an attempt (a suspect keeps its
    /// mark). Run alone, an update that stops the bot again is the only one charged an attempt for
    /// it, so the updates that happened to be in flight beside it are not dead-lettered with it.
    private func isolate(_ batch: [ReceivedUpdate]) async -> [ReceivedUpdate] {
        let alone = state.withLock { $0.inFlight } == 0 ? batch.first(where: \.previousDeliveryStoppedTheBot) : nil
        for item in batch where item.receipt != alone?.receipt {
            do {
                try await queue.release(
                    item.receipt, after: .zero, reason: item.lastReason ?? "set back while an update that may have stopped the bot ran alone",
                    countingAttempt: false
                )
            } catch {
                // Delivered again when its visibility timeout ends.
                logger.error("cannot give an update back to the queue", metadata: ["update_id": "\(item.update.updateID)", "error": "\(error)"])
            }
        }
        if let alone { logger.notice("handling alone an update whose last delivery stopped the bot", metadata: ["update_id": "\(alone.update.updateID)"]) }
        return alone.map { [$0] } ?? []
    }

    /// Acknowledges what was handled after the last round, so a stopped dispatcher leaves nothing
    /// handled in the queue to be handled again by the next run.
    private func acknowledgeRemaining() async {
        let handled = state.withLock { state in
            defer { state.handled = [] }
            return state.handled
        }
        guard !handled.isEmpty else { return }
        do {
            try await queue.acknowledge(handled)
        } catch {
            // The queue delivers them again once their visibility timeout ends.
            logger.error("cannot acknowledge handled updates", metadata: ["error": "\(error)", "handled": "\(handled.count)"])
        }
    }

    /// Returns once nothing is in flight; throws when the grace period ends first, which cancels
    /// the handlers still running (their updates are released without using an attempt).
    private func awaitDrained() async throws {
        let inFlight = state.withLock { $0.inFlight }
        if inFlight > 0 { logger.info("finishing updates in flight", metadata: ["count": "\(inFlight)"]) }
        let clock = ContinuousClock()
        let deadline = clock.now + configuration.shutdownGracePeriod
        while state.withLock({ $0.inFlight > 0 }) {
            guard clock.now < deadline else { throw GracePeriodEnded() }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    private struct GracePeriodEnded: Error {}

    /// Wakes the loop on a timer, for work no signal announces.
    private func tick() async {
        while !isStopping {
            try? await Task.sleep(for: configuration.pollInterval)
            wakeup.signal()
        }
    }

    private func handle(_ item: ReceivedUpdate) async {
        let clock = ContinuousClock()
        let received = clock.now
        let outcome = await settlement.outcome(for: item)
        var result = await settlement.apply(outcome, to: item)
        // A queue that refused the outcome (a full disk, above all) is asked again while the delivery is
        // still ours: left to its visibility timeout, the chat would wait two minutes after space returns.
        var pause = Duration.milliseconds(250)
        while result == .unsettled(stale: false), !isStopping, clock.now + pause < received + configuration.visibilityTimeout - .seconds(5) {
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .seconds(5))
            result = await settlement.apply(outcome, to: item)
        }
        if result == .handled {
            // Acknowledged by the run loop's next round (or when it stops); the update's slot is free already.
            state.withLock { $0.handled.append(item.receipt) }
        }
    }
}

/// A one-slot wake-up call: signals while nobody waits are remembered (once), so a signal sent
/// just before `wait()` is not lost.
final class Wakeup: Sendable {
    private struct State {
        var signaled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.signaled = true
            return nil
        }
        waiter?.resume()
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let ready = state.withLock { state -> Bool in
                if state.signaled {
                    state.signaled = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
