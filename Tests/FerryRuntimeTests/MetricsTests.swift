import Ferry
import FerryQueue
import FerrySQLite
import FerryTestSupport
import Foundation
import FerryTesting
import Synchronization
import TelegramBotAPI
import Testing

/// `/metrics` reads the queue's depth from memory and the dead letters from a counter row, so a scrape
/// costs the writer nothing however large the tables are; the numbers stay right when another process
/// (`dlq purge`, `dlq redrive`) changes the file.
@Suite struct MetricsTests {
    @Test func depthAndDeadLettersAreRightWithoutCountingRows() async throws {
        let gate = Mutex(true)
        try await BotTest.runPipeline(configure: { bot in
            bot.hears("hold") { ctx, _ in
                while gate.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
                try await ctx.reply("released")
            }
            bot.hears("refused") { _, _ in
                throw TelegramAPIError(method: "sendMessage", errorCode: 403, description: "Forbidden: bot was blocked by the user")
            }
            EchoBotHandlers.register(on: bot)
        }) { host in
            // Chat 1's head holds its chat: four more wait behind it. Chats 2 and 3 are dead-lettered at once.
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: "hold").utf8)) == 200)
            for index in 2...5 {
                #expect(try await host.post(Array(textUpdate(updateID: index, chatID: 1, messageID: index, text: "m\(index)").utf8)) == 200)
            }
            #expect(try await host.post(Array(textUpdate(updateID: 6, chatID: 2, messageID: 1, text: "refused").utf8)) == 200)
            #expect(try await host.post(Array(textUpdate(updateID: 7, chatID: 3, messageID: 1, text: "refused").utf8)) == 200)
            try await eventually { try await host.storage.queue.deadLetterCount() == 2 }
            try await eventually {
                let metrics = try await host.get("/metrics").body
                return metrics.contains("ferry_queue_depth 5.0\n") && metrics.contains("ferry_dead_letters 2.0\n")
            }

            // Another connection to the file, as `dlq` beside `serve` is: its redrive and purge show.
            let beside = try await SQLiteStorage.open(path: host.storage.path)
            let first = try #require(try await beside.queue.deadLetters(limit: 10).first)
            #expect(try await beside.queue.redrive(ids: [first.id]) == 1)
            // Its handler refuses it again: dead-lettered anew.
            try await eventually {
                try await beside.queue.deadLetters(limit: 10).contains { $0.update.updateID == first.update.updateID && $0.id != first.id }
            }
            #expect(try await beside.queue.purgeDeadLetters() == 2)
            try await beside.close()
            try await eventually {
                let metrics = try await host.get("/metrics").body
                return metrics.contains("ferry_dead_letters 0.0\n") && metrics.contains("ferry_queue_depth 5.0\n")
            }

            gate.withLock { $0 = false }
            try await eventually { host.api.sentTexts(to: 1) == ["released", "You said: m2", "You said: m3", "You said: m4", "You said: m5"] }
            try await eventually { try await host.get("/metrics").body.contains("ferry_queue_depth 0.0\n") }
            #expect(try await host.storage.queue.depth() == 0)
            #expect(try await host.storage.queue.deadLetterCount() == 0)
        }
    }

    @Test func theDeadLetterCounterStartsFromTheRowsOfAFileFromBeforeIt() async throws {
        let directory = temporaryDirectory()
        let storage = try await SQLiteStorage.open(directory: directory)
        _ = try await storage.queue.enqueue((1...3).map { QueuedUpdate(updateID: $0, groupID: "chat:\($0)", body: Array("{}".utf8)) })
        for received in try await storage.queue.receive(maximumCount: 3, visibilityTimeout: .seconds(30)) {
            try await storage.queue.deadLetter(received.receipt, reason: "test")
        }
        #expect(try await storage.queue.deadLetterCount() == 3)
        try await storage.close()
        // The file as a version without the counter left it (Python's sqlite3 stands in for that version).
        let python = try ChildProcess(
            executable: "/usr/bin/env",
            arguments: [
                "python3", "-c",
                "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); db.executescript('DROP TRIGGER count_dead_letter_added;"
                    + " DROP TRIGGER count_dead_letter_removed; DROP TABLE counters;'); db.close()",
                directory + "/" + SQLiteStorage.fileName,
            ],
            environment: ProcessInfo.processInfo.environment
        )
        #expect(try await python.waitForExit(within: .seconds(60)) == 0)
        for _ in 1...2 {
            let reopened = try await SQLiteStorage.open(directory: directory)
            #expect(try await reopened.queue.deadLetterCount() == 3, "counted once when the counter is new, never twice")
            try await reopened.close()
        }
    }
}
