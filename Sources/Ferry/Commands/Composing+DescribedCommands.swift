extension Composing {
    /// `/name` as `command(_:handler:)` takes it, listed in Telegram's command menu with `description`
    /// (in `scope`, and in other languages as `localized`, by language code) once ``Bot/publishCommandLists()`` runs,
    /// as `serve`, `poll` and `deploy` do: `bot.command("count", description: "Count up") { ctx, _ in ... }`.
    public func command(
        _ name: String,
        description: String,
        scope: CommandScope = .default,
        localized: [String: String] = [:],
        handler: @escaping @Sendable (Context, Command) async throws -> Void
    ) {
        let described = CommandDescription(command: name.lowercased(), description: description, scope: scope, localized: localized)
        use(DescribedCommand(handler: FilteredHandler(filter: .command([name]), handler: handler), commandDescriptions: [described]))
    }

    /// The described command for a handler that needs only `ctx`.
    public func command(
        _ name: String,
        description: String,
        scope: CommandScope = .default,
        localized: [String: String] = [:],
        handler: @escaping @Sendable (Context) async throws -> Void
    ) {
        command(name, description: description, scope: scope, localized: localized) { ctx, _ in try await handler(ctx) }
    }
}

/// A command handler that also tells the bot's menu about itself; routed like any other handler.
struct DescribedCommand: MatchingHandler, DescribesCommands {
    let handler: FilteredHandler<Command>
    let commandDescriptions: [CommandDescription]

    var match: Match { handler.match }
    var updateKinds: UpdateKindSet { handler.updateKinds }

    func handle(_ ctx: Context, next: Next) async throws {
        try await handler.handle(ctx, next: next)
    }
}

extension Composer: DescribesCommands {
    /// The commands described by what is registered on this composer, in registration order.
    public var commandDescriptions: [CommandDescription] {
        registeredMiddleware.flatMap { ($0 as? any DescribesCommands)?.commandDescriptions ?? [] }
    }
}

extension FilterBranch: DescribesCommands {
    var commandDescriptions: [CommandDescription] { branch.commandDescriptions }
}

extension Bot: DescribesCommands {
    /// Every command registered with a description, in registration order.
    public var commandDescriptions: [CommandDescription] { rootComposer.commandDescriptions }
}
