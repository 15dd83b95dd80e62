public import TelegramBotAPI

/// The registration vocabulary, grammY-style. A handler takes the update when its filter matches
/// and ends the chain there: later handlers do not see it. To look at an update and let it go on,
/// register middleware (`use`, or `filter(...).use`) and call `next`.
extension Composing {
    /// Runs `handler` with the filter's value for every update `filter` matches.
    // This and the registration functions below are inlinable so the match closure is built, and
    // specialized, where `Value` is concrete (see `MatchingHandler`).
    @inlinable
    public func on<Value>(_ filter: Filter<Value>, _ handler: @escaping @Sendable (Context, Value) async throws -> Void) {
        use(FilteredHandler(filter: filter, handler: handler))
    }

    /// Takes every update that reaches it; register it last as the fallback.
    @inlinable
    public func onAny(_ handler: @escaping @Sendable (Context) async throws -> Void) {
        on(.any) { ctx, _ in try await handler(ctx) }
    }

    /// `/name`, `/name arguments` and `/name@ThisBot ...`, for any of `names` (without "/").
    @inlinable
    public func command(_ names: String..., handler: @escaping @Sendable (Context, Command) async throws -> Void) {
        on(.command(names), handler)
    }

    /// A text message that is exactly `text`.
    @inlinable
    public func hears(_ text: String, handler: @escaping @Sendable (Context, String) async throws -> Void) {
        on(Filter.text.where { $0 == text }, handler)
    }

    /// A text message matching `pattern` anywhere; the handler gets the captures:
    /// `hears(/buy (\d+)/) { ctx, match in match.1 }`.
    public func hears<Output: Sendable>(
        _ pattern: sending Regex<Output>,
        handler: @escaping @Sendable (Context, Output) async throws -> Void
    ) {
        on(.text(matching: pattern), handler)
    }

    /// A button press whose callback data is exactly `data`.
    @inlinable
    public func callbackQuery(data: String, handler: @escaping @Sendable (Context, CallbackQuery) async throws -> Void) {
        on(.callbackQuery(data: data), handler)
    }

    /// A button press whose whole callback data matches `pattern`.
    public func callbackQuery<Output: Sendable>(
        pattern: sending Regex<Output>,
        handler: @escaping @Sendable (Context, Output) async throws -> Void
    ) {
        on(.callbackQuery(pattern: pattern), handler)
    }

    /// A button press whose callback data decodes as `type` (see ``CallbackData``).
    public func callbackQuery<Payload: Decodable & Sendable>(
        _ type: Payload.Type,
        prefix: String = "",
        handler: @escaping @Sendable (Context, Payload) async throws -> Void
    ) {
        on(.callbackData(type, prefix: prefix), handler)
    }

    // MARK: Handlers that need only the context

    /// `on(filter) { ctx, value in ... }` for a handler that needs only `ctx`: `bot.on(.photo) { ctx in ... }`.
    @inlinable
    public func on<Value>(_ filter: Filter<Value>, _ handler: @escaping @Sendable (Context) async throws -> Void) {
        on(filter) { ctx, _ in try await handler(ctx) }
    }

    /// A command whose handler needs only `ctx`: `bot.command("start") { ctx in try await ctx.reply("Hi") }`.
    @inlinable
    public func command(_ names: String..., handler: @escaping @Sendable (Context) async throws -> Void) {
        on(.command(names)) { ctx, _ in try await handler(ctx) }
    }

    /// A text message that is exactly `text`, for a handler that needs only `ctx`.
    @inlinable
    public func hears(_ text: String, handler: @escaping @Sendable (Context) async throws -> Void) {
        on(Filter.text.where { $0 == text }) { ctx, _ in try await handler(ctx) }
    }

    /// A button press whose callback data is exactly `data`, for a handler that needs only `ctx`.
    @inlinable
    public func callbackQuery(data: String, handler: @escaping @Sendable (Context) async throws -> Void) {
        on(.callbackQuery(data: data)) { ctx, _ in try await handler(ctx) }
    }

    /// A branch: middleware and handlers registered on the returned composer see only the updates
    /// `filter` matches; the others go on past it.
    public func filter<Value>(_ filter: Filter<Value>) -> Composer {
        let branch = Composer()
        use(FilterBranch(filter: filter, branch: branch))
        return branch
    }
}

/// What `filter(_:)` registers: the branch sees the updates the filter matches, the rest go on.
struct FilterBranch<Value: Sendable>: Middleware {
    let filter: Filter<Value>
    let branch: Composer

    func handle(_ ctx: Context, next: Next) async throws {
        if filter.extract(ctx) != nil {
            try await branch.handle(ctx, next: next)
        } else {
            try await next()
        }
    }

    /// Asked for when the bot subscribes, after the branch's handlers are registered.
    var updateKinds: UpdateKindSet {
        filter.updateKinds.intersection(branch.updateKinds)
    }
}

@usableFromInline
struct FilteredHandler<Value: Sendable>: MatchingHandler {
    @usableFromInline let filter: Filter<Value>
    @usableFromInline let handler: @Sendable (Context, Value) async throws -> Void
    @usableFromInline let match: Match

    @inlinable
    init(filter: Filter<Value>, handler: @escaping @Sendable (Context, Value) async throws -> Void) {
        self.filter = filter
        self.handler = handler
        self.match = { ctx in
            guard let value = filter.extract(ctx) else { return nil }
            return { try await handler(ctx, value) }
        }
    }

    @usableFromInline
    var updateKinds: UpdateKindSet { filter.updateKinds }

    @usableFromInline
    func handle(_ ctx: Context, next: Next) async throws {
        if let value = filter.extract(ctx) {
            try await handler(ctx, value)
        } else {
            try await next()
        }
    }
}
