import Ferry
import FerryTesting
import TelegramBotAPI
import Testing

@Suite struct DeadLetterTests {
    @Test func defaultHookApologizesInTheChat() async throws {
        let (bot, api) = makeBot()
        try await bot.runDeadLetterHook(update: UpdateFactory.message(text: "x", chatID: 55), reason: "handler threw: Boom()", attempts: 3)
        let sent = try api.calls(of: SendMessage.self)
        #expect(sent.map(\.text) == [DeadLetter.defaultApology])
        #expect(sent.first?.chatID == 55)
        #expect(DeadLetter.defaultApology == "Sorry, I couldn't process your last message. Our team has been notified.")
    }

    @Test func defaultHookSkipsUpdatesWithoutChatAndBlockedChats() async throws {
        let (bot, api) = makeBot()
        try await bot.runDeadLetterHook(update: UpdateFactory.inlineQuery(query: "q"), reason: "handler threw: Boom()", attempts: 3)
        api.fail(SendMessage.self, with: TelegramAPIError(method: "sendMessage", errorCode: 403, description: "Forbidden: bot was blocked by the user"))
        try await bot.runDeadLetterHook(update: UpdateFactory.message(text: "x"), reason: "handler threw: Boom()", attempts: 3)
        #expect(api.calls(to: "sendMessage").count == 1)
    }

    @Test func customHookSeesTheDeadLetter() async throws {
        let (bot, api) = makeBot()
        let trace = Trace()
        bot.onDeadLetter { ctx, deadLetter in
            trace.record("\(deadLetter.attempts) \(deadLetter.reason) \(deadLetter.update.updateID == ctx.update.updateID)")
        }
        try await bot.runDeadLetterHook(update: UpdateFactory.message(text: "x"), reason: "db down", attempts: 5)
        #expect(trace.all == ["5 db down true"])
        #expect(api.calls.isEmpty)
    }
}
