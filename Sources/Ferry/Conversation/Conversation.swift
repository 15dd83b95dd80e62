import Synchronization

/// A multi-step dialog (ask a name, then an age, then confirm) whose progress lives in a
/// ``SessionStore``, so it survives restarts and runs on whichever process gets the next update.
///
/// A conversation is a state machine, as in aiogram's FSM: `Step` names where the user is (an enum),
/// `Data` is what the dialog collected so far. Both are `Codable`, and are saved after every
/// update that changes them, only when the update succeeds.
///
/// ```swift
/// enum SignUp: String, Codable { case name, age }
/// struct Answers: Codable, Sendable { var name = ""; var age = 0 }
///
/// let signUp = Conversation<SignUp, Answers>("sign-up", initial: Answers(), store: sessions)
/// signUp.step(.name, .text) { ctx, state, name in
///     state.data.name = name
///     state.go(to: .age)
///     try await ctx.reply("How old are you?")
/// }
/// signUp.step(.age, .text(as: Int.self)) { ctx, state, age in
///     state.leave()
///     try await ctx.reply("Welcome, \(state.data.name)!")
/// }
/// signUp.step(.age) { ctx, _ in try await ctx.reply("Please send your age as a number.") }  // re-ask
///
/// bot.use(signUp)                                   // before the handlers that enter it
/// bot.command("signup") { ctx, _ in
///     try signUp.enter(ctx, at: .name)
///     try await ctx.reply("What is your name?")
/// }
/// ```
///
/// Routing, once registered with `bot.use(conversation)`:
/// - **Not in the conversation**: the update goes on to what is registered after it, untouched.
/// - **In it**: the update belongs to the conversation. The current step's handlers are tried in
///   registration order (a handler without a filter, registered last, is the step's re-ask), then
///   the ``otherwise(_:)`` handlers. The update does not reach ordinary handlers unless the handler
///   that took it calls ``ConversationState/passOn()``; an update no handler takes is dropped.
/// - **A cancel command** (`/cancel` by default) in the conversation leaves it and runs the
///   ``onCancel(_:)`` handlers. Outside a conversation it goes on like any other command.
///
/// The conversation's state is one session per user in each chat by default
/// (``SessionKey/userInChat(_:)``), stored under `conversation:<name>:<key>`, so it can share a
/// store with the bot's own sessions. Updates without a key (an inline query has no chat) pass on.
public final class Conversation<Step: Hashable & Codable & Sendable, Data: Codable & Sendable>: Middleware {
    /// Names the conversation in its session keys; keep it stable across deployments, or dialogs
    /// in progress are forgotten.
    public let name: String
    private let initial: @Sendable () -> Data
    private let sessions: SessionMiddleware<StoredConversation<Step, Data>?>
    private let cancelCommands: Set<String>
    private let routes = Mutex(Routes())

    typealias Route = @Sendable (Context, ConversationState<Step, Data>) -> (@Sendable () async throws -> Void)?

    private struct Routes {
        var steps: [Step: [Route]] = [:]
        var otherwise: [Route] = []
        var onCancel: [@Sendable (Context, Data) async throws -> Void] = []
        /// What the step and `otherwise` handlers can take, for ``updateKinds``.
        var kinds: UpdateKindSet = .empty
    }

    /// - Parameters:
    ///   - name: the conversation's name in session keys.
    ///   - initial: the data a conversation starts from when entered without any.
    ///   - store: where progress is kept; a persistent store makes dialogs survive restarts.
    ///   - key: whose conversation an update continues; default: the sender's, in this chat.
    ///   - cancelCommands: commands (without "/") that leave the conversation from any step.
    public init(
        _ name: String,
        initial: @escaping @autoclosure @Sendable () -> Data,
        store: any SessionStore = InMemorySessionStore(),
        key: @escaping @Sendable (Context) -> String? = SessionKey.userInChat,
        cancelCommands: [String] = ["cancel"]
    ) {
        self.name = name
        self.initial = initial
        self.sessions = SessionMiddleware(
            initial: { nil },
            store: store,
            key: { ctx in key(ctx).map { "conversation:\(name):\($0)" } }
        )
        self.cancelCommands = Set(cancelCommands.map { $0.lowercased() })
    }

    // MARK: Registering

    /// Handles updates `filter` matches while the user is at `step`; the handler gets the
    /// filter's value: `step(.age, .text(as: Int.self)) { ctx, state, age in ... }`.
    public func step<Value>(
        _ step: Step,
        _ filter: Filter<Value>,
        handler: @escaping @Sendable (Context, ConversationState<Step, Data>, Value) async throws -> Void
    ) {
        let route: Route = { ctx, state in
            guard let value = filter.extract(ctx) else { return nil }
            return { try await handler(ctx, state, value) }
        }
        routes.withLock { routes in
            routes.steps[step, default: []].append(route)
            routes.kinds = routes.kinds.union(filter.updateKinds)
        }
    }

