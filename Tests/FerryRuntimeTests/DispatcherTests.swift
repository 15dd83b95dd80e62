import Ferry
import FerryRuntime
import FerryTesting
import TelegramBotAPI
import Testing
import FerryTestSupport

@Suite struct DispatcherTests {
    @Test func keepsEachChatInOrderWhileChatsRunInParallel() async throws {
        // 50 chats x 20 messages, every chat posting while the others do.
        try await BotTest.runPipeline(.init(concurrency: 32), configure: EchoBotHandlers.register) { host in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for chat in 1...50 {
                    group.addTask {
                        for index in 1...20 {
                            let status = try await host.post(Array(textUpdate(updateID: chat * 100 + index, chatID: chat, messageID: index, text: "\(index)").utf8))
                            #expect(status == 200)
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await eventually(within: .seconds(120)) { host.api.calls(to: "sendMessage").count >= 1000 }
            for chat in 1...50 {
                #expect(host.api.sentTexts(to: chat) == (1...20).map { "You said: \($0)" }, "chat \(chat)")
            }
            #expect(host.api.calls(to: "sendMessage").count == 1000)
        }
    }

    @Test func answersTwoChatsThatUseTheSameMessageID() async throws {
        try await BotTest.runPipeline(configure: EchoBotHandlers.register) { host in
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 1, messageID: 7, text: "one").utf8)) == 200)
            #expect(try await host.post(Array(textUpdate(updateID: 2, chatID: 2, messageID: 7, text: "two").utf8)) == 200)
            try await eventually { host.api.sentTexts(to: 1) == ["You said: one"] && host.api.sentTexts(to: 2) == ["You said: two"] }
        }
    }

    @Test func answersADuplicateUpdateOnce() async throws {
        try await BotTest.runPipeline(configure: EchoBotHandlers.register) { host in
            let update = Array(textUpdate(updateID: 42, chatID: 1, messageID: 1, text: "once").utf8)
            #expect(try await host.post(update) == 200)
            #expect(try await host.post(update) == 200)
            try await eventually { host.api.sentTexts(to: 1) == ["You said: once"] }
            #expect(try await host.post(update) == 200)
            #expect(try await host.post(Array(textUpdate(updateID: 43, chatID: 1, messageID: 2, text: "next").utf8)) == 200)
            try await eventually { host.api.sentTexts(to: 1).count == 2 }
            #expect(host.api.sentTexts(to: 1) == ["You said: once", "You said: next"])
        }
    }

    @Test func deadLettersAPoisonUpdateAfterThreeAttemptsWhileOthersFlow() async throws {
        let attempts = Attempts()
        try await BotTest.runPipeline(configure: { bot in
            bot.hears("poison") { _, _ in
                attempts.increment()
                throw PoisonError()
            }
            EchoBotHandlers.register(on: bot)
        }) { host in
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: "poison").utf8)) == 200)
            #expect(try await host.post(Array(textUpdate(updateID: 2, chatID: 1, messageID: 2, text: "after").utf8)) == 200)
            #expect(try await host.post(Array(textUpdate(updateID: 3, chatID: 2, messageID: 1, text: "other chat").utf8)) == 200)

            try await eventually { host.api.sentTexts(to: 2) == ["You said: other chat"] }
            try await eventually { host.api.sentTexts(to: 1) == [DeadLetter.defaultApology, "You said: after"] }
            #expect(attempts.count == 3)
            let letters = try await host.storage.queue.deadLetters(limit: 10)
            #expect(letters.map(\.update.updateID) == [1])
            #expect(letters.first?.attempts == 3)
            #expect(letters.first?.reason.contains("poisoned") == true)
            #expect(letters.first?.update.groupID == "chat:1")
        }
    }

    @Test func floodControlWaitsWithoutUsingAttempts() async throws {
        let api = BotAPIRecorder()
        // Two 429s in a row: with one attempt allowed, the update must still get through.
        api.fail(SendMessage.self, with: TelegramAPIError(method: "sendMessage", errorCode: 429, description: "Too Many Requests: retry after 1", retryAfter: 1), times: 2)
        try await BotTest.runPipeline(.init(policy: .init(maximumAttempts: 1, retryDelay: { _ in .milliseconds(10) })), api: api, configure: EchoBotHandlers.register) { host in
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: "hi").utf8)) == 200)
            try await eventually { host.api.calls(to: "sendMessage").count == 3 }
            #expect(try await host.storage.queue.deadLetters(limit: 10).isEmpty)
            try await eventually { try await host.storage.queue.depth() == 0 }
        }
    }

    /// A revoked token fails every update alike: dead-lettering them would lose them all (and the apology
    /// could not be sent either), so they wait in the queue for the token to be fixed.
    @Test func aRefusedTokenKeepsTheUpdateQueuedInsteadOfDeadLetteringIt() async throws {
        let api = BotAPIRecorder()
        api.fail(SendMessage.self, with: TelegramAPIError(method: "sendMessage", errorCode: 401, description: "Unauthorized"), times: nil)
        try await BotTest.runPipeline(api: api, configure: EchoBotHandlers.register) { host in
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: "hi").utf8)) == 200)
            try await eventually { host.api.calls(to: "sendMessage").count >= 1 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await host.storage.queue.deadLetters(limit: 10).isEmpty)
            #expect(try await host.storage.queue.depth() == 1, "kept for after the token is fixed")
            #expect(host.api.calls(to: "sendMessage").count == 1, "no apology, no quick retry loop")
        }
    }

    @Test func permanentErrorsAreDeadLetteredAtOnce() async throws {
        let api = BotAPIRecorder()
        api.fail(SendMessage.self, with: TelegramAPIError(method: "sendMessage", errorCode: 403, description: "Forbidden: bot was blocked by the user"), times: nil)
        try await BotTest.runPipeline(api: api, configure: EchoBotHandlers.register) { host in
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: "hi").utf8)) == 200)
            try await eventually { try await host.storage.queue.deadLetters(limit: 10).count == 1 }
            let letter = try #require(try await host.storage.queue.deadLetters(limit: 10).first)
            #expect(letter.attempts == 1)
            #expect(letter.reason.contains("bot was blocked"))
            // One reply attempt, then the apology attempt (which fails too, and is not retried):
            // wait for the second, then give a third a moment to show up.
            try await eventually { host.api.calls(to: "sendMessage").count >= 2 }
            try await Task.sleep(for: .milliseconds(200))
            #expect(host.api.calls(to: "sendMessage").count == 2)
        }
    }

    @Test func gracefulShutdownFinishesUpdatesInFlight() async throws {
        let directory = temporaryDirectory()
        let started = Attempts()
        try await BotTest.runPipeline(.init(directory: directory), configure: { bot in
            bot.hears("slow") { ctx, _ in
                started.increment()
                try await Task.sleep(for: .milliseconds(500))
                try await ctx.reply("done slowly")
            }
        }) { host in
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: "slow").utf8)) == 200)
            try await eventually { started.count == 1 }
            // Leaving this closure shuts the host down while the handler sleeps.
        }
        // The handler finished before the host stopped, and its update was acknowledged:
        // a host restarted on the same data handles nothing again.
        try await BotTest.runPipeline(.init(directory: directory), configure: EchoBotHandlers.register) { host in
            try await Task.sleep(for: .milliseconds(300))
            #expect(host.api.calls.isEmpty)
            #expect(try await host.storage.queue.depth() == 0)
        }
        #expect(started.count == 1)
    }
}

struct PoisonError: Error, CustomStringConvertible {
    var description: String { "this update is poisoned" }
}

final class Attempts: Sendable {
    private let value = Mutex(0)
    func increment() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}

import Synchronization
