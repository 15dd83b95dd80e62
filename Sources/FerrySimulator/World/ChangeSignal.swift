import Synchronization

/// Wakes tasks that wait for the simulator's world to change: a long poll waiting for an update,
/// the webhook deliverer waiting for work, a test waiting for the bot's replies.
///
/// Waiters re-check their own condition after every change rather than being handed a value, so one
/// signal serves every kind of wait and a change nobody waits for costs nothing.
final class ChangeSignal: Sendable {
    private struct State {
        var nextWaiterID = 0
        var waiters: [Int: AsyncStream<Void>.Continuation] = [:]
        var isClosed = false
    }

    private let state = Mutex(State())

    /// Tells every waiter that something changed.
    func notify() {
        let waiters = state.withLock { Array($0.waiters.values) }
        for waiter in waiters { waiter.yield() }
    }

    /// Ends every wait, now and later: the simulator is shutting down.
    func close() {
        let waiters = state.withLock { state in
            state.isClosed = true
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.finish() }
    }

    /// Evaluates `check` now and after every change until it returns a value, `deadline` passes
    /// (`nil`: no deadline), the task is cancelled or the signal is closed; `nil` in the last three cases
    /// unless `check` holds when the wait ends.
    ///
    /// The waiter subscribes before the first evaluation, so a change between the evaluation and the
    /// wait cannot be missed.
    func wait<Value>(until deadline: ContinuousClock.Instant?, _ check: () throws -> Value?) async rethrows -> Value? {
        // Changes coalesce: a waiter only needs to know that at least one happened since it last looked.
        let (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id: Int? = state.withLock { state in
            guard !state.isClosed else { return nil }
            let id = state.nextWaiterID
            state.nextWaiterID += 1
            state.waiters[id] = continuation
            return id
        }
        guard let id else { return try check() }
        let timer = deadline.map { deadline in
            Task {
                try? await Task.sleep(until: deadline, clock: .continuous)
                continuation.finish()
            }
        }
        defer {
            timer?.cancel()
            state.withLock { _ = $0.waiters.removeValue(forKey: id) }
            continuation.finish()
        }

        if let value = try check() { return value }
        for await _ in changes {
            if let value = try check() { return value }
        }
        // One last look: in a process whose threads were all busy, the deadline can pass before the
        // change it raced is noticed, although the change had happened.
        return try check()
    }
}
