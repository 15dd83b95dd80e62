import Ferry
import FerryTesting
import Testing

@Suite struct SessionTests {
    struct Counter: Codable, Sendable, Equatable {
        var count = 0
    }

    func countingBot(store: InMemorySessionStore) -> (Bot, BotAPIRecorder) {
        let (bot, api) = makeBot()
        bot.use(session(initial: Counter(), store: store))
        bot.command("count") { ctx, _ in
            let session = try ctx.session(Counter.self)
            session.value.count += 1
            try await ctx.reply("\(session.value.count)")
        }
        bot.command("fail") { ctx, _ in
            try ctx.session(Counter.self).update { $0.count += 100 }
            throw Boom()
        }
        bot.command("reset") { ctx, _ in
            try ctx.session(Counter.self).delete(resettingTo: Counter())
        }
        return (bot, api)
    }

    @Test func countsPerChatAndIsolatesChats() async throws {
        let store = InMemorySessionStore()
        let (bot, api) = countingBot(store: store)
        try await bot.handle(UpdateFactory.message(text: "/count", chatID: 1))
        try await bot.handle(UpdateFactory.message(text: "/count", chatID: 1))
        try await bot.handle(UpdateFactory.message(text: "/count", chatID: 2))
        try await bot.handle(UpdateFactory.message(text: "/count", chatID: 1))
        #expect(api.sentTexts == ["1", "2", "1", "3"])
        #expect(Set(store.keys) == ["1", "2"])
    }

    @Test func failedUpdateDoesNotSaveAndResetDeletes() async throws {
        let store = InMemorySessionStore()
        let (bot, api) = countingBot(store: store)
        try await bot.handle(UpdateFactory.message(text: "/count", chatID: 1))
        await #expect(throws: Boom.self) { try await bot.handle(UpdateFactory.message(text: "/fail", chatID: 1)) }
        try await bot.handle(UpdateFactory.message(text: "/count", chatID: 1))
        try await bot.handle(UpdateFactory.message(text: "/reset", chatID: 1))
        #expect(store.keys.isEmpty)
        try await bot.handle(UpdateFactory.message(text: "/count", chatID: 1))
        #expect(api.sentTexts == ["1", "2", "1"])
    }

    @Test func untouchedSessionIsNotWritten() async throws {
        let store = InMemorySessionStore()
        let (bot, _) = countingBot(store: store)
        try await bot.handle(UpdateFactory.message(text: "hello", chatID: 1))
        #expect(store.keys.isEmpty)
    }

    @Test func customKeyAndMissingSessionError() async throws {
        let store = InMemorySessionStore()
        let (bot, _) = makeBot()
        bot.use(session(initial: Counter(), store: store, key: { ctx in ctx.from.map { "user:\($0.id)" } }))
        bot.onAny { ctx in try ctx.session(Counter.self).value.count += 1 }
        try await bot.handle(UpdateFactory.message(text: "a", chatID: -10, chatType: "group"))
        try await bot.handle(UpdateFactory.message(text: "b", chatID: -20, chatType: "group"))
        #expect(store.keys == ["user:\(UpdateFactory.user.id)"])
        let saved = try #require(try await store.load(key: "user:\(UpdateFactory.user.id)"))
        #expect(String(decoding: saved, as: UTF8.self) == #"{"count":2}"#)

        let (plain, _) = makeBot()
        plain.onAny { ctx in _ = try ctx.session(Counter.self) }
        await #expect(throws: SessionError.self) { try await plain.handle(UpdateFactory.message(text: "x")) }
    }
}
