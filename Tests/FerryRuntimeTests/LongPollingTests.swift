import Ferry
import FerryQueue
import FerryRuntime
import FerryServer
import FerrySQLite
import FerryTesting
import Logging
import TelegramClient
import Testing
import FerryTestSupport

@Suite struct LongPollingTests {
    @Test func handlesPolledUpdatesInOrderAndConfirmsThem() async throws {
        try await FakeTelegram.with { telegram, apiURL in
            for chat in 1...3 {
                for index in 1...5 {
                    let id = chat * 10 + index
                    telegram.deliverByPolling(updateID: id, body: Array(textUpdate(updateID: id, chatID: chat, messageID: index, text: "p\(index)").utf8))
                }
            }
            let client = TelegramClient(token: "1:polling", configuration: .init(baseURL: apiURL))
            let storage = try await SQLiteStorage.open(directory: temporaryDirectory())
            let bot = Bot(api: client, username: "TestBot")
            EchoBotHandlers.register(on: bot)
            let host = LocalHost(
                bot: bot, queue: .embedded(storage),
                configuration: .init(port: 0, ingress: .polling(.init(timeout: 1)), dispatcher: .init(pollInterval: .milliseconds(20))),
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            )
            do {
                try await serving(host, shutdownGrace: .seconds(30)) {
                    // The host's start is in this wait: 120 s, as for any server to start.
                    try await eventually(within: .seconds(120)) { (1...3).allSatisfy { telegram.texts(to: $0).count == 5 } }
                    for chat in 1...3 {
                        #expect(telegram.texts(to: chat) == (1...5).map { "You said: p\($0)" })
                    }
                    // The next call confirms everything queued.
                    try await eventually { telegram.offsetsAsked.contains(36) }
                }
            } catch {
                // A client dropped without shutdown traps in debug builds and would take every other test down.
                try? await client.shutdown()
                try? await storage.close()
                throw error
            }
            #expect(telegram.offsetsAsked.first == .some(nil))
            try await client.shutdown()
            try await storage.close()
        }
    }

    @Test func offsetStaysWhenUpdatesCannotBeStored() async throws {
        try await FakeTelegram.with { telegram, apiURL in
            telegram.deliverByPolling(updateID: 7, body: Array(textUpdate(updateID: 7, chatID: 1, messageID: 1, text: "keep me").utf8))
            let client = TelegramClient(token: "1:polling", configuration: .init(baseURL: apiURL))
            let storage: SQLiteStorage
            do {
                let poller = LongPollingIngress(api: client, queue: FailingQueue(), configuration: .init(timeout: 1))
                await #expect(throws: FailingQueue.DiskFull.self) { try await poller.pollOnce(offset: nil) }
                storage = try await SQLiteStorage.open(directory: temporaryDirectory())
            } catch {
                // A client dropped without shutdown traps in debug builds and would take every other test down.
                try? await client.shutdown()
                throw error
            }
            do {
                let working = LongPollingIngress(api: client, queue: storage.queue, configuration: .init(timeout: 1))
                // Asking again without an offset gets the same update: nothing was confirmed.
                #expect(try await working.pollOnce(offset: nil) == 8)
                #expect(try await storage.queue.depth() == 1)
            } catch {
                try? await client.shutdown()
                try? await storage.close()
                throw error
            }
            try await client.shutdown()
            try await storage.close()
        }
    }
}

/// A queue whose disk is full.
struct FailingQueue: UpdateQueue {
    struct DiskFull: Error {}
    func enqueue(_ updates: [QueuedUpdate]) async throws -> [EnqueueOutcome] { throw DiskFull() }
    func receive(maximumCount: Int, visibilityTimeout: Duration) async throws -> [ReceivedUpdate] { [] }
    func acknowledge(_ receipts: [QueueReceipt]) async throws {}
    func release(_ receipt: QueueReceipt, after delay: Duration, reason: String, countingAttempt: Bool) async throws {}
    func deadLetter(_ receipt: QueueReceipt, reason: String) async throws {}
}
