import Ferry
import FerryDeploy
import FerryQueue
import FerryRuntime
import FerryStageContract
import FerryTesting
import Foundation
import FerryTestSupport
import Testing

@testable import AWSClients
@testable import FerryAWS

/// `dlq list | show | redrive | purge --stage S` against a stage in a real `moto_server`: updates fail
/// in the real consumer, the real dead-letter function parks them, and the EchoBot binary operates them.
@Suite(
    "Dead letters of a deployed stage",
    .needs(.moto),
    .motoServer
)
struct StageDeadLetterTests {
    let server: MotoServer
    let sqs: SQSClient
    let dynamoDB: DynamoDBClient

    init() throws {
        server = try #require(MotoServer.current)
        sqs = SQSClient(configuration: server.configuration, httpClient: .shared)
        dynamoDB = DynamoDBClient(configuration: server.configuration, httpClient: .shared)
    }

    @Test("the store lists oldest first, redrives with the group and a fresh deduplication id, and purges")
    func store() async throws {
        let stage = try await makeStage()
        let parked = try await park([(1, 10, "first"), (2, 20, "second"), (3, 10, "third")], in: stage)
        let store = DynamoDBDeadLetterStore(dynamoDB: dynamoDB, table: stage.table, sqs: sqs, queueURL: stage.queueURL)

        let listed = try await store.deadLetters(limit: 10)
        #expect(listed.map(\.update.updateID) == [1, 2, 3])
        #expect(listed.map(\.update.groupID) == ["chat:10", "chat:20", "chat:10"])
        #expect(listed.allSatisfy { $0.attempts == 1 && $0.reason.contains("Poison") })
        #expect(listed.allSatisfy { $0.enqueuedAt > 0 && $0.enqueuedAt <= $0.deadLetteredAt })
        #expect(try await store.deadLetters(limit: 2).map(\.update.updateID) == [1, 2])
        #expect(try await store.deadLetter(id: "no-such-id") == nil)

        // Redriven moments after the update was first queued: with its update_id alone as the
        // deduplication id, SQS would drop it silently (it keeps ids for five minutes, deleted messages'
        // too). moto forgets the id once the message is deleted, so the id itself is checked here.
        #expect(try await store.redrive(ids: [parked[1], "no-such-id"]) == 1)
        let redriven = try await receiveAll(from: stage.queueURL)
        #expect(redriven.map(\.body) == [textUpdate(updateID: 2, chatID: 20, text: "second")])
        #expect(redriven.first?.messageGroupID == "chat:20")
        #expect(redriven.first?.messageDeduplicationID == "2:\(parked[1])")
        #expect(try await store.deadLetters(limit: 10).map(\.update.updateID) == [1, 3])

        #expect(try await store.redriveAll() == 2)
        #expect(try await receiveAll(from: stage.queueURL).map(\.messageDeduplicationID) == ["1:\(parked[0])", "3:\(parked[2])"])
        #expect(try await store.deadLetters(limit: 10).isEmpty)

        _ = try await park([(4, 40, "fourth")], in: stage)
        #expect(try await store.purgeDeadLetters() == 1)
        #expect(try await store.deadLetters(limit: 10).isEmpty)
    }

