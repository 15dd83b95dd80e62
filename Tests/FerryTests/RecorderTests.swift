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
}
