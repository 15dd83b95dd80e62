import Ferry
import FerryQueue
import FerryRuntime
import FerrySQLite
import FerryTesting
import Foundation
import Synchronization
import Testing
import FerryTestSupport

/// A queue that cannot record an outcome for a while (a full disk refuses the write that gives a failed
/// update back) must not leave the chat waiting for the delivery's visibility timeout once it can again.
@Suite struct UnsettledOutcomeTests {
    @Test func anOutcomeTheQueueRefusedIsRecordedOnceItCanBeNotAtTheVisibilityTimeout() async throws {
        let directory = temporaryDirectory()
        let storage = try await SQLiteStorage.open(directory: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let queue = RefusingReleases(base: storage.queue, refusals: 3)
        let api = BotAPIRecorder()
        let bot = Bot(api: api, username: "TestBot")
        let runs = Mutex(0)
        bot.on(.text) { ctx, text in
            // The first run fails: its retry is the release the queue refuses three times.
            if runs.withLock({ $0 += 1; return $0 }) == 1 { throw Flaky() }
            try await ctx.reply("You said: \(text)")
        }
        let processor = UpdateProcessor(bot: bot, policy: .init(maximumAttempts: 3, retryDelay: { _ in .milliseconds(10) }))
        // A visibility timeout far longer than the test may take: only asking the queue again can pass it.
        let dispatcher = Dispatcher(
            queue: queue, processor: processor,
            configuration: .init(concurrency: 4, visibilityTimeout: .seconds(600), pollInterval: .milliseconds(20))
        )
        _ = try await storage.queue.enqueue([QueuedUpdate(updateID: 1, groupID: "chat:1", body: Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: "hi").utf8))])
        let running = Task { try await dispatcher.run() }
        do {
            try await eventually(within: .seconds(60)) { api.calls(to: "sendMessage").count == 1 }
            #expect(queue.refused == 3)
            #expect(runs.withLock { $0 } == 2)
            try await eventually { try await storage.queue.depth() == 0 }
            #expect(try await storage.queue.deadLetters(limit: 10).isEmpty)
        } catch {
            dispatcher.stop()
            _ = try? await running.value
            try? await storage.close()
            throw error
        }
        dispatcher.stop()
        try await running.value
        try await storage.close()
    }
}

private struct Flaky: Error {}

/// The bot's SQLite queue, refusing its first `refusals` releases as a full disk would.
private final class RefusingReleases: UpdateQueue, Sendable {
    struct DiskFull: Error {}
    let base: SQLiteUpdateQueue
    private let remaining: Mutex<Int>
    private let count = Mutex(0)
    var refused: Int { count.withLock { $0 } }

    init(base: SQLiteUpdateQueue, refusals: Int) {
        self.base = base
        self.remaining = Mutex(refusals)
    }

    var countsOnlyAttemptsUsed: Bool { base.countsOnlyAttemptsUsed }
    func enqueue(_ updates: [QueuedUpdate]) async throws -> [EnqueueOutcome] { try await base.enqueue(updates) }
    func receive(maximumCount: Int, visibilityTimeout: Duration) async throws -> [ReceivedUpdate] {
        try await base.receive(maximumCount: maximumCount, visibilityTimeout: visibilityTimeout)
    }
    func acknowledge(_ receipts: [QueueReceipt]) async throws { try await base.acknowledge(receipts) }
    func acknowledge(_ receipts: [QueueReceipt], thenReceive maximumCount: Int, visibilityTimeout: Duration) async throws -> [ReceivedUpdate] {
        try await base.acknowledge(receipts, thenReceive: maximumCount, visibilityTimeout: visibilityTimeout)
    }
    func release(_ receipt: QueueReceipt, after delay: Duration, reason: String, countingAttempt: Bool) async throws {
        let refuse = remaining.withLock { remaining in
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
        if refuse {
            count.withLock { $0 += 1 }
            throw DiskFull()
        }
        try await base.release(receipt, after: delay, reason: reason, countingAttempt: countingAttempt)
    }
    func deadLetter(_ receipt: QueueReceipt, reason: String) async throws { try await base.deadLetter(receipt, reason: reason) }
}
