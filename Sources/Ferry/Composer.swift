import Synchronization

/// Anything handlers and middleware can be registered on: the ``Bot`` itself, or a ``Composer``
/// grouping a part of the bot (`let admin = Composer(); ...; bot.use(admin)`).
/// Every registration function (`command`, `hears`, `on`, ...) is built on `use`.
public protocol Composing: Sendable {
    func use(_ middleware: any Middleware)
}

extension Composing {
    public func use(_ body: @escaping @Sendable (Context, Next) async throws -> Void) {
        use(MiddlewareFunction(body))
    }
}

/// An ordered list of middleware and handlers that is itself a middleware: updates none of its
/// handlers take go on to what is registered after it.
public final class Composer: Composing, Middleware {
    // Registration normally happens before the first update, but a Mutex keeps late registration
    // (from a handler, say) safe; each update runs on a snapshot of the list.
    private let chain = Mutex<[ChainEntry]>([])
    /// What was registered, as registered: asked for its update kinds, never run.
    private let registered = Mutex<[any Middleware]>([])

    public init() {}

    public func use(_ middleware: any Middleware) {
        chain.withLock { $0.append(ChainEntry(middleware)) }
        registered.withLock { $0.append(middleware) }
    }

    public func handle(_ ctx: Context, next: Next) async throws {
        let chain = chain.withLock { $0 }
        try await runChain(chain, from: 0, ctx: ctx, next: next)
    }

    /// The kinds any of the registered middleware and handlers acts on.
    public var updateKinds: UpdateKindSet {
        registeredMiddleware.reduce(.empty) { $0.union($1.updateKinds) }
    }

    /// What was registered, as registered, for what the bot asks of it before it runs.
    var registeredMiddleware: [any Middleware] {
        registered.withLock { $0 }
    }
}
