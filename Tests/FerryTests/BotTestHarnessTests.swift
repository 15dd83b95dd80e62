import Ferry
import FerryTesting
import Synchronization
import Testing

/// The harness bot authors test with: one test body, in memory or through the local pipeline.
@Suite struct BotTestHarnessTests {
    /// A bot counting each chat's `/count`s: per-chat state, as a session would be.
    private static func countingBot(_ bot: Bot) {
        let counts = Mutex<[Int: Int]>([:])
        bot.command("count") { ctx, _ in
            guard let chat = ctx.chat else { return }
            let count = counts.withLock { counts in
                counts[chat.id, default: 0] += 1
                return counts[chat.id, default: 0]
            }
            try await ctx.reply("Count: \(count)")
        }
        bot.hears("fail") { _, _ in throw Boom() }
    }

    @Test(arguments: BotTest.Mode.allCases)
    func theSameTestPassesInEitherMode(mode: BotTest.Mode) async throws {
        try await BotTest.run(mode, configure: Self.countingBot) { client in
            try await client.send(UpdateFactory.message(text: "/count", chatID: 1))
            // `send` returns once the bot is done with the update: no waiting in the test.
            #expect(client.api.sentTexts == ["Count: 1"])
            try await client.send(UpdateFactory.message(text: "/count", chatID: 2))
            try await client.send(UpdateFactory.message(text: "/count", chatID: 1))
            #expect(client.api.sentTexts(to: 1) == ["Count: 1", "Count: 2"])
            #expect(client.api.sentTexts(to: 2) == ["Count: 1"])
        }
    }

    @Test(arguments: BotTest.Mode.allCases)
    func aHandlersErrorReachesTheTestInEitherMode(mode: BotTest.Mode) async throws {
        try await BotTest.run(mode, configure: Self.countingBot) { client in
            let update = UpdateFactory.message(text: "fail", chatID: 1)
            let error = await #expect(throws: (any Error).self) { try await client.send(update) }
            switch mode {
            case .inMemory:
                #expect(error is Boom)
            case .pipeline:
                // The first attempt failed; the pipeline gives the update back for the policy's next attempt.
                let notHandled = try #require(error as? UpdateNotHandled)
                #expect(notHandled.outcome == .released(reason: "\(Boom())"))
            }
        }
    }

    @Test func throughThePipelineAFailingUpdateIsRetriedThenDeadLettered() async throws {
        try await BotTest.runPipeline(configure: Self.countingBot) { client in
            let update = UpdateFactory.message(text: "fail", chatID: 1)
            await #expect(throws: UpdateNotHandled.self) { try await client.send(update) }
            try await client.waitUntilIdle()
            let reason = "\(Boom())"
            #expect(client.outcomes(of: update.updateID) == [.released(reason: reason), .released(reason: reason), .deadLettered(reason: reason)])
            let letters = try await client.storage.queue.deadLetters(limit: 10)
            #expect(letters.map(\.update.updateID) == [update.updateID])
            // The chat goes on after its dead letter (beside the default hook's apology, which may come later).
            try await client.send(UpdateFactory.message(text: "/count", chatID: 1))
            #expect(client.api.sentTexts(to: 1).contains("Count: 1"))
        }
    }

    @Test func throughThePipelineARepeatedUpdateIsDroppedAsADuplicate() async throws {
        try await BotTest.runPipeline(configure: Self.countingBot) { client in
            let update = UpdateFactory.message(text: "/count", chatID: 1)
            try await client.send(update)
            let error = await #expect(throws: UpdateNotHandled.self) { try await client.send(update) }
            #expect(error?.outcome == .droppedAsDuplicate)
            #expect(client.api.sentTexts == ["Count: 1"])
        }
    }

    @Test func thePipelineKeepsEachChatsOrderWhileChatsRunInParallel() async throws {
        let options = PipelineOptions(concurrency: 8)
        try await BotTest.runPipeline(options, configure: { bot in
            bot.on(.text) { ctx, text in
                // Uneven handler times tempt a later update of the chat to overtake an earlier one.
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...5)))
                try await ctx.reply(text)
            }
        }) { client in
            let chats = 1...6
            let messages = 1...15
            // Every update posted before any is awaited: the queue, not the test, keeps the order.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for chat in chats {
                    group.addTask {
                        for index in messages {
                            let status = try await client.post(UpdateFactory.message(text: "\(index)", chatID: chat))
                            #expect(status == 200)
                        }
                    }
                }
                try await group.waitForAll()
            }
            try await client.waitUntilIdle()
            for chat in chats {
                #expect(client.api.sentTexts(to: chat) == messages.map(String.init), "chat \(chat)")
            }
        }
    }
}
