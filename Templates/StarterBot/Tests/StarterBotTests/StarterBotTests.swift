import FerryTesting
import StarterBotHandlers
import Testing

@Test func countCountsPerChat() async throws {
    let api = BotAPIRecorder()  // records every Bot API call the handlers make
    let bot = Bot(api: api, username: "StarterBot")
    registerHandlers(on: bot, sessions: InMemorySessionStore())

    try await bot.handle(UpdateFactory.message(text: "/count", chatID: 1))
    try await bot.handle(UpdateFactory.message(text: "/count", chatID: 1))
    try await bot.handle(UpdateFactory.message(text: "/count", chatID: 2))
    #expect(api.sentMessages.map(\.text) == ["Count: 1", "Count: 2", "Count: 1"])
}

@Test func otherTextIsEchoed() async throws {
    let api = BotAPIRecorder()
    let bot = Bot(api: api, username: "StarterBot")
    registerHandlers(on: bot, sessions: InMemorySessionStore())

    try await bot.handle(UpdateFactory.message(text: "hello"))
    #expect(api.sentMessages.map(\.text) == ["You said: hello"])
}

// The same test through the pipeline `serve` runs: the webhook, the SQLite queue and the dispatcher.
@Test(arguments: BotTest.Mode.allCases)
func countCountsPerChatInMemoryAndThroughThePipeline(mode: BotTest.Mode) async throws {
    try await BotTest.run(mode, username: "StarterBot", configure: { registerHandlers(on: $0, sessions: InMemorySessionStore()) }) { client in
        for chat in [1, 1, 2] {
            try await client.send(UpdateFactory.message(text: "/count", chatID: chat))
        }
        #expect(client.api.sentMessages.map(\.text) == ["Count: 1", "Count: 2", "Count: 1"])
    }
}
