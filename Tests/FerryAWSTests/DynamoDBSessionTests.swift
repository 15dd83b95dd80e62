import Ferry
import FerryDeploy
import FerryRuntime
import FerryStageContract
import FerryTesting
import Foundation
import Synchronization
import TelegramBotAPI
import FerryTestSupport
import Testing

@testable import AWSClients
@testable import FerryAWS

/// Sessions and idempotency records in a DynamoDB table of a real `moto_server`, keyed as FerryDeploy's
/// sessions table is.
@Suite(
    "Sessions on DynamoDB",
    .needs(.moto),
    .motoServer
)
struct DynamoDBSessionTests {
    let sqs: SQSClient
    let dynamoDB: DynamoDBClient

    init() throws {
        let server = try #require(MotoServer.current)
        sqs = SQSClient(configuration: server.configuration, httpClient: .shared)
        dynamoDB = DynamoDBClient(configuration: server.configuration, httpClient: .shared)
    }

    @Test("a session is saved, read back exactly, replaced, deleted; an oversized one is refused and nothing written")
    func storeLifecycle() async throws {
        let store = DynamoDBSessionStore(dynamoDB: dynamoDB, table: try await makeTable())
        #expect(try await store.load(key: "42") == nil)
        let bytes: [UInt8] = Array(#"{"count":1}"#.utf8) + [0, 255]
        try await store.save(bytes, key: "42")
        #expect(try await store.load(key: "42") == bytes)
        try await store.save(Array("v2".utf8), key: "42")
        #expect(try await store.load(key: "42") == Array("v2".utf8))
        #expect(try await store.load(key: "43") == nil, "keys are separate")
        try await store.delete(key: "42")
        #expect(try await store.load(key: "42") == nil)
        try await store.delete(key: "never-saved")

        let huge = [UInt8](repeating: 7, count: DynamoDBSessionStore.maximumSessionSize + 1)
        await #expect(throws: SessionTooLarge.self) { try await store.save(huge, key: "42") }
        #expect(try await store.load(key: "42") == nil)
    }

    @Test("with a time to live, a session is written with expiresAt and is gone once it passes, before DynamoDB deletes it")
    func timeToLive() async throws {
        let table = try await makeTable()
        let clock = Locked(Date(timeIntervalSince1970: 1_800_000_000))
        let store = DynamoDBSessionStore(dynamoDB: dynamoDB, table: table, timeToLive: .seconds(3600), now: { clock.value })
        try await store.save(Array("x".utf8), key: "k")
        let item = try await dynamoDB.getItem(from: table, key: ["key": .string("k")])
        #expect(item?[SessionsTable.expiresAt]?.intValue == 1_800_003_600)
        clock.withLock { $0 += 3599 }
        #expect(try await store.load(key: "k") == Array("x".utf8))
        clock.withLock { $0 += 1 }
        #expect(try await store.load(key: "k") == nil)
    }

    @Test("two execution environments share each chat's session: 20 chats at once, 6 updates each, alternating between them")
    func sessionsAcrossInstances() async throws {
        let store = DynamoDBSessionStore(dynamoDB: dynamoDB, table: try await makeTable())
        let recorders = [BotAPIRecorder(), BotAPIRecorder()]
        let bots = recorders.map { api in
            let bot = Bot(api: api, username: "TestBot")
            bot.use(session(initial: Counter(), store: store))
            bot.on(.text) { ctx, _ in
                let session = try ctx.session(Counter.self)
                session.value.count += 1
                try await ctx.reply("\(session.value.count)")
            }
            return bot
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for chat in 1...20 {
                group.addTask {
                    // One chat's updates one at a time, as the queue hands them out.
                    for step in 0..<6 {
                        try await bots[step % 2].handle(try update(updateID: chat * 100 + step, chatID: chat, text: "tick"))
                    }
                }
            }
            try await group.waitForAll()
        }
        let replies = recorders.flatMap(\.sentMessages)
        #expect(replies.count == 120)
        for chat in 1...20 {
            let counts = replies.filter { $0.chat.id == chat }.compactMap { $0.text.flatMap { Int($0) } }.sorted()
            #expect(counts == Array(1...6), "chat \(chat)")
        }
    }

    @Test("idempotency records: a redelivery after SQS's window is skipped; a failed update is not recorded; records expire after 24 h")
    func handledUpdates() async throws {
        let table = try await makeTable()
        let clock = Locked(Date())
        let records = DynamoDBHandledUpdates(dynamoDB: dynamoDB, table: table, now: { clock.value })
        let failuresLeft = Mutex(1)
        let api = BotAPIRecorder()
        let bot = Bot(api: api, username: "TestBot")
        bot.on(.text) { ctx, text in
            if text == "flaky", failuresLeft.withLock({ left in defer { left -= 1 }; return left > 0 }) { throw Flaky() }
            try await ctx.reply("You said: \(text)")
        }
        let queueURL = try await sqs.createQueue(named: "idem-\(UUID().uuidString.prefix(8)).fifo", attributes: ["FifoQueue": "true"])
        let processor = UpdateProcessor(bot: bot, policy: .init(retryDelay: { _ in .zero }))
        let queue = SQSUpdateQueue(sqs: sqs, queueURL: queueURL, deadLetterQueueURL: queueURL)
        let consumer = ConsumerFunction(processor: processor, queue: queue, handledUpdates: records)
        let withoutRecords = ConsumerFunction(processor: processor, queue: queue)

        #expect(try await consumer.handle(event(updateID: 5, text: "hello")).batchItemFailures.isEmpty)
        #expect(try await consumer.handle(event(updateID: 5, text: "hello")).batchItemFailures.isEmpty)
        #expect(api.sentTexts == ["You said: hello"], "the redelivery was not handled again")
        #expect(try await withoutRecords.handle(event(updateID: 5, text: "hello")).batchItemFailures.isEmpty)
        #expect(api.sentTexts.count == 2, "without records, SQS's five minutes are all there is")

        #expect(try await consumer.handle(event(updateID: 6, text: "flaky")).batchItemFailures.count == 1)
        #expect(try await consumer.handle(event(updateID: 6, text: "flaky")).batchItemFailures.isEmpty)
        #expect(api.sentTexts.last == "You said: flaky", "the failed attempt left no record, so the retry ran")

        clock.withLock { $0 += 24 * 3600 }
        #expect(try await records.contains(updateID: 5) == false)
        #expect(try await consumer.handle(event(updateID: 5, text: "hello")).batchItemFailures.isEmpty)
        #expect(api.sentTexts.filter { $0 == "You said: hello" }.count == 3)
    }

    // MARK: Helpers

    struct Counter: Codable, Sendable { var count = 0 }
    struct Flaky: Error {}

    /// A table shaped like FerryDeploy's sessions table.
    func makeTable() async throws -> String {
        let table = "sessions-\(UUID().uuidString.prefix(8))"
        try await dynamoDB.createTable(named: table, partitionKey: SessionsTable.key)
        return table
    }

    func update(updateID: Int, chatID: Int, text: String) throws -> Update {
        try BotAPIDecoder().decode(Update.self, from: Array(textUpdate(updateID: updateID, chatID: chatID, text: text).utf8))
    }

    /// One record as Lambda hands it over; each delivery gets a new message id, as a redelivery would.
    func event(updateID: Int, text: String) -> SQSEvent {
        var message = SQSMessage(messageID: UUID().uuidString, receiptHandle: "receipt-\(updateID)", body: textUpdate(updateID: updateID, chatID: 1, text: text))
        message.attributes = ["ApproximateReceiveCount": "1", "MessageGroupId": "chat:1", "MessageDeduplicationId": "\(updateID)"]
        return SQSEvent(records: [SQSEvent.Record(message: message, eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:q.fifo", awsRegion: "us-east-1")])
    }
}
