import AsyncHTTPClient
import Ferry
import FerryQueue
import FerryRuntime
import FerryStageContract
import FerryTesting
import Foundation
import Synchronization
import FerryTestSupport
import Testing

@testable import AWSClients
@testable import FerryAWS

/// ``SQSUpdateQueue`` against a real `moto_server`: the shared ``UpdateQueueConformance`` checks, each on
/// a fresh FIFO queue and FIFO dead-letter queue, plus what only SQS does.
@Suite(
    "SQSUpdateQueue against moto",
    .needs(.moto),
    .motoServer
)
struct SQSUpdateQueueTests {
    let sqs: SQSClient

    init() throws {
        let server = try #require(MotoServer.current)
        sqs = SQSClient(configuration: server.configuration, httpClient: .shared)
    }

    /// Checks that cannot hold on SQS, and why:
    /// - `duplicatesAreDropped`: SQS answers a send with a repeated deduplication id as a success, so the
    ///   queue cannot report `.duplicate`. ``duplicatesAreDeliveredOnce()`` checks what SQS does promise.
    /// - `staleReceiptDoesNotDeleteNewerDelivery`: SQS keeps the message when deleted with an outdated
    ///   receipt handle, but moto 5.2.1 deletes it by any handle it ever issued, so moto cannot show it.
    static let checks = UpdateQueueConformance.all.filter { check in
        check.name != UpdateQueueConformance.duplicatesAreDropped.name
            && check.name != UpdateQueueConformance.staleReceiptDoesNotDeleteNewerDelivery.name
    }

    @Test(arguments: checks)
    func conformance(_ check: UpdateQueueConformance.Check) async throws {
        let queue = try await makeQueue()
        try await UpdateQueueConformance.run(check, on: queue)
    }

