import Synchronization

/// Hands the bot's actions to every open ``BotAPISimulator/actions()`` stream, in the order they happened.
final class ActionObservers: Sendable {
    private struct State {
        var nextID = 0
        var streams: [Int: AsyncStream<BotAction>.Continuation] = [:]
        var isFinished = false
    }

    private let state = Mutex(State())
    /// Actions a slow observer has not read yet, beyond which the oldest are dropped.
    let bufferLimit: Int

    init(bufferLimit: Int) {
        self.bufferLimit = bufferLimit
    }

    func stream() -> AsyncStream<BotAction> {
        let (stream, continuation) = AsyncStream.makeStream(of: BotAction.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let id: Int? = state.withLock { state in
            guard !state.isFinished else { return nil }
            defer { state.nextID += 1 }
            state.streams[state.nextID] = continuation
            return state.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.streams.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ actions: [BotAction]) {
        guard !actions.isEmpty else { return }
        let streams = state.withLock { Array($0.streams.values) }
        for stream in streams {
            for action in actions { stream.yield(action) }
        }
    }

    func finish() {
        let streams = state.withLock { state in
            state.isFinished = true
            return Array(state.streams.values)
        }
        for stream in streams { stream.finish() }
    }
}
