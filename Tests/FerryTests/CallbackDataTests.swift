import Ferry
import FerryTesting
import TelegramBotAPI
import Testing

@Suite struct CallbackDataTests {
    struct Vote: Codable, Sendable, Equatable {
        var poll: Int
        var choice: String
    }

    @Test func typedPayloadRoundTripsThroughAKeyboard() async throws {
        let (bot, api) = makeBot()
        let trace = Trace()
        bot.command("vote") { ctx, _ in
            let keyboard = try InlineKeyboard()
                .button("Yes", payload: Vote(poll: 7, choice: "y"), prefix: "v:")
                .button("No", payload: Vote(poll: 7, choice: "n"), prefix: "v:")
                .row()
                .url("Rules", "https://example.com/rules")
            try await ctx.reply("Vote?", replyMarkup: keyboard)
        }
        bot.callbackQuery(Vote.self, prefix: "v:") { ctx, vote in
            trace.record("\(vote.poll) \(vote.choice)")
            try await ctx.answerCallbackQuery(text: "Counted")
        }

        try await bot.handle(UpdateFactory.message(text: "/vote"))
        let sent = try #require(try api.calls(of: SendMessage.self).first)
        guard case .inlineKeyboardMarkup(let markup) = sent.replyMarkup else {
            Issue.record("expected an inline keyboard, got \(String(describing: sent.replyMarkup))")
            return
        }
        #expect(markup.inlineKeyboard.map { $0.map(\.text) } == [["Yes", "No"], ["Rules"]])
        let data = try #require(markup.inlineKeyboard[0][1].callbackData)
        #expect(data == #"v:{"choice":"n","poll":7}"#)

        try await bot.handle(UpdateFactory.callbackQuery(data: data))
        try await bot.handle(UpdateFactory.callbackQuery(data: #"x:{"choice":"n","poll":7}"#))
        #expect(trace.all == ["7 n"])
        #expect(api.calls(to: "answerCallbackQuery").map { $0["text"] } == ["Counted"])
    }

    @Test func dataOverSixtyFourBytesThrowsClearly() throws {
        let long = Vote(poll: 1, choice: String(repeating: "x", count: 60))
        #expect(throws: CallbackDataTooLong.self) { try CallbackData.encode(long) }
        do {
            _ = try InlineKeyboard().button("Too long", payload: long)
            Issue.record("expected CallbackDataTooLong")
        } catch let error as CallbackDataTooLong {
            #expect(error.byteCount > CallbackData.maxBytes)
            #expect(error.description.contains("over Telegram's limit of 64"))
            #expect(error.description.contains("Vote"))
        }
        // Exactly 64 bytes fits.
        let fits = try CallbackData.encode(String(repeating: "é", count: 31))
        #expect(fits.utf8.count == 64)
    }

    @Test func foreignDataDoesNotDecode() {
        #expect(CallbackData.decode(Vote.self, from: "yes") == nil)
        #expect(CallbackData.decode(Vote.self, from: #"{"poll":1}"#) == nil)
        #expect(CallbackData.decode(Vote.self, from: #"{"choice":"a","poll":1}"#) == Vote(poll: 1, choice: "a"))
    }
}
