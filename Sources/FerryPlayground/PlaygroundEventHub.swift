import Synchronization

/// Hands each playground event, encoded once, to every open event stream of the page.
///
/// Bounded twice: at most `maximumSubscribers` streams at once (more are refused), and a stream that
/// stops reading keeps only its newest `bufferLimit` events.
final class PlaygroundEventHub: Sendable {
    private struct State {
        var nextID = 0
        var subscribers: [Int: AsyncStream<String>.Continuation] = [:]
        var isFinished = false
    }

    private let state = Mutex(State())
    let maximumSubscribers: Int
    let bufferLimit: Int

    init(maximumSubscribers: Int, bufferLimit: Int = 512) {
        self.maximumSubscribers = maximumSubscribers
        self.bufferLimit = bufferLimit
    }

    /// The events from now on as server-sent event text, or `nil` when the hub is full or finished.
    func subscribe() -> AsyncStream<String>? {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let id: Int? = state.withLock { state in
            guard !state.isFinished, state.subscribers.count < maximumSubscribers else { return nil }
            defer { state.nextID += 1 }
            state.subscribers[state.nextID] = continuation
            return state.nextID
        }
        guard let id else { return nil }
        continuation.onTermination = { [weak self] _ in
            self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    var hasSubscribers: Bool {
        state.withLock { !$0.subscribers.isEmpty }
    }

    func publish(_ event: PlaygroundEvent) {
        let subscribers = state.withLock { Array($0.subscribers.values) }
        guard !subscribers.isEmpty else { return }
        let text = event.serverSentEvent()
        for subscriber in subscribers { subscriber.yield(text) }
    }

    /// Ends every stream and refuses new ones: the server's graceful shutdown waits for open responses.
    func finish() {
        let subscribers = state.withLock { state in
            state.isFinished = true
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
