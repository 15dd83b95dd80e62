import Ferry
import FerryTesting
import TelegramBotAPI
import Testing

@Suite struct RecorderTests {
    @Test func defaultsArePlausible() async throws {
        let api = BotAPIRecorder()
        let message = try await api.sendMessage(chatID: 5, messageThreadID: 3, text: "hi")
        #expect(message.chat.id == 5)
        #expect(message.text == "hi")
        #expect(message.messageThreadID == 3)
        #expect(message.from?.isBot == true)
        #expect(try await api.answerCallbackQuery(callbackQueryID: "1"))
        #expect(try await api.getMe().username == "TestBot")
        #expect(try await api.getUpdates().isEmpty)
        #expect(try await api.editMessageText(inlineMessageID: "i", text: "t") == .true)
    }

    @Test func scriptsAreUsedInOrderThenDefaultsResume() async throws {
        let api = BotAPIRecorder()
        let custom = User(id: 1, isBot: true, firstName: "Custom", username: "CustomBot")
        api.respond(to: GetMe.self, with: custom, times: 2)
        api.fail(GetMe.self, with: TelegramAPIError(method: "getMe", errorCode: 401, description: "Unauthorized"))
        #expect(try await api.getMe().username == "CustomBot")
        #expect(try await api.getMe().username == "CustomBot")
        await #expect(throws: TelegramAPIError.self) { try await api.getMe() }
        #expect(try await api.getMe().username == "TestBot")

        api.respond(to: SendMessage.self, times: nil) { method in
            return try JSONValue.object(["message_id": 99, "date": 0, "chat": ["id": 1, "type": "private"], "text": .string(method.text)]).decode()
        }
        #expect(try await api.sendMessage(chatID: 1, text: "a").messageID == 99)
        #expect(try await api.sendMessage(chatID: 1, text: "b").text == "b")
        #expect(api.calls.count == 6)
        #expect(try api.calls(of: SendMessage.self).map(\.text) == ["a", "b"])
    }

    @Test func takeCallsHandsOverOneUpdatesCallsForExactAssertions() async throws {
        let (bot, api) = makeBot()
        bot.command("start") { ctx, _ in
            try await ctx.reply("Hi", replyMarkup: InlineKeyboard().button("Go", data: "go"))
        }
        try await bot.handle(UpdateFactory.message(text: "/start", chatID: 8))
        #expect(api.takeCalls() == [RecordedCall(method: "sendMessage", parameters: [
            "chat_id": 8, "text": "Hi",
            "reply_markup": ["inline_keyboard": [[["text": "Go", "callback_data": "go"]]]],
        ])])
        #expect(api.takeCalls().isEmpty)
        #expect(api.calls.isEmpty)
    }

    @Test func failsLikeTelegram() async throws {
        let api = BotAPIRecorder()
        api.fail(SendMessage.self, errorCode: 403, description: "Forbidden: bot was blocked by the user", times: 2)
        for _ in 0..<2 {
            await #expect(throws: TelegramAPIError(method: "sendMessage", errorCode: 403, description: "Forbidden: bot was blocked by the user")) {
                try await api.sendMessage(chatID: 1, text: "x")
            }
        }
        #expect(try await api.sendMessage(chatID: 1, text: "x").text == "x")
        #expect(api.calls.count == 3)
        // Only the call that succeeded answered a message.
        #expect(api.sentMessages.count == 1)
    }

    @Test func pressesButtonsOfTheMessagesTheBotSent() async throws {
        let (bot, api) = makeBot()
        bot.command("menu") { ctx, _ in
            try await ctx.reply("Menu", replyMarkup: InlineKeyboard().button("A", data: "a").url("Docs", "https://example.com"))
        }
        bot.callbackQuery(data: "a") { ctx, _ in
            try await ctx.editMessageText("Chose A", replyMarkup: InlineKeyboard().button("Back", data: "back").markup)
        }
        try await bot.handle(UpdateFactory.message(text: "/menu"))
        let menu = try #require(api.sentMessages.last)
        #expect(menu.text == "Menu")
        try await bot.handle(try UpdateFactory.callbackQuery(pressing: "A", on: menu))
        // The edit answered the edited message, with its new keyboard, at the same message id.
        let edited = try #require(api.sentMessages.last)
        #expect(edited.messageID == menu.messageID)
        #expect(edited.text == "Chose A")
        #expect(edited.replyMarkup?.inlineKeyboard.first?.first?.callbackData == "back")

        #expect(throws: UpdateFactoryError.noSuchButton("B", available: ["A", "Docs"])) {
            try UpdateFactory.callbackQuery(pressing: "B", on: menu)
        }
        #expect(throws: UpdateFactoryError.buttonHasNoCallbackData("Docs")) {
            try UpdateFactory.callbackQuery(pressing: "Docs", on: menu)
        }
    }
}