    @Test("a repeated update_id is accepted and delivered once")
    func duplicatesAreDeliveredOnce() async throws {
        let queue = try await makeQueue()
        let update = QueuedUpdate(updateID: 41, groupID: "chat:1", body: Array(#"{"update_id":41}"#.utf8))
        #expect(try await queue.enqueue([update]) == [.enqueued])
        #expect(try await queue.enqueue([update]) == [.enqueued])
        let first = try await queue.receive(maximumCount: 10, visibilityTimeout: .seconds(30))
        #expect(first.map(\.update) == [update])
        try await queue.acknowledge(first.map(\.receipt))
        #expect(try await queue.receive(maximumCount: 10, visibilityTimeout: .seconds(30)).isEmpty)
    }

    @Test("enqueue sends each update as one message: body unchanged, group and deduplication id from the update")
    func messageShape() async throws {
        let queue = try await makeQueue()
        let body = Array(#"{"update_id":7,"message":{"text":"héllo 👋"}}"#.utf8)
        let updates = (0..<12).map { QueuedUpdate(updateID: 100 + $0, groupID: "chat:\($0 % 2)", body: $0 == 0 ? body : Array(#"{"update_id":\#(100 + $0)}"#.utf8)) }
        #expect(try await queue.enqueue(updates) == Array(repeating: .enqueued, count: 12))

        var messages: [SQSMessage] = []
        for _ in 0..<20 where messages.count < 12 {
            let batch = try await sqs.receiveMessages(from: queue.queueURL, waitTimeSeconds: 0)
            messages += batch
            if !batch.isEmpty { try await sqs.deleteMessageBatch(batch.map { ($0.messageID, $0.receiptHandle) }, from: queue.queueURL) }
        }
        #expect(messages.count == 12)
        let first = try #require(messages.first { $0.messageDeduplicationID == "100" })
        #expect(Array(first.body.utf8) == body)
        #expect(first.messageGroupID == "chat:0")
        #expect(messages.filter { $0.messageGroupID == "chat:1" }.map(\.messageDeduplicationID) == ["101", "103", "105", "107", "109", "111"])
    }

    @Test("a body that is not UTF-8 is refused, not altered")
    func refusesNonUTF8() async throws {
        let queue = try await makeQueue()
        await #expect(throws: UpdateNotUTF8.self) {
            try await queue.enqueue([QueuedUpdate(updateID: 1, groupID: "chat:1", body: [0x7B, 0xFF, 0x7D])])
        }
    }

    @Test("dead-lettering copies the update to the DLQ with the reason and attempts, and removes it")
    func deadLetterMessage() async throws {
        let queue = try await makeQueue()
        let body = Array(#"{"update_id":5}"#.utf8)
        _ = try await queue.enqueue([QueuedUpdate(updateID: 5, groupID: "chat:5", body: body)])
        let first = try await queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
        try await queue.release(try #require(first.first).receipt, after: .zero, reason: "boom", countingAttempt: true)
        let second = try await queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
        try await queue.deadLetter(try #require(second.first).receipt, reason: "handler threw: boom")

        let dead = try await sqs.receiveMessages(from: try #require(queue.deadLetterQueueURL), waitTimeSeconds: 0)
        let message = try #require(dead.first)
        #expect(Array(message.body.utf8) == body)
        #expect(message.messageGroupID == "chat:5")
        #expect(message.messageDeduplicationID == "5")
        #expect(message.messageAttributes["ferry-reason"] == .string("handler threw: boom"))
        #expect(message.messageAttributes["ferry-attempts"] == .number(2))
        #expect(try await queue.receive(maximumCount: 10, visibilityTimeout: .seconds(30)).isEmpty)
    }

    @Test("with a ledger of uncounted receives, a release that uses no attempt gives the receive back; one that does, does not")
    func uncountedReceives() async throws {
        let server = try #require(MotoServer.current)
        let dynamoDB = DynamoDBClient(configuration: server.configuration, httpClient: .shared)
        let table = "uncounted-\(UUID().uuidString.prefix(8))"
        try await dynamoDB.createTable(named: table, partitionKey: SessionsTable.key)
        let plain = try await makeQueue()
        let queue = SQSUpdateQueue(
            sqs: sqs, queueURL: plain.queueURL, deadLetterQueueURL: plain.deadLetterQueueURL,
            uncountedReceives: DynamoDBUncountedReceives(dynamoDB: dynamoDB, table: table)
        )
        _ = try await queue.enqueue([QueuedUpdate(updateID: 6, groupID: "chat:6", body: Array(#"{"update_id":6}"#.utf8))])

        var attempts: [Int] = []
        for counting in [false, false, true, false] {
            let received = try #require(try await queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30)).first)
            attempts.append(received.attempts)
            try await queue.release(received.receipt, after: .zero, reason: "429", countingAttempt: counting)
        }
        let last = try #require(try await queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30)).first)
        try await queue.deadLetter(last.receipt, reason: "gave up")

        // Five receives, three of them given back: only the third counted, so the fourth and fifth are attempt 2.
        #expect(attempts == [1, 1, 1, 2])
        #expect(last.attempts == 2)
        let dead = try await sqs.receiveMessages(from: try #require(queue.deadLetterQueueURL), waitTimeSeconds: 0)
        #expect(dead.first?.messageAttributes[SQSUpdateQueue.attemptsAttribute] == .number(2))
        #expect(dead.first?.messageAttributes[SQSUpdateQueue.enqueuedAtAttribute] != nil)
    }

    @Test("a receipt this queue did not deliver cannot be dead-lettered")
    func deadLetterUnknownReceipt() async throws {
        let queue = try await makeQueue()
        await #expect(throws: StaleReceiptError.self) {
            try await queue.deadLetter(QueueReceipt("not-a-receipt"), reason: "x")
        }
    }

    @Test("the local dispatcher runs unchanged over SQS: chats in order, a poison update dead-lettered after three attempts")
    func dispatcherOverSQS() async throws {
        let queue = try await makeQueue()
        let api = BotAPIRecorder()
        let bot = Bot(api: api, username: "TestBot")
        bot.hears("poison") { _, _ in throw PoisonError() }
        bot.on(.text) { ctx, text in try await ctx.reply("You said: \(text)") }
        let processor = UpdateProcessor(bot: bot, policy: .init(maximumAttempts: 3, retryDelay: { _ in .zero }))
        let dispatcher = Dispatcher(queue: queue, processor: processor, configuration: .init(concurrency: 4, pollInterval: .milliseconds(100)))

        var updates = [QueuedUpdate(updateID: 1, groupID: "chat:9", body: Array(textUpdate(updateID: 1, chatID: 9, text: "poison").utf8))]
        for index in 1...3 {
            for chat in [1, 2] {
                let id = chat * 100 + index
                updates.append(QueuedUpdate(updateID: id, groupID: "chat:\(chat)", body: Array(textUpdate(updateID: id, chatID: chat, text: "\(chat).\(index)").utf8)))
            }
        }
        _ = try await queue.enqueue(updates)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await dispatcher.run() }
            defer { dispatcher.stop() }
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            let deadLetterQueueURL = try #require(queue.deadLetterQueueURL)
            while clock.now < deadline {
                let deadLetters = try await sqs.queueAttributes(of: deadLetterQueueURL)["ApproximateNumberOfMessages"]
                if api.sentTexts.count >= 6 && deadLetters == "1" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            dispatcher.stop()
            try await group.waitForAll()
        }
        let texts = api.sentTexts
        #expect(texts.filter { $0.hasPrefix("You said: 1.") } == ["You said: 1.1", "You said: 1.2", "You said: 1.3"])
        #expect(texts.filter { $0.hasPrefix("You said: 2.") } == ["You said: 2.1", "You said: 2.2", "You said: 2.3"])
        let dead = try await sqs.receiveMessages(from: try #require(queue.deadLetterQueueURL), waitTimeSeconds: 0)
        #expect(dead.map(\.messageDeduplicationID) == ["1"])
        #expect(try await queue.receive(maximumCount: 10, visibilityTimeout: .seconds(30)).isEmpty, "nothing left on the queue")
        #expect(dead.first?.messageAttributes["ferry-attempts"] == .number(3))
    }

    struct PoisonError: Error {}

    @Test("visibility durations round up to whole seconds within SQS's range")
    func visibilitySeconds() {
        #expect(SQSUpdateQueue.seconds(.zero) == 0)
        #expect(SQSUpdateQueue.seconds(.milliseconds(1)) == 1)
        #expect(SQSUpdateQueue.seconds(.seconds(2)) == 2)
        #expect(SQSUpdateQueue.seconds(.seconds(-3)) == 0)
        #expect(SQSUpdateQueue.seconds(.seconds(100_000)) == 43_200)
    }

    func makeQueue() async throws -> SQSUpdateQueue {
        let name = "updates-\(UUID().uuidString.prefix(8))"
        let attributes = ["FifoQueue": "true", "VisibilityTimeout": "30"]
        let dlq = try await sqs.createQueue(named: "\(name)-dlq.fifo", attributes: attributes)
        let main = try await sqs.createQueue(named: "\(name).fifo", attributes: attributes)
        return SQSUpdateQueue(sqs: sqs, queueURL: main, deadLetterQueueURL: dlq)
    }
}
