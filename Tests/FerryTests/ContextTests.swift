import Ferry
import FerryTesting
import TelegramBotAPI
import Testing

@Suite struct ContextTests {
    @Test func replyGoesToTheChatAndForumTopic() async throws {
        let (bot, api) = makeBot()
        bot.on(.text) { ctx, text in try await ctx.reply("echo: \(text)", quote: true) }
        try await bot.handle(UpdateFactory.message(text: "hi", chatID: 9))
        try await bot.handle(UpdateFactory.message(text: "topic", chatID: -100, chatType: "supergroup", threadID: 12))
        let sent = try api.calls(of: SendMessage.self)
        #expect(sent.map(\.text) == ["echo: hi", "echo: topic"])
        #expect(sent.map(\.chatID) == [9, -100])
        #expect(sent.map(\.messageThreadID) == [nil, 12])
        #expect(sent[0].replyParameters?.messageID != nil)
    }

    @Test func answerCallbackQueryAndEditMessage() async throws {
        let (bot, api) = makeBot()
        bot.callbackQuery(data: "done") { ctx, query in
            try await ctx.answerCallbackQuery(text: "Saved")
            try await ctx.editMessageText("Done ✅", replyMarkup: InlineKeyboard().button("Undo", data: "undo").markup)
            try await ctx.reply("also a new message")
        }
        let update = UpdateFactory.callbackQuery(data: "done", chatID: 31)
        try await bot.handle(update)

        let answers = try api.calls(of: AnswerCallbackQuery.self)
        #expect(answers.map(\.callbackQueryID) == [update.callbackQuery?.id])
        #expect(answers.first?.text == "Saved")
        let edit = try #require(try api.calls(of: EditMessageText.self).first)
        #expect(edit.chatID == 31)
        #expect(edit.messageID == update.callbackQuery.flatMap { if case .message(let m) = $0.message { m.messageID } else { nil } })
        #expect(edit.text == "Done ✅")
        #expect(api.calls.map(\.method) == ["answerCallbackQuery", "editMessageText", "sendMessage"])
        #expect(api.calls(to: "sendMessage").first?["chat_id"] == 31)
    }

    @Test func sendsPhotosAndDocumentsAsUploads() async throws {
        let (bot, api) = makeBot()
        bot.command("report") { ctx, _ in
            try await ctx.replyWithDocument(.bytes(Array("a,b\n".utf8), filename: "report.csv"), caption: "Your report")
            try await ctx.replyWithPhoto(.fileID("AgAD-existing"), replyMarkup: ReplyKeyboard().text("OK").resized())
        }
        try await bot.handle(UpdateFactory.message(text: "/report"))
        let document = try #require(api.calls(to: "sendDocument").first)
        #expect(document["document"] == "attach://file0")
        #expect(document.uploads["file0"]?.filename == "report.csv")
        #expect(document["caption"] == "Your report")
        let photo = try #require(try api.calls(of: SendPhoto.self).first)
        #expect(photo.photo == .fileID("AgAD-existing"))
        guard case .replyKeyboardMarkup(let keyboard) = photo.replyMarkup else {
            Issue.record("expected a reply keyboard")
            return
        }
        #expect(keyboard.keyboard.map { $0.map(\.text) } == [["OK"]])
        #expect(keyboard.resizeKeyboard == true)
    }

    @Test func shortcutsFindChatAndSender() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.onAny { ctx in trace.record("\(ctx.chat?.id ?? 0) \(ctx.from?.id ?? 0) \(ctx.message?.messageID != nil)") }
        try await bot.handle(UpdateFactory.callbackQuery(data: "x", chatID: -3))
        try await bot.handle(UpdateFactory.inlineQuery(query: "q"))
        let user = UpdateFactory.user.id
        #expect(trace.all == ["-3 \(user) true", "0 \(user) false"])
    }

    @Test func inlineAndPreCheckoutAnswers() async throws {
        let (bot, api) = makeBot()
        bot.on(.inlineQuery) { ctx, _ in try await ctx.answerInlineQuery([], cacheTime: 0) }
        bot.on(.preCheckoutQuery) { ctx, _ in try await ctx.answerPreCheckoutQuery(ok: true) }
        try await bot.handle(UpdateFactory.inlineQuery(query: "q"))
        try await bot.handle(UpdateFactory.preCheckoutQuery(payload: "p"))
        #expect(api.calls.map(\.method) == ["answerInlineQuery", "answerPreCheckoutQuery"])
        #expect(api.calls[1]["ok"] == true)
    }
}
