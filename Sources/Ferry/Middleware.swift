/// Continues with the rest of the chain: later middleware and handlers. Not calling it stops the update there.
public typealias Next = @Sendable () async throws -> Void

/// One step of the chain an update runs through. Code before `next()` runs on the way in,
/// code after it on the way out, in registration order (the onion model of grammY and Hummingbird).
public protocol Middleware: Sendable {
    func handle(_ ctx: Context, next: Next) async throws

    /// The kinds of update this middleware acts on by itself, rather than only passing them on
    /// with `next`: what it adds to ``Bot/allowedUpdates``. The default is every kind, since a
    /// middleware may answer or stop any update; one that only decorates updates for the handlers
    /// after it (loading a session, timing) returns ``UpdateKindSet/empty``.
    var updateKinds: UpdateKindSet { get }
}

extension Middleware {
    public var updateKinds: UpdateKindSet { .every }
}

/// A middleware written as a closure: `bot.use { ctx, next in ...; try await next() }`.
public struct MiddlewareFunction: Middleware {
    public let body: @Sendable (Context, Next) async throws -> Void

    public init(_ body: @escaping @Sendable (Context, Next) async throws -> Void) {
        self.body = body
    }

    public func handle(_ ctx: Context, next: Next) async throws {
        try await body(ctx, next)
    }
}

/// A handler that takes an update only when its filter matches, and otherwise passes it on untouched.
/// The chain tests these synchronously, in a loop, instead of nesting one async call and one `next`
/// closure per handler: with 50 handlers that nesting alone cost microseconds per update.
@usableFromInline
protocol MatchingHandler: Middleware {
    /// The work to do when the filter matches an update, `nil` when it does not. A closure made
    /// where the value type is concrete, so routing runs specialized code: through a generic
    /// witness, each test looked up `Optional<Value>`'s metadata, a hash-table probe per handler.
    var match: Match { get }
}

@usableFromInline
typealias Match = @Sendable (Context) -> (@Sendable () async throws -> Void)?

/// One registered step, sorted once at registration so routing needs no dynamic cast per update.
/// Both cases hold a closure, so copying an entry is one retain rather than an outlined copy of an
/// existential, which routing did once per handler.
enum ChainEntry: Sendable {
    case handler(Match)
    case middleware(@Sendable (Context, Next) async throws -> Void)

    init(_ middleware: any Middleware) {
        if let handler = middleware as? any MatchingHandler {
            self = .handler(handler.match)
        } else {
            self = .middleware(middleware.handle)
        }
    }
}

/// Runs `chain` in order from `index`, then `next`.
func runChain(_ chain: [ChainEntry], from index: Int, ctx: Context, next: Next) async throws {
    switch firstTaker(in: chain, from: index, ctx: ctx) {
    case .handler(let work):
        try await work()
    case .middleware(let middleware, let rest):
        try await middleware(ctx) {
            try await runChain(chain, from: rest, ctx: ctx, next: next)
        }
    case nil:
        try await next()
    }
}

enum Taker {
    case handler(@Sendable () async throws -> Void)
    case middleware(@Sendable (Context, Next) async throws -> Void, rest: Int)
}

/// The first entry from `start` on that takes the update: a handler whose filter matches, or a
/// middleware. Tests filters over the array's buffer, synchronously: reading the entries in place
/// spares a retain and a release per handler that an element copy costs.
private func firstTaker(in chain: [ChainEntry], from start: Int, ctx: Context) -> Taker? {
    chain.withUnsafeBufferPointer { entries in
        for index in start..<entries.count {
            switch entries[index] {
            case .handler(let match):
                if let work = match(ctx) { return .handler(work) }
            case .middleware(let middleware):
                return .middleware(middleware, rest: index + 1)
            }
        }
        return nil
    }
}
