import Synchronization

/// Hands each playground event, encoded once, to every open event stream of the page.
///
/// Bounded three times: at most `maximumSubscribers` streams at once and `maximumPerClient` of them for
/// one client (more are refused, so one greedy client cannot take every stream and starve the others'
/// pages), and a stream that stops reading keeps only its newest `bufferLimit` events.
final class PlaygroundEventHub: Sendable {
    private struct Subscriber {
        var client: String
        var continuation: AsyncStream<String>.Continuation
    }

    private struct State {
        var nextID = 0
        var subscribers: [Int: Subscriber] = [:]
        var isFinished = false
    }

    /// What a subscription comes to.
    enum Subscription {
        case events(AsyncStream<String>)
        /// Every stream the hub allows is open, or the hub is finished.
        case full
        /// The client has `maximumPerClient` streams open already.
        case clientFull
    }

    private let state = Mutex(State())
    let maximumSubscribers: Int
    let maximumPerClient: Int
    let bufferLimit: Int

    init(maximumSubscribers: Int, maximumPerClient: Int, bufferLimit: Int = 512) {
        self.maximumSubscribers = maximumSubscribers
        self.maximumPerClient = maximumPerClient
        self.bufferLimit = bufferLimit
    }

    /// The events from now on, as server-sent event text, for `client` (its address).
    func subscribe(client: String) -> Subscription {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(bufferLimit))
        let outcome: Result<Int, SubscriptionRefused> = state.withLock { state in
            guard !state.isFinished, state.subscribers.count < maximumSubscribers else { return .failure(.full) }
            guard state.subscribers.values.count(where: { $0.client == client }) < maximumPerClient else {
                return .failure(.clientFull)
            }
            defer { state.nextID += 1 }
            state.subscribers[state.nextID] = Subscriber(client: client, continuation: continuation)
            return .success(state.nextID)
        }
        switch outcome {
        case .failure(.full): return .full
        case .failure(.clientFull): return .clientFull
        case .success(let id):
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { _ = $0.subscribers.removeValue(forKey: id) }
            }
            return .events(stream)
        }
    }

    private enum SubscriptionRefused: Error {
        case full, clientFull
    }

    var hasSubscribers: Bool {
        state.withLock { !$0.subscribers.isEmpty }
    }

    func publish(_ event: PlaygroundEvent) {
        let subscribers = state.withLock { $0.subscribers.values.map(\.continuation) }
        guard !subscribers.isEmpty else { return }
        let text = event.serverSentEvent()
        for subscriber in subscribers { subscriber.yield(text) }
    }

    /// Ends every stream and refuses new ones: the server's graceful shutdown waits for open responses.
    func finish() {
        let subscribers = state.withLock { state in
            state.isFinished = true
            return state.subscribers.values.map(\.continuation)
        }
        for subscriber in subscribers { subscriber.finish() }
    }
}
