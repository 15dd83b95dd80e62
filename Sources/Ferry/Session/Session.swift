import Synchronization

/// The session of one update: per-chat (by default) state loaded before the handlers and saved
/// after them. Obtain it with `ctx.session(MySession.self)`.
///
/// Updates of one chat are handled one at a time, in order, by the runtime, so
/// `session.value.count += 1` needs no further locking; the `Mutex` inside only makes the handle
/// safe to share with the handler's own child tasks.
public final class Session<Value: Codable & Sendable>: Sendable {
    public let key: String
    private let state: Mutex<State>

    private struct State {
        var value: Value
        var deleted = false
    }

    init(key: String, value: Value) {
        self.key = key
        self.state = Mutex(State(value: value))
    }

    public var value: Value {
        get { state.withLock { $0.value } }
        set { state.withLock { $0.value = newValue; $0.deleted = false } }
    }

    /// Changes the value in place, atomically with respect to other tasks of this update.
    public func update<Result: Sendable, Failure: Error>(
        _ body: (inout Value) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        try state.withLock { (state) throws(Failure) -> Result in
            state.deleted = false
            return try body(&state.value)
        }
    }

    /// Deletes the stored session once the update is handled; `value` goes back to `initial`.
    public func delete(resettingTo initial: Value) {
        state.withLock { $0 = State(value: initial, deleted: true) }
    }

    var snapshot: (value: Value, deleted: Bool) {
        state.withLock { ($0.value, $0.deleted) }
    }
}

/// A session was asked for that the bot does not load for this update.
public struct SessionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var type: String
    public var updateKind: String

    public var description: String {
        "no session of type \(type) for this \(updateKind) update: add `bot.use(session(initial:))` "
            + "before the handler, and check that its key function finds a key for this update"
    }
}

/// Ready-made session keys.
public enum SessionKey {
    /// One session per chat (the default): what a group does together, a private chat alone.
    @Sendable public static func chat(_ ctx: Context) -> String? {
        ctx.chat.map { String($0.id) }
    }

    /// One session per user, across every chat they use the bot in.
    @Sendable public static func user(_ ctx: Context) -> String? {
        ctx.from.map { "user:\($0.id)" }
    }

    /// One session per user in each chat: in a group, each member's own state (what conversations
    /// use, so that one member's answers do not land in another's dialog). Safe because the runtime
    /// orders updates per chat.
    @Sendable public static func userInChat(_ ctx: Context) -> String? {
        guard let chat = ctx.chat, let user = ctx.from else { return nil }
        return "\(chat.id):\(user.id)"
    }
}

struct SessionContextKey<Value: Codable & Sendable>: ContextKey {
    typealias Value = Session<Value>
}

extension Context {
    /// The session loaded by the `session(initial:)` middleware for `type`.
    public func session<Value: Codable & Sendable>(_ type: Value.Type = Value.self) throws -> Session<Value> {
        guard let session = self[SessionContextKey<Value>.self] else {
            throw SessionError(type: String(describing: type), updateKind: update.kind.rawValue)
        }
        return session
    }
}
