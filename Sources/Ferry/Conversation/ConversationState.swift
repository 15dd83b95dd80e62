import Synchronization

/// Where one user is in a ``Conversation`` and what it collected, as the current update sees it;
/// changes are saved once the update is handled (and only when it succeeds).
///
/// Step handlers get it as their second argument; ordinary handlers get it with
/// `conversation.state(in: ctx)`. A class so that a handler's changes reach the conversation
/// that saves them; the `Mutex` makes it safe to hand to the handler's child tasks.
public final class ConversationState<Step: Hashable & Codable & Sendable, Data: Codable & Sendable>: Sendable {
    private let progress: Mutex<Progress>
    private let initial: @Sendable () -> Data

    private struct Progress {
        var step: Step?
        var data: Data
        var passesOn = false
    }

    init(stored: StoredConversation<Step, Data>?, initial: @escaping @Sendable () -> Data) {
        self.initial = initial
        self.progress = Mutex(Progress(step: stored?.step, data: stored?.data ?? initial()))
    }

    /// The step the user is at; `nil` when not in the conversation.
    public var step: Step? { progress.withLock { $0.step } }

    public var isActive: Bool { step != nil }

    /// What the conversation collected so far; `initial` when not in it.
    public var data: Data {
        get { progress.withLock { $0.data } }
        set { progress.withLock { $0.data = newValue } }
    }

    /// Moves to `step`, keeping the data: the next update goes to that step's handlers.
    public func go(to step: Step) {
        progress.withLock { $0.step = step }
    }

    /// Starts over at `step` with `data`.
    public func enter(at step: Step, with data: Data) {
        progress.withLock {
            $0.step = step
            $0.data = data
        }
    }

    /// Ends the conversation and forgets its data; the stored state is deleted.
    public func leave() {
        let initial = initial()
        progress.withLock {
            $0.step = nil
            $0.data = initial
        }
    }

    /// Lets this update go on to the handlers registered after the conversation once the step's
    /// handler returns (grammY's `skip`): for a command or button the conversation does not own.
    public func passOn() {
        progress.withLock { $0.passesOn = true }
    }

    var passesOn: Bool { progress.withLock { $0.passesOn } }

    /// What to save: `nil` when the user is not in the conversation.
    var stored: StoredConversation<Step, Data>? {
        progress.withLock { progress in progress.step.map { StoredConversation(step: $0, data: progress.data) } }
    }
}
