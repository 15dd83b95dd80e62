import Ferry
import FerryQueue
import FerryRuntime
import FerrySQLite
import FerryTestSupport
import FerryTesting
import Foundation
import Testing

/// An update whose handler traps the process (a force-unwrap of nil, an overflow) must not stop the bot at
/// every start for ever: its attempts are counted when it is claimed, so one that used them all without
/// ever finishing is dead-lettered before it runs again, and the rest of the queue flows.
@Suite(.serialized) struct CrashLoopTests {
    @Test func anUpdateWhoseEveryAttemptStoppedTheBotIsSetAsideWithoutRunning() async throws {
        let directory = temporaryDirectory()
        // The queue as three runs of the bot left it, each stopped by update 1's handler; update 2 of another
        // chat was in flight beside it in the first run, and update 3 waits behind it in its chat.
        let storage = try await SQLiteStorage.open(directory: directory)
        _ = try await storage.queue.enqueue([
            QueuedUpdate(updateID: 1, groupID: "chat:1", body: Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: "/overflow").utf8)),
            QueuedUpdate(updateID: 2, groupID: "chat:2", body: Array(textUpdate(updateID: 2, chatID: 2, messageID: 1, text: "beside").utf8)),
            QueuedUpdate(updateID: 3, groupID: "chat:1", body: Array(textUpdate(updateID: 3, chatID: 1, messageID: 2, text: "after").utf8)),
        ])
        #expect(try await storage.queue.receive(maximumCount: 10, visibilityTimeout: .seconds(120)).map(\.update.updateID) == [1, 2])
        #expect(try await storage.queue.recoverInFlight() == 2)
        for _ in 2...3 {
            let claimed = try await storage.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(120))
            #expect(claimed.map(\.update.updateID) == [1])
            #expect(claimed.first?.previousDeliveryStoppedTheBot == true)
            try await storage.queue.recoverInFlight()
        }
        try await storage.close()

        let runs = Attempts()
        try await BotTest.runPipeline(.init(directory: directory), configure: { bot in
            bot.command("overflow") { _, _ in runs.increment() }
            EchoBotHandlers.register(on: bot)
        }) { host in
            try await eventually { host.api.sentTexts(to: 1) == [DeadLetter.defaultApology, "You said: after"] && host.api.sentTexts(to: 2) == ["You said: beside"] }
            #expect(runs.count == 0, "the update that stopped the bot three times does not run a fourth time")
            let letters = try await host.storage.queue.deadLetters(limit: 10)
            #expect(letters.map(\.update.updateID) == [1])
            #expect(letters.first?.reason.contains("none of this update's 3 attempts came to an end") == true)
        }
    }

    @Test func updatesThatMayHaveStoppedTheBotRunOneAtATime() async throws {
        let directory = temporaryDirectory()
        // Five chats' heads were in flight when the process stopped; any of them may have stopped it.
        let storage = try await SQLiteStorage.open(directory: directory)
        _ = try await storage.queue.enqueue((1...5).map { chat in
            QueuedUpdate(updateID: chat, groupID: "chat:\(chat)", body: Array(textUpdate(updateID: chat, chatID: chat, messageID: 1, text: "slow \(chat)").utf8))
        })
        #expect(try await storage.queue.receive(maximumCount: 10, visibilityTimeout: .seconds(120)).count == 5)
        try await storage.queue.recoverInFlight()
        try await storage.close()

        let running = Locked((now: 0, most: 0))
        try await BotTest.runPipeline(.init(directory: directory), configure: { bot in
            bot.on(.text) { ctx, text in
                running.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                try await Task.sleep(for: .milliseconds(50))
                running.withLock { $0.now -= 1 }
                try await ctx.reply("done: \(text)")
            }
        }) { host in
            try await eventually { (1...5).allSatisfy { host.api.sentTexts(to: $0) == ["done: slow \($0)"] } }
            #expect(running.withLock { $0.most } == 1, "each suspect ran with nothing beside it")
            // Each was charged its one attempt of the run that stopped, and one of this run: none more.
            #expect(try await host.storage.queue.deadLetters(limit: 10).isEmpty)
            for chat in 6...10 {
                #expect(try await host.post(Array(textUpdate(updateID: chat, chatID: chat, messageID: 1, text: "new \(chat)").utf8)) == 200)
            }
            try await eventually { (6...10).allSatisfy { host.api.sentTexts(to: $0) == ["done: new \($0)"] } }
        }
    }

    /// The real thing: a bot process whose handler traps on `/overflow`, restarted as a supervisor would.
    @Test func aBotKilledFromInsideAHandlerHandlesTheRestOfItsQueueAfterRestarts() async throws {
        try await FakeTelegram.with { telegram, apiURL in
            let directory = temporaryDirectory()
            // The queue as the bot finds it: the trapping update heads chat 1, one more waits behind it, and
            // ten other chats have three updates each.
            let storage = try await SQLiteStorage.open(directory: directory)
            var updates = [
                QueuedUpdate(updateID: 1, groupID: "chat:1", body: Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: "/overflow").utf8)),
                QueuedUpdate(updateID: 2, groupID: "chat:1", body: Array(textUpdate(updateID: 2, chatID: 1, messageID: 2, text: "after").utf8)),
            ]
            for chat in 2...11 {
                for index in 1...3 {
                    let id = chat * 100 + index
                    updates.append(QueuedUpdate(updateID: id, groupID: "chat:\(chat)", body: Array(textUpdate(updateID: id, chatID: chat, messageID: index, text: "m\(index)").utf8)))
                }
            }
            _ = try await storage.queue.enqueue(updates)
            try await storage.close()

            func everythingAnswered() -> Bool {
                telegram.texts(to: 1).contains("You said: after")
                    && (2...11).allSatisfy { telegram.texts(to: $0).contains("You said: m3") }
            }
            // `SWIFT_BACKTRACE`: a trap exits at once instead of after symbolicating a backtrace.
            let environment = [
                "TELEGRAM_BOT_TOKEN": "123456:TEST-token", "TELEGRAM_API_URL": apiURL, "SWIFT_BACKTRACE": "enable=no",
                "TELEGRAM_WEBHOOK_SECRET": webhookTestSecret,
            ]
            var stops: [Int32] = []
            var finished = false
            for _ in 1...6 where !finished {
                let bot = try BotProcess.start(["serve", "--port", "0", "--data-dir", directory], bot: "TrapBot", environment: environment)
                try await bot.stoppedOnFailure {
                    try await eventually(within: .seconds(120)) { !bot.isRunning || everythingAnswered() }
                    if bot.isRunning {
                        finished = true
                        #expect(try await bot.stop() == 0)
                    } else {
                        try await bot.waitForExit()
                        stops.append(bot.exitStatus)
                    }
                }
            }
            #expect(finished, "the bot handled its queue within six starts")
            #expect(stops.count == 3, "the trapping update ran three times (its attempts), then was set aside: \(stops)")
            #expect(stops.allSatisfy { $0 != 0 }, "each stop was the trap: \(stops)")
            #expect(telegram.texts(to: 1) == [DeadLetter.defaultApology, "You said: after"])
            for chat in 2...11 {
                // A reply sent just before a stop may be sent again (its acknowledgement was lost); never out of order.
                var texts: [String] = []
                for text in telegram.texts(to: chat) where texts.last != text { texts.append(text) }
                #expect(texts == ["You said: m1", "You said: m2", "You said: m3"], "chat \(chat)")
            }
            let listed = try await BotProcess.run(["dlq", "list", "--data-dir", directory, "--json"])
            let lines = listed.output.split(separator: "\n").filter { $0.contains("\"update_id\"") }
            #expect(lines.count == 1 && lines.first?.contains("\"update_id\":1}") == true, "\(listed.output)")
            #expect(listed.output.contains("none of this update's 3 attempts came to an end"))
        }
    }
}
