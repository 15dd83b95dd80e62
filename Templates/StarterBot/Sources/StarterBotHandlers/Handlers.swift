import Ferry

/// What the bot remembers per chat; kept in the data directory across restarts.
public struct Counter: Codable, Sendable {
    public var count = 0

    public init() {}
}

/// Every handler of the bot. `main.swift` calls this with the data directory's sessions, the tests with
/// sessions in memory.
public func registerHandlers(on bot: Bot, sessions: any SessionStore) {
    bot.use(session(initial: Counter(), store: sessions))

    bot.command("start") { ctx in
        try await ctx.reply("Hi! Send me anything and I repeat it; /count counts.")
    }

    bot.command("count") { ctx in
        let session = try ctx.session(Counter.self)
        session.value.count += 1  // saved once the handler succeeds
        try await ctx.reply("Count: \(session.value.count)")
    }

    // Registered last: it takes the text the commands above did not.
    bot.on(.text) { ctx, text in
        try await ctx.reply("You said: \(text)")
    }
}
