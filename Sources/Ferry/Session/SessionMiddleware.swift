#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Loads a typed session before the handlers and saves it after them:
///
/// ```swift
/// struct Counter: Codable, Sendable { var count = 0 }
/// bot.use(session(initial: Counter()))
/// bot.command("count") { ctx, _ in
///     let session = try ctx.session(Counter.self)
///     session.value.count += 1
///     try await ctx.reply("\(session.value.count)")
/// }
/// ```
///
/// - Parameters:
///   - initial: the value of a session never saved (or deleted).
///   - store: where sessions are kept; default: in memory.
///   - key: which session an update belongs to; default: its chat id. Return `nil` for updates
///     with no session: handlers then get a ``SessionError`` when they ask for one.
public func session<Value: Codable & Sendable>(
    initial: @escaping @autoclosure @Sendable () -> Value,
    store: any SessionStore = InMemorySessionStore(),
    key: @escaping @Sendable (Context) -> String? = SessionKey.chat
) -> SessionMiddleware<Value> {
    SessionMiddleware(initial: initial, store: store, key: key)
}

public struct SessionMiddleware<Value: Codable & Sendable>: Middleware {
    let initial: @Sendable () -> Value
    let store: any SessionStore
    let key: @Sendable (Context) -> String?

    public func handle(_ ctx: Context, next: Next) async throws {
        try await withSession(ctx, orElse: next) { session in
            ctx[SessionContextKey<Value>.self] = session
            try await next()
        }
    }

    /// None: it passes every update on, so the handlers after it decide what the bot receives.
    public var updateKinds: UpdateKindSet { .empty }

    /// Loads the update's session, runs `body` with it and saves what `body` left in it; runs
    /// `orElse` instead when the update has no session key. Conversations keep their state through
    /// this too, under a context key of their own.
    func withSession(
        _ ctx: Context,
        orElse noSession: Next,
        _ body: (Session<Value>) async throws -> Void
    ) async throws {
        guard let key = key(ctx) else { return try await noSession() }
        let stored = try await store.load(key: key)
        let session = Session(key: key, value: decode(stored, ctx: ctx) ?? initial())

        // Saved only when the handlers succeed: a failed update is retried, and the retry must
        // start from the state the first attempt saw.
        try await body(session)

        let (value, deleted) = session.snapshot
        if deleted {
            if stored != nil { try await store.delete(key: key) }
            return
        }
        let encoded = try encode(value)
        // An unchanged session costs no write; nor does one never touched from its initial value.
        guard encoded != stored else { return }
        if stored == nil, try encoded == encode(initial()) { return }
        try await store.save(encoded, key: key)
    }

    private func encode(_ value: Value) throws -> [UInt8] {
        let encoder = JSONEncoder()
        // Sorted keys make equal sessions encode to equal bytes, so "unchanged" is detectable.
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(value))
    }

    /// A stored session that no longer decodes (its type changed) starts over rather than failing
    /// every update of the chat until it is dead-lettered.
    private func decode(_ stored: [UInt8]?, ctx: Context) -> Value? {
        guard let stored else { return nil }
        do {
            return try JSONDecoder().decode(Value.self, from: Data(stored))
        } catch {
            ctx.logger.warning("stored session does not decode; starting from initial", metadata: ["error": "\(error)"])
            return nil
        }
    }
}
