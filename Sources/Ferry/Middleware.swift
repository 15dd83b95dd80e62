/// Continues with the rest of the chain: later middleware and handlers. Not calling it stops the update there.
public typealias Next = @Sendable () async throws -> Void

/// One step of the chain an update runs through. Code before `next()` runs on the way in,
/// code after it on the way out, in registration order (the onion model of grammY and Hummingbird).
public protocol Middleware: Sendable {
    func handle(_ ctx: Context, next: Next) async throws
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
enum ChainEntry: Sendable {
    case handler(Match)
    case middleware(any Middleware)

    init(_ middleware: any Middleware) {
        if let handler = middleware as? any MatchingHandler {
            self = .handler(handler.match)
        } else {
            self = .middleware(middleware)
        }
    }
}

/// Runs `chain` in order from `index`, then `next`.
func runChain(_ chain: [ChainEntry], from index: Int, ctx: Context, next: Next) async throws {
    var index = index
    while index < chain.count {
        switch chain[index] {
        case .handler(let match):
            if let work = match(ctx) { return try await work() }
            index += 1
        case .middleware(let middleware):
            let rest = index + 1
            return try await middleware.handle(ctx) {
                try await runChain(chain, from: rest, ctx: ctx, next: next)
            }
        }
    }
    try await next()
}
