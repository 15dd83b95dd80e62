import FerryTesting
import Testing

/// What a bot author writes, with only the test kit imported: handlers that take only `ctx`, parse modes by
/// name, keyboards passed as built, sessions read in a handler.
@Suite struct SurfaceTests {
    @Test func handlersMayTakeOnlyTheContext() async throws {
        let (bot, api) = makeBot()
        bot.command("start") { ctx in try await ctx.reply("started") }
        bot.hears("ping") { ctx in try await ctx.reply("pong") }
        bot.callbackQuery(data: "tap") { ctx in try await ctx.answerCallbackQuery(text: "tapped") }
        bot.on(.photo) { ctx in try await ctx.reply("a photo") }
        // The two-argument form is unchanged beside them.
        bot.on(.text) { ctx, text in try await ctx.reply("said \(text)") }

        try await bot.handle(UpdateFactory.message(text: "/start"))
        try await bot.handle(UpdateFactory.message(text: "ping"))
        try await bot.handle(UpdateFactory.callbackQuery(data: "tap"))
        try await bot.handle(UpdateFactory.message(text: "other"))
        #expect(try api.calls(of: SendMessage.self).map(\.text) == ["started", "pong", "said other"])
        #expect(try api.calls(of: AnswerCallbackQuery.self).map(\.text) == ["tapped"])
    }

    @Test func parseModesGoOutByTheirTelegramNames() async throws {
        let (bot, api) = makeBot()
        bot.command("html") { ctx in try await ctx.reply("<b>bold</b>", parseMode: .html) }
        bot.command("md") { ctx in try await ctx.reply("*bold*", parseMode: .markdownV2) }
        bot.command("literal") { ctx in try await ctx.reply("plain", parseMode: "Markdown") }
        for command in ["/html", "/md", "/literal"] { try await bot.handle(UpdateFactory.message(text: command)) }
        #expect(api.calls(to: "sendMessage").map { $0["parse_mode"] } == ["HTML", "MarkdownV2", "Markdown"])
    }

    @Test func keyboardsArePassedAsBuilt() async throws {
        let (bot, api) = makeBot()
        let keyboard = InlineKeyboard().button("Undo", data: "undo")
        bot.command("ask") { ctx in try await ctx.reply("Sure?", replyMarkup: ReplyKeyboard().text("Yes")) }
        bot.callbackQuery(data: "done") { ctx in try await ctx.editMessageText("Done", replyMarkup: keyboard) }
        try await bot.handle(UpdateFactory.message(text: "/ask"))
        try await bot.handle(UpdateFactory.callbackQuery(data: "done"))
        #expect(try api.calls(of: EditMessageText.self).first?.replyMarkup == keyboard.markup)
        #expect(try api.calls(of: SendMessage.self).first?.replyMarkup != nil)
    }

    @Test func aSessionIsReadAndChangedInAHandler() async throws {
        struct Counter: Codable, Sendable { var count = 0 }
        let (bot, api) = makeBot()
        bot.use(session(initial: Counter()))
        bot.command("count") { ctx in
            let session = try ctx.session(Counter.self)
            session.value.count += 1
            try await ctx.reply("Count: \(session.value.count)")
        }
        for _ in 0..<3 { try await bot.handle(UpdateFactory.message(text: "/count", chatID: 5)) }
        try await bot.handle(UpdateFactory.message(text: "/count", chatID: 6))
        #expect(try api.calls(of: SendMessage.self).map(\.text) == ["Count: 1", "Count: 2", "Count: 3", "Count: 1"])
    }
}
