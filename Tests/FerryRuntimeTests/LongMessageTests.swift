import ExampleBots
import Ferry
import FerryRuntime
import FerryTesting
import TelegramBotAPI
import Testing
import FerryTestSupport

/// An echo of a message near Telegram's 4,096-character limit is itself over it. It used to be sent whole,
/// refused with 400 three times and then apologized for; now a refusal that can never succeed is
/// dead-lettered at once with Telegram's reason, and `reply(..., split: true)` sends the echo in parts.
@Suite struct LongMessageTests {
    /// 4,089 characters of words: within what a user may send, but not with "You said: " before it.
    let longText = Array(repeating: "word", count: 818).joined(separator: " ")

    /// A recorder that refuses a text over 4,096 UTF-16 code units, as Telegram does.
    func telegramLikeAPI() -> BotAPIRecorder {
        let api = BotAPIRecorder()
        api.respond(to: SendMessage.self, times: nil) { call in
            guard call.text.utf16.count <= 4096 else {
                throw TelegramAPIError(method: "sendMessage", errorCode: 400, description: "Bad Request: message is too long")
            }
            return try JSONValue.object([
                "message_id": 1, "date": 0, "chat": ["id": .integer(1), "type": "private"], "text": .string(call.text),
            ]).decode()
        }
        return api
    }

    @Test func aReplyTelegramRefusesAsTooLongIsDeadLetteredAtOnceWithTheReason() async throws {
        let api = telegramLikeAPI()
        try await BotTest.runPipeline(api: api, configure: EchoBotHandlers.register) { host in
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: longText).utf8)) == 200)
            try await eventually { try await host.storage.queue.deadLetters(limit: 10).count == 1 }
            let letter = try #require(try await host.storage.queue.deadLetters(limit: 10).first)
            #expect(letter.attempts == 1, "not repeated: the same text is refused every time")
            #expect(letter.reason.contains("message is too long"))
            // The refused echo once, then the apology; give a repeat a moment to show up.
            try await eventually { host.api.sentTexts(to: 1).count >= 2 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(host.api.sentTexts(to: 1).map(\.count) == ["You said: ".count + longText.count, DeadLetter.defaultApology.count])
        }
    }

    @Test func theExampleEchoBotSendsALongEchoInParts() async throws {
        let api = telegramLikeAPI()
        try await BotTest.runPipeline(api: api, configure: EchoBotExample.register) { host in
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: longText).utf8)) == 200)
            try await eventually { host.api.sentTexts(to: 1).count == 2 }
            let parts = host.api.sentTexts(to: 1)
            #expect(parts.allSatisfy { $0.utf16.count <= 4096 })
            #expect(parts.joined(separator: " ") == "You said: " + longText)
            try await eventually { try await host.storage.queue.depth() == 0 }
            #expect(try await host.storage.queue.deadLetters(limit: 10).isEmpty)
        }
    }
}
