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

/// Runs `middleware` in order, then `next`.
func runChain(_ middleware: [any Middleware], from index: Int, ctx: Context, next: Next) async throws {
    guard index < middleware.count else { return try await next() }
    try await middleware[index].handle(ctx) {
        try await runChain(middleware, from: index + 1, ctx: ctx, next: next)
    }
}
