import Ferry
import FerryTesting
import TelegramBotAPI
import Testing

@Suite struct ErrorHandlingTests {
    @Test func errorHandlerSeesErrorAndContext() async throws {
        let (bot, api) = makeBot()
        let trace = Trace()
        bot.on(.text) { _, _ in throw Boom() }
        bot.catch { error, ctx in
            trace.record("\(error is Boom) \(ctx.update.kind) \(ctx.chat?.id ?? 0)")
            try await ctx.reply("Something went wrong")
        }
        try await bot.handle(UpdateFactory.message(text: "x", chatID: 77))
        #expect(trace.all == ["true message 77"])
        #expect(api.sentTexts == ["Something went wrong"])
    }

    @Test func unhandledErrorPropagatesUnchanged() async throws {
        let (bot, api) = makeBot()
        bot.on(.text) { ctx, _ in try await ctx.reply("hi") }
        let blocked = TelegramAPIError(method: "sendMessage", errorCode: 403, description: "Forbidden: bot was blocked by the user")
        api.fail(SendMessage.self, with: blocked)
        await #expect(throws: blocked) { try await bot.handle(UpdateFactory.message(text: "x")) }
        // The script was for one call; the next one succeeds.
        try await bot.handle(UpdateFactory.message(text: "x"))
        #expect(api.calls(to: "sendMessage").count == 2)
    }

    @Test func rethrowingErrorHandlerPropagates() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.use { _, _ in throw Boom() }
        bot.catch { error, _ in
            trace.record("seen")
            throw error
        }
        await #expect(throws: Boom.self) { try await bot.handle(UpdateFactory.message(text: "x")) }
        #expect(trace.all == ["seen"])
    }

    @Test func contextHelpersNameWhatIsMissing() async throws {
        let (bot, api) = makeBot()
        bot.on(.inlineQuery) { ctx, _ in try await ctx.reply("no chat here") }
        bot.on(.text) { ctx, _ in try await ctx.answerCallbackQuery() }
        await #expect(throws: ContextError(.noChat, helper: "reply", updateKind: .inlineQuery)) {
            try await bot.handle(UpdateFactory.inlineQuery(query: "q"))
        }
        do {
            try await bot.handle(UpdateFactory.message(text: "x"))
            Issue.record("expected ContextError")
        } catch let error as ContextError {
            #expect(error.description == "ctx.answerCallbackQuery needs a callback query, but this update (message) has none")
        }
        #expect(api.calls.isEmpty)
    }
}