    @Test(
        "EchoBot dlq --stage lists as JSON lines, shows, redrives to the stage's queue and purges",
        .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.url.path), "EchoBot is not built next to the tests")
    )
    func command() async throws {
        let stage = try await makeStage()
        let parked = try await park([(7, 70, "seven"), (8, 80, "eight")], in: stage)

        let list = try await dlq(["list", "--json"], stage)
        #expect(list.status == 0, "\(list.standardError)")
        let lines = list.standardOutput.split(separator: "\n").map(String.init)
        let objects = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["id"] as? String } == parked.map(Optional.some))
        #expect(objects.map { $0["update_id"] as? Int } == [7, 8])
        #expect(objects.map { $0["group_id"] as? String } == ["chat:70", "chat:80"])
        #expect(objects.allSatisfy { ($0["reason"] as? String)?.contains("Poison") == true && $0["attempts"] as? Int == 1 })
        #expect(objects.allSatisfy { $0["update"] == nil }, "list leaves the update out, as locally")

        let show = try await dlq(["show", parked[0]], stage)
        #expect(show.status == 0, "\(show.standardError)")
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(show.standardOutput.utf8)) as? [String: Any])
        #expect((shown["update"] as? [String: Any])?["update_id"] as? Int == 7)
        #expect(try await dlq(["show", "no-such-id"], stage).status != 0)

        let redrive = try await dlq(["redrive", parked[0]], stage)
        #expect(redrive.status == 0, "\(redrive.standardError)")
        #expect(redrive.standardOutput.contains("Redrove 1 dead letter."))
        let redriven = try await receiveAll(from: stage.queueURL)
        #expect(redriven.map(\.body) == [textUpdate(updateID: 7, chatID: 70, text: "seven")])
        #expect(redriven.first?.messageGroupID == "chat:70")

        let purge = try await dlq(["purge", "--yes"], stage)
        #expect(purge.standardOutput.contains("Purged 1 dead letter."), "\(purge.standardError)")
        let empty = try await dlq(["list"], stage)
        #expect(empty.standardOutput.contains("No dead letters."))

        let both = try await EchoBotProcess.run(["dlq", "list", "--stage", stage.name, "--data-dir", "/tmp"], environment: awsEnvironment)
        #expect(both.status != 0)
        #expect(both.standardError.contains("--data-dir or --stage"))
        let unknown = try await EchoBotProcess.run(["dlq", "list", "--stage", "nosuchstage"], environment: awsEnvironment)
        #expect(unknown.status != 0)
        #expect(unknown.standardError.contains("was not found"))
    }

    @Test("an update dead-lettered by a serve --queue sqs host is parked without running the hook a second time")
    func deadLetteredByServe() async throws {
        let stage = try await makeStage()
        let hooks = Locked(0)
        let bot = Bot(api: BotAPIRecorder(), username: "TestBot")
        bot.onDeadLetter { _, _ in hooks.withLock { $0 += 1 } }
        let queue = SQSUpdateQueue(sqs: sqs, queueURL: stage.queueURL, deadLetterQueueURL: stage.deadLetterQueueURL)
        let body = Array(textUpdate(updateID: 60, chatID: 6, text: "poison").utf8)
        _ = try await queue.enqueue([QueuedUpdate(updateID: 60, groupID: "chat:6", body: body)])
        let received = try #require(try await queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30)).first)
        try await queue.deadLetter(received.receipt, reason: "failed 3 times")

        let function = DeadLetterFunction(processor: UpdateProcessor(bot: bot), dynamoDB: dynamoDB, table: stage.table, log: { _ in })
        let letters = try await receiveAll(from: stage.deadLetterQueueURL)
        #expect(await function.handle(event(letters)).batchItemFailures.isEmpty)
        #expect(hooks.value == 0)
        let store = DynamoDBDeadLetterStore(dynamoDB: dynamoDB, table: stage.table, sqs: sqs, queueURL: stage.queueURL)
        #expect(try await store.deadLetters(limit: 10).map(\.reason) == ["failed 3 times"])
    }

    // MARK: Helpers

    struct Stage {
        var name: String
        var queueURL: String
        var deadLetterQueueURL: String
        var table: String
    }

    /// A stage's queues and dead-letter table, named as `deploy` names them for the bot `echobot`.
    func makeStage() async throws -> Stage {
        let name = "s" + UUID().uuidString.prefix(8).lowercased()
        let names = BotStack(bot: "echobot", stage: name).names
        let attributes = ["FifoQueue": "true", "VisibilityTimeout": "30"]
        let deadLetterQueueURL = try await sqs.createQueue(named: names.deadLetterQueue, attributes: attributes)
        let queueURL = try await sqs.createQueue(named: names.queue, attributes: attributes)
        try await dynamoDB.createTable(named: names.deadLetterTable, partitionKey: DeadLetterTable.id)
        return Stage(name: name, queueURL: queueURL, deadLetterQueueURL: deadLetterQueueURL, table: names.deadLetterTable)
    }

    /// Sends each update through the queue to a consumer whose handler always fails (one attempt), then
    /// the dead-letter queue to the dead-letter function; returns the parked ids in order.
    func park(_ updates: [(updateID: Int, chatID: Int, text: String)], in stage: Stage) async throws -> [String] {
        let bot = Bot(api: BotAPIRecorder(), username: "TestBot")
        bot.on(.text) { _, _ in throw PoisonError() }
        let processor = UpdateProcessor(bot: bot, policy: .init(maximumAttempts: 1))
        let consumer = ConsumerFunction(
            processor: processor, queue: SQSUpdateQueue(sqs: sqs, queueURL: stage.queueURL, deadLetterQueueURL: stage.deadLetterQueueURL)
        )
        let deadLetters = DeadLetterFunction(processor: processor, dynamoDB: dynamoDB, table: stage.table, log: { _ in })
        var parked: [String] = []
        for update in updates {
            let queue = SQSUpdateQueue(sqs: sqs, queueURL: stage.queueURL, deadLetterQueueURL: nil)
            let body = Array(textUpdate(updateID: update.updateID, chatID: update.chatID, text: update.text).utf8)
            _ = try await queue.enqueue([QueuedUpdate(updateID: update.updateID, groupID: "chat:\(update.chatID)", body: body)])
            let received = try await receiveAll(from: stage.queueURL, deleting: false)
            try #require(received.count == 1)
            #expect(try await consumer.handle(event(received)).batchItemFailures.isEmpty)
            try await sqs.deleteMessage(receiptHandle: received[0].receiptHandle, from: stage.queueURL)

            let letters = try await receiveAll(from: stage.deadLetterQueueURL)
            try #require(letters.count == 1)
            #expect(await deadLetters.handle(event(letters)).batchItemFailures.isEmpty)
            parked.append(letters[0].messageID)
            // Dead letters are listed by when they were dead-lettered, in milliseconds.
            try await Task.sleep(for: .milliseconds(5))
        }
        return parked
    }

    /// Every message now visible on the queue (at most 50 receives), deleted unless `deleting` is false.
    func receiveAll(from queueURL: String, deleting: Bool = true) async throws -> [SQSMessage] {
        var messages: [SQSMessage] = []
        for _ in 0..<50 {
            let batch = try await sqs.receiveMessages(from: queueURL, waitTimeSeconds: 0)
            if batch.isEmpty { break }
            messages += batch
            if deleting {
                for message in batch { try await sqs.deleteMessage(receiptHandle: message.receiptHandle, from: queueURL) }
            }
        }
        return messages
    }

    func event(_ messages: [SQSMessage]) -> SQSEvent {
        SQSEvent(records: messages.map { SQSEvent.Record(message: $0, eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:q.fifo", awsRegion: "us-east-1") })
    }

    var awsEnvironment: [String: String] {
        [
            "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIAFERRYTEST", "AWS_SECRET_ACCESS_KEY": "ferry-test-secret",
            "AWS_ENDPOINT_URL": server.endpoint.url,
        ]
    }

    func dlq(_ arguments: [String], _ stage: Stage) async throws -> EchoBotProcess.Exit {
        try await EchoBotProcess.run(["dlq"] + arguments + ["--stage", stage.name], environment: awsEnvironment)
    }

    struct PoisonError: Error {}
}
