import ExampleBots
import Ferry
import FerryTesting
import TelegramBotAPI
import Testing

@Suite struct EchoBotExampleTests {
    let api = BotAPIRecorder()
    let bot: Bot

    init() {
        bot = Bot(api: api, username: "EchoTestBot")
        EchoBotExample.register(on: bot)
    }

    func sendMessage(to chat: Int, _ text: String) -> RecordedCall {
        RecordedCall(method: "sendMessage", parameters: ["chat_id": .integer(chat), "text": .string(text)])
    }

    @Test func answersTheCommandsAndEchoesEverythingElse() async throws {
        let chat = UpdateFactory.user.id
        let expected = [
            ("/start", "Welcome to my bot!"),
            ("/help", "How can I help you?"),
            ("hello there", "You said: hello there"),
            ("/unknown", "You said: /unknown"),
            ("/start@OtherBot", "You said: /start@OtherBot"),
        ]
        for (text, answer) in expected {
            try await bot.handle(UpdateFactory.message(text: text))
            #expect(api.takeCalls() == [sendMessage(to: chat, answer)], "after \(text)")
        }
    }

    @Test func answersInGroupsWhenAddressed() async throws {
        try await bot.handle(UpdateFactory.message(text: "/start@EchoTestBot", chatID: -100_5, chatType: "supergroup"))
        #expect(api.takeCalls() == [sendMessage(to: -100_5, "Welcome to my bot!")])
    }

    @Test func ignoresWhatIsNotText() async throws {
        try await bot.handle(UpdateFactory.photo(caption: "a photo"))
        try await bot.handle(UpdateFactory.editedMessage(text: "edited"))
        try await bot.handle(UpdateFactory.callbackQuery(data: "x"))
        #expect(api.calls.isEmpty)
    }

    @Test func aBlockedUserFailsTheUpdateWithTelegramsError() async throws {
        api.fail(SendMessage.self, errorCode: 403, description: "Forbidden: bot was blocked by the user")
        do {
            try await bot.handle(UpdateFactory.message(text: "hi"))
            Issue.record("the update should fail")
        } catch let error as TelegramAPIError {
            #expect(error.errorCode == 403)
            #expect(error.method == "sendMessage")
            #expect(error.isPermanent)
        }
        // The call was made (and recorded) before it failed; the next one succeeds again.
        try await bot.handle(UpdateFactory.message(text: "again"))
        #expect(api.sentTexts == ["You said: hi", "You said: again"])
    }
}