    /// Handles every update that reaches `step` untaken: register it after the step's filtered
    /// handlers to re-ask when the answer does not fit.
    public func step(
        _ step: Step,
        handler: @escaping @Sendable (Context, ConversationState<Step, Data>) async throws -> Void
    ) {
        self.step(step, .any) { ctx, state, _ in try await handler(ctx, state) }
    }

    /// Handles what no handler of the current step took, in any step. Call
    /// ``ConversationState/passOn()`` in it to let such updates reach the ordinary handlers.
    public func otherwise(_ handler: @escaping @Sendable (Context, ConversationState<Step, Data>) async throws -> Void) {
        routes.withLock { routes in
            routes.otherwise.append { ctx, state in { try await handler(ctx, state) } }
            routes.kinds = .every
        }
    }

    /// Runs after a cancel command has left the conversation, with the data collected until then.
    public func onCancel(_ handler: @escaping @Sendable (Context, Data) async throws -> Void) {
        routes.withLock { $0.onCancel.append(handler) }
    }

    // MARK: Entering and leaving from ordinary handlers

    /// The conversation as this update sees it; throws ``ConversationError`` when the conversation's
    /// middleware did not run for the update (registered after the handler asking, or no key).
    public func state(in ctx: Context) throws -> ConversationState<Step, Data> {
        guard let state = ctx[owner: self] as? ConversationState<Step, Data> else {
            throw ConversationError(conversation: name, updateKind: ctx.update.kind.rawValue)
        }
        return state
    }

    /// Starts (or restarts) the conversation at `step` with `data` (default: `initial`); the next
    /// update from the user goes to that step's handlers.
    public func enter(_ ctx: Context, at step: Step, with data: Data? = nil) throws {
        try state(in: ctx).enter(at: step, with: data ?? initial())
    }

    /// Ends the conversation; the next update from the user goes to the ordinary handlers again.
    public func leave(_ ctx: Context) throws {
        try state(in: ctx).leave()
    }

    // MARK: Routing

    /// What its steps, `otherwise` handlers and cancel commands can take; outside a conversation
    /// it only passes updates on.
    public var updateKinds: UpdateKindSet {
        let cancelling: UpdateKindSet = cancelCommands.isEmpty ? .empty : .incomingMessages
        return routes.withLock { $0.kinds }.union(cancelling)
    }

    public func handle(_ ctx: Context, next: Next) async throws {
        try await sessions.withSession(ctx, orElse: next) { session in
            let state = ConversationState(stored: session.value, initial: initial)
            ctx[owner: self] = state
            if let step = state.step {
                try await converse(ctx, state: state, step: step, next: next)
            } else {
                try await next()
            }
            // Written back after everything downstream ran, so an ordinary handler's `enter` counts too.
            if let stored = state.stored {
                session.value = stored
            } else {
                session.delete(resettingTo: nil)
            }
        }
    }

    private func converse(_ ctx: Context, state: ConversationState<Step, Data>, step: Step, next: Next) async throws {
        if let command = ctx.incomingCommand, command.isForThisBot, cancelCommands.contains(command.lowercasedName) {
            let data = state.data
            state.leave()
            for handler in routes.withLock({ $0.onCancel }) { try await handler(ctx, data) }
            return
        }
        let candidates = routes.withLock { ($0.steps[step] ?? []) + $0.otherwise }
        if let work = candidates.lazy.compactMap({ $0(ctx, state) }).first {
            try await work()
        } else {
            ctx.logger.debug("no handler of the conversation took the update", metadata: [
                "conversation": "\(name)", "step": "\(step)",
            ])
        }
        if state.passesOn { try await next() }
    }
}

/// What a conversation keeps between updates while the user is in it.
struct StoredConversation<Step: Codable & Sendable, Data: Codable & Sendable>: Codable, Sendable {
    var step: Step
    var data: Data
}

/// A conversation's state was asked for in an update its middleware did not run for.
public struct ConversationError: Error, Sendable, Hashable, CustomStringConvertible {
    public var conversation: String
    public var updateKind: String

    public init(conversation: String, updateKind: String) {
        self.conversation = conversation
        self.updateKind = updateKind
    }

    public var description: String {
        "conversation \"\(conversation)\" is not loaded for this \(updateKind) update: add `bot.use(conversation)` "
            + "before the handler, and check that its key function finds a key for this update"
    }
}
