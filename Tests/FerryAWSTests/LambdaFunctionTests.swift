import AsyncHTTPClient
import Ferry
import FerryQueue
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

/// The three Lambda roles against SQS and DynamoDB in a real `moto_server`, with a recording Bot API.
@Suite(
    "Lambda functions against moto",
    .needs(.moto),
    .motoServer
)
struct LambdaFunctionTests {
    let sqs: SQSClient
    let dynamoDB: DynamoDBClient

    init() throws {
        let server = try #require(MotoServer.current)
        sqs = SQSClient(configuration: server.configuration, httpClient: .shared)
        dynamoDB = DynamoDBClient(configuration: server.configuration, httpClient: .shared)
    }

    // MARK: Webhook

    @Test("webhook: wrong secret 401, not an update 400, too large 413, an update 200 and queued in its group")
    func webhook() async throws {
        let queue = try await makeQueue()
        let function = WebhookFunction(queue: queue, secretToken: "s3cret")
        let update = textUpdate(updateID: 501, chatID: 42, text: "hi")

        #expect(await function.handle(try request(body: update, secret: "wrong")).statusCode == 401)
        #expect(await function.handle(try request(body: update, secret: nil)).statusCode == 401)
        #expect(await function.handle(try request(body: "not json", secret: "s3cret")).statusCode == 400)
        #expect(await function.handle(try request(body: #"{"message":{}}"#, secret: "s3cret")).statusCode == 400)
        let huge = #"{"update_id":1,"pad":""# + String(repeating: "x", count: 1 << 20) + #""}"#
        #expect(await function.handle(try request(body: huge, secret: "s3cret")).statusCode == 413)
        #expect(await function.handle(try request(body: update, secret: "s3cret", method: "GET")).statusCode == 405)
        var notBase64 = try request(body: update, secret: "s3cret")
        notBase64.body = "%%% not base64 %%%"
        notBase64.isBase64Encoded = true
        #expect(await function.handle(notBase64).statusCode == 400)
        #expect(try await sqs.receiveMessages(from: queue.queueURL, waitTimeSeconds: 0).isEmpty, "nothing refused was queued")

        let accepted = await function.handle(try request(body: update, secret: "s3cret", base64: true))
        #expect(accepted.statusCode == 200)
        let messages = try await sqs.receiveMessages(from: queue.queueURL, waitTimeSeconds: 0)
        let message = try #require(messages.first)
        #expect(messages.count == 1)
        #expect(message.body == update)
        #expect(message.messageGroupID == "chat:42")
        #expect(message.messageDeduplicationID == "501")
    }

    @Test("webhook: a browser's request (cross-site, or not JSON) is refused unread")
    func webhookRefusesBrowsers() async throws {
        let queue = try await makeQueue()
        let function = WebhookFunction(queue: queue, secretToken: "s3cret")
        let update = textUpdate(updateID: 30, chatID: 1, text: "x")
        var plain = try request(body: update, secret: "s3cret")
        plain.headers["content-type"] = "text/plain"
        #expect(await function.handle(plain).statusCode == 415)
        var crossSite = try request(body: update, secret: "s3cret")
        crossSite.headers["origin"] = "https://evil.example"
        #expect(await function.handle(crossSite).statusCode == 403)
        var fetched = try request(body: update, secret: "s3cret")
        fetched.headers["sec-fetch-site"] = "cross-site"
        #expect(await function.handle(fetched).statusCode == 403)
        #expect(try await sqs.receiveMessages(from: queue.queueURL, waitTimeSeconds: 0).isEmpty)
        #expect(await function.handle(try request(body: update, secret: "s3cret")).statusCode == 200)
    }

    @Test("webhook: after a rotation the retiring secret is accepted until its time is up, then refused")
    func webhookRetiringSecret() async throws {
        let queue = try await makeQueue()
        let now = Int(Date().timeIntervalSince1970)
        let rotating = WebhookFunction(queue: queue, secretToken: "new", retiringSecret: .init(token: "old", acceptedUntil: now + 600))
        #expect(await rotating.handle(try request(body: textUpdate(updateID: 40, chatID: 1, text: "a"), secret: "new")).statusCode == 200)
        #expect(await rotating.handle(try request(body: textUpdate(updateID: 41, chatID: 1, text: "b"), secret: "old")).statusCode == 200)
        #expect(await rotating.handle(try request(body: textUpdate(updateID: 42, chatID: 1, text: "c"), secret: "older")).statusCode == 401)
        let retired = WebhookFunction(queue: queue, secretToken: "new", retiringSecret: .init(token: "old", acceptedUntil: now - 1))
        #expect(await retired.handle(try request(body: textUpdate(updateID: 43, chatID: 1, text: "d"), secret: "old")).statusCode == 401)
        #expect(WebhookIngress.RetiringSecret(stored: "abc 1700000000") == .init(token: "abc", acceptedUntil: 1_700_000_000))
        #expect(WebhookIngress.RetiringSecret(stored: "garbage") == nil)
    }

    @Test("webhook: a queue that cannot store answers 500, so Telegram redelivers")
    func webhookStorageFailure() async throws {
        let queue = SQSUpdateQueue(sqs: sqs, queueURL: "http://127.0.0.1:1/000000000000/missing.fifo", deadLetterQueueURL: nil)
        let function = WebhookFunction(queue: queue, secretToken: nil)
        #expect(await function.handle(try request(body: textUpdate(updateID: 1, chatID: 1, text: "x"), secret: nil)).statusCode == 500)
    }

    // MARK: Consumer

    @Test("consumer: a failure holds back the rest of its group only; the third attempt goes to the DLQ and the group goes on")
    func consumerFIFOSemantics() async throws {
        let queue = try await makeQueue()
        let api = BotAPIRecorder()
        let bot = Bot(api: api, username: "TestBot")
        let poisonRuns = Mutex(0)
        bot.hears("poison") { _, _ in
            poisonRuns.withLock { $0 += 1 }
            throw PoisonError()
        }
        bot.on(.text) { ctx, text in try await ctx.reply("You said: \(text)") }
        let consumer = ConsumerFunction(
            processor: UpdateProcessor(bot: bot, policy: .init(maximumAttempts: 3, retryDelay: { _ in .zero })), queue: queue
        )
        _ = try await queue.enqueue([
            QueuedUpdate(updateID: 1, groupID: "chat:1", body: Array(textUpdate(updateID: 1, chatID: 1, text: "poison").utf8)),
            QueuedUpdate(updateID: 2, groupID: "chat:2", body: Array(textUpdate(updateID: 2, chatID: 2, text: "b1").utf8)),
            QueuedUpdate(updateID: 3, groupID: "chat:1", body: Array(textUpdate(updateID: 3, chatID: 1, text: "a2").utf8)),
            QueuedUpdate(updateID: 4, groupID: "chat:2", body: Array(textUpdate(updateID: 4, chatID: 2, text: "b2").utf8)),
        ])

        // Attempt 1: chat 1's head fails, so its follower is not run; chat 2 goes on.
        let first = try await receiveBatch(queue, expecting: 4)
        let firstResponse = try await consumer.handle(first.event)
        #expect(firstResponse.batchItemFailures.map(\.itemIdentifier) == [first.id(1), first.id(3)])
        #expect(api.sentTexts == ["You said: b1", "You said: b2"])
        try await deleteHandled(first, except: firstResponse, from: queue)

        // Attempt 2: the failed records are visible again at once (retry delay zero), in order.
        let second = try await receiveBatch(queue, expecting: 2)
        #expect(second.updateIDs == [1, 3])
        #expect(second.event.records.map { $0.message.approximateReceiveCount } == [2, 2])
        let secondResponse = try await consumer.handle(second.event)
        #expect(secondResponse.batchItemFailures.map(\.itemIdentifier) == [second.id(1), second.id(3)])
        try await deleteHandled(second, except: secondResponse, from: queue)

        // Attempt 3: the head is dead-lettered by the consumer (which tells the chat, as the bot's onDeadLetter
        // hook does by default), not reported, and its follower runs.
        let third = try await receiveBatch(queue, expecting: 2)
        let thirdResponse = try await consumer.handle(third.event)
        #expect(thirdResponse.batchItemFailures.isEmpty)
        #expect(poisonRuns.withLock { $0 } == 3)
        #expect(api.sentTexts == ["You said: b1", "You said: b2", DeadLetter.defaultApology, "You said: a2"])

        let dead = try await sqs.receiveMessages(from: try #require(queue.deadLetterQueueURL), waitTimeSeconds: 0)
        #expect(dead.count == 1)
        let letter = try #require(dead.first)
        #expect(letter.body == textUpdate(updateID: 1, chatID: 1, text: "poison"))
        #expect(letter.messageGroupID == "chat:1")
        #expect(letter.messageDeduplicationID == "1")
        #expect(letter.messageAttributes["ferry-attempts"] == .number(3))
        #expect(letter.messageAttributes["ferry-reason"]?.stringValue?.contains("PoisonError") == true)
    }

    @Test("consumer: a permanent Bot API error dead-letters at once and the group goes on")
    func consumerPermanentAndRateLimit() async throws {
        let queue = try await makeQueue()
        let api = BotAPIRecorder()
        api.fail(SendMessage.self, with: TelegramAPIError(method: "sendMessage", errorCode: 403, description: "Forbidden: bot was blocked by the user"), times: 1)
        let bot = Bot(api: api, username: "TestBot")
        bot.on(.text) { ctx, text in try await ctx.reply("You said: \(text)") }
        let consumer = ConsumerFunction(processor: UpdateProcessor(bot: bot, policy: .init(retryDelay: { _ in .zero })), queue: queue)
        _ = try await queue.enqueue([
            QueuedUpdate(updateID: 10, groupID: "chat:1", body: Array(textUpdate(updateID: 10, chatID: 1, text: "blocked").utf8)),
            QueuedUpdate(updateID: 11, groupID: "chat:1", body: Array(textUpdate(updateID: 11, chatID: 1, text: "next").utf8)),
        ])
        let batch = try await receiveBatch(queue, expecting: 2)
        let response = try await consumer.handle(batch.event)
        #expect(response.batchItemFailures.isEmpty)
        // Both replies were tried; Telegram refused the first, so only the follower's went out. The consumer
        // dead-lettered the first as the local dispatcher does, so the bot's onDeadLetter hook ran there.
        #expect(api.sentTexts == ["You said: blocked", DeadLetter.defaultApology, "You said: next"])
        #expect(api.sentMessages.map(\.text) == [DeadLetter.defaultApology, "You said: next"])
        let dead = try await sqs.receiveMessages(from: try #require(queue.deadLetterQueueURL), waitTimeSeconds: 0)
        #expect(dead.map(\.messageDeduplicationID) == ["10"])
        #expect(dead.first?.messageAttributes["ferry-attempts"] == .number(1))
        #expect(dead.first?.messageAttributes[SQSUpdateQueue.hookRanAttribute] == .string("true"))
    }

    @Test("consumer: a refused token fails the invocation (the Errors alarm sees it) and keeps what it could not handle")
    func consumerTokenRefused() async throws {
        let queue = try await makeQueue()
        let api = BotAPIRecorder()
        let bot = Bot(api: api, username: "TestBot")
        bot.hears("revoked") { _, _ in throw TelegramAPIError(method: "sendMessage", errorCode: 401, description: "Unauthorized") }
        bot.on(.text) { ctx, text in try await ctx.reply("You said: \(text)") }
        // One chat at a time (each chat to its end, in the order of the chats' first records), so which records
        // were tried before the refusal is certain; with chats in parallel the rule is the same: no record starts
        // once a refusal is known.
        let consumer = ConsumerFunction(
            processor: UpdateProcessor(bot: bot, policy: .init(retryDelay: { _ in .zero })), queue: queue,
            configuration: .init(concurrency: 1)
        )
        _ = try await queue.enqueue([
            QueuedUpdate(updateID: 20, groupID: "chat:1", body: Array(textUpdate(updateID: 20, chatID: 1, text: "hello").utf8)),
            QueuedUpdate(updateID: 21, groupID: "chat:2", body: Array(textUpdate(updateID: 21, chatID: 2, text: "revoked").utf8)),
            QueuedUpdate(updateID: 22, groupID: "chat:1", body: Array(textUpdate(updateID: 22, chatID: 1, text: "later").utf8)),
            QueuedUpdate(updateID: 23, groupID: "chat:3", body: Array(textUpdate(updateID: 23, chatID: 3, text: "other").utf8)),
        ])
        let batch = try await receiveBatch(queue, expecting: 4)
        do {
            _ = try await consumer.handle(batch.event)
            Issue.record("the invocation should fail")
        } catch let refused as ConsumerFunction.TokenRefused {
            #expect(refused.keptUpdates == 2)
            #expect(refused.description.contains("TELEGRAM_BOT_TOKEN") && refused.description.contains("@BotFather"))
        }
        #expect(api.sentTexts == ["You said: hello", "You said: later"], "nothing after the refusal was tried")
        #expect(try await sqs.receiveMessages(from: try #require(queue.deadLetterQueueURL), waitTimeSeconds: 0).isEmpty, "nothing dead-lettered")
        // The handled records were deleted, so the batch's redelivery does not repeat them; the other two wait.
        let attributes = try await sqs.queueAttributes(of: queue.queueURL)
        let waiting = (Int(attributes["ApproximateNumberOfMessages"] ?? "") ?? -1) + (Int(attributes["ApproximateNumberOfMessagesNotVisible"] ?? "") ?? -1)
        #expect(waiting == 2)
    }

    // MARK: Dead letters

    @Test("dead-letter: parks each update in DynamoDB, logs it as JSON, runs the hook once, never loops")
    func deadLetter() async throws {
        let queue = try await makeQueue()
        let table = "dead-letters-\(UUID().uuidString.prefix(8))"
        try await dynamoDB.createTable(named: table, partitionKey: DeadLetterTable.id)
        let api = BotAPIRecorder()
        let bot = Bot(api: api, username: "TestBot")
        let hooked = Mutex<[String]>([])
        bot.onDeadLetter { _, letter in
            hooked.withLock { $0.append("\(letter.update.updateID) \(letter.attempts) \(letter.reason)") }
            throw PoisonError()  // a failing hook must not make the record fail
        }
        let lines = Mutex<[String]>([])
        let function = DeadLetterFunction(
            processor: UpdateProcessor(bot: bot), dynamoDB: dynamoDB, table: table,
            log: { line in lines.withLock { $0.append(line) } }
        )
        let body = textUpdate(updateID: 77, chatID: 5, text: "poison")
        try await sqs.sendMessage(
            SQSOutgoingMessage(
                body: body, groupID: "chat:5", deduplicationID: "77",
                attributes: SQSUpdateQueue.deadLetterAttributes(reason: "handler threw: boom", attempts: 3)
            ),
            to: try #require(queue.deadLetterQueueURL)
        )
        let messages = try await sqs.receiveMessages(from: try #require(queue.deadLetterQueueURL), waitTimeSeconds: 0)
        let event = SQSEvent(records: messages.map { SQSEvent.Record(message: $0, eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:dlq.fifo", awsRegion: "us-east-1") })

        #expect(await function.handle(event).batchItemFailures.isEmpty)
        #expect(hooked.withLock { $0 } == ["77 3 handler threw: boom"])
        let line = try #require(lines.withLock { $0 }.first)
        let logged = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(logged?["event"] as? String == "dead_letter")
        #expect(logged?["update_id"] as? Int == 77)
        #expect(logged?["reason"] as? String == "handler threw: boom")
        #expect(logged?["attempts"] as? Int == 3)

        let item = try #require(try await dynamoDB.getItem(from: table, key: [DeadLetterTable.id: .string(messages[0].messageID)]))
        #expect(item[DeadLetterTable.body]?.stringValue == body)
        #expect(item[DeadLetterTable.updateID]?.intValue == 77)
        #expect(item[DeadLetterTable.reason]?.stringValue == "handler threw: boom")
        #expect(item["error"]?.stringValue == "handler threw: boom", "under the name items parked by earlier versions have")
        #expect(item[DeadLetterTable.attempts]?.intValue == 3)
        let deadLetteredAt = try #require(item[DeadLetterTable.deadLetteredAt]?.intValue)
        #expect(item[DeadLetterTable.expiresAt]?.intValue == deadLetteredAt / 1000 + 30 * 24 * 3600)

        // Lambda delivers the same record again: parked already, so no second hook and no second line.
        #expect(await function.handle(event).batchItemFailures.isEmpty)
        #expect(hooked.withLock { $0 }.count == 1)
        #expect(lines.withLock { $0 }.count == 1)
    }

    @Test("dead-letter: a letter an older consumer wrote keeps its reason under the attribute's old name")
    func deadLetterFromAnOlderConsumer() async throws {
        let queue = try await makeQueue()
        let table = "dead-letters-\(UUID().uuidString.prefix(8))"
        try await dynamoDB.createTable(named: table, partitionKey: DeadLetterTable.id)
        let bot = Bot(api: BotAPIRecorder(), username: "TestBot")
        let hooked = Mutex<[String]>([])
        bot.onDeadLetter { _, letter in hooked.withLock { $0.append("\(letter.update.updateID) \(letter.attempts) \(letter.reason)") } }
        let function = DeadLetterFunction(processor: UpdateProcessor(bot: bot), dynamoDB: dynamoDB, table: table, log: { _ in })
        try await sqs.sendMessage(
            SQSOutgoingMessage(
                body: textUpdate(updateID: 78, chatID: 5, text: "poison"), groupID: "chat:5", deduplicationID: "78",
                attributes: ["ferry-error": .string("handler threw: old"), SQSUpdateQueue.attemptsAttribute: .number(2)]
            ),
            to: try #require(queue.deadLetterQueueURL)
        )
        let messages = try await sqs.receiveMessages(from: try #require(queue.deadLetterQueueURL), waitTimeSeconds: 0)
        let event = SQSEvent(records: messages.map { SQSEvent.Record(message: $0, eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:dlq.fifo", awsRegion: "us-east-1") })

        #expect(await function.handle(event).batchItemFailures.isEmpty)
        #expect(hooked.withLock { $0 } == ["78 2 handler threw: old"])
        let item = try #require(try await dynamoDB.getItem(from: table, key: [DeadLetterTable.id: .string(messages[0].messageID)]))
        #expect(item[DeadLetterTable.reason]?.stringValue == "handler threw: old")
    }

    @Test("dead-letter: a record that cannot be parked stays on the queue and runs no hook")
    func deadLetterStorageFailure() async throws {
        let api = BotAPIRecorder()
        let bot = Bot(api: api, username: "TestBot")
        let hooked = Mutex(0)
        bot.onDeadLetter { _, _ in hooked.withLock { $0 += 1 } }
        let function = DeadLetterFunction(processor: UpdateProcessor(bot: bot), dynamoDB: dynamoDB, table: "no-such-table", log: { _ in })
        let message = SQSMessage(messageID: "m-1", receiptHandle: "r-1", body: textUpdate(updateID: 9, chatID: 9, text: "x"))
        let event = SQSEvent(records: [SQSEvent.Record(message: message, eventSourceARN: "arn", awsRegion: "us-east-1")])
        #expect(await function.handle(event).batchItemFailures.map(\.itemIdentifier) == ["m-1"])
        #expect(hooked.withLock { $0 } == 0)
    }

    // MARK: Helpers

    struct PoisonError: Error {}

    struct Batch {
        var event: SQSEvent
        var updateIDs: [Int] { event.records.compactMap { $0.message.messageDeduplicationID.flatMap { Int($0) } } }
        func id(_ updateID: Int) -> String {
            event.records.first { $0.message.messageDeduplicationID == String(updateID) }?.message.messageID ?? "missing \(updateID)"
        }
    }

    /// Receives what an event source mapping would hand the function: up to ten messages, several per
    /// group, each group in order.
    func receiveBatch(_ queue: SQSUpdateQueue, expecting count: Int) async throws -> Batch {
        var messages: [SQSMessage] = []
        // Bounded in time, generously: a loaded machine slows moto down.
        let deadline = ContinuousClock.now + .seconds(30)
        while messages.count < count, ContinuousClock.now < deadline {
            messages += try await sqs.receiveMessages(from: queue.queueURL, waitTimeSeconds: 0, visibilityTimeoutSeconds: 30)
            if messages.count < count { try await Task.sleep(for: .milliseconds(100)) }
        }
        try #require(messages.count == count, "received \(messages.count) of \(count)")
        let records = messages.map { SQSEvent.Record(message: $0, eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:updates.fifo", awsRegion: "us-east-1") }
        return Batch(event: SQSEvent(records: records))
    }

    /// Deletes what Lambda deletes after the function returns: every record not reported failed. A record the
    /// consumer dead-lettered is gone already; SQS's refusal of its stale receipt changes nothing, as for Lambda.
    func deleteHandled(_ batch: Batch, except response: SQSBatchResponse, from queue: SQSUpdateQueue) async throws {
        let failed = Set(response.batchItemFailures.map(\.itemIdentifier))
        let handled = batch.event.records.map(\.message).filter { !failed.contains($0.messageID) }
        guard !handled.isEmpty else { return }
        try await sqs.deleteMessageBatch(handled.map { ($0.messageID, $0.receiptHandle) }, from: queue.queueURL)
    }

    /// A FIFO queue and its FIFO dead-letter queue; with `maxReceiveCount`, the redrive backstop between them;
    /// with `ledger`, uncounted receives kept in a fresh DynamoDB table.
    func makeQueue(maxReceiveCount: Int? = nil, ledger: Bool = false) async throws -> SQSUpdateQueue {
        let name = "updates-\(UUID().uuidString.prefix(8))"
        let attributes = ["FifoQueue": "true", "VisibilityTimeout": "30"]
        let dlq = try await sqs.createQueue(named: "\(name)-dlq.fifo", attributes: attributes)
        var mainAttributes = attributes
        if let maxReceiveCount {
            let dlqARN = try #require(try await sqs.queueAttributes(of: dlq, names: ["QueueArn"])["QueueArn"])
            mainAttributes["RedrivePolicy"] = #"{"deadLetterTargetArn":"\#(dlqARN)","maxReceiveCount":\#(maxReceiveCount)}"#
        }
        let main = try await sqs.createQueue(named: "\(name).fifo", attributes: mainAttributes)
        var uncounted: (any UncountedReceives)?
        if ledger {
            try await dynamoDB.createTable(named: name, partitionKey: SessionsTable.key)
            uncounted = DynamoDBUncountedReceives(dynamoDB: dynamoDB, table: name)
        }
        return SQSUpdateQueue(sqs: sqs, queueURL: main, deadLetterQueueURL: dlq, uncountedReceives: uncounted)
    }

    func request(body: String, secret: String?, base64: Bool = false, method: String = "POST") throws -> FunctionURLRequest {
        var headers = ["content-type": "application/json"]
        if let secret { headers["x-telegram-bot-api-secret-token"] = secret }
        let event: [String: Any] = [
            "version": "2.0", "rawPath": "/", "rawQueryString": "", "headers": headers,
            "requestContext": [
                "accountId": "anonymous", "apiId": "abc", "domainName": "abc.lambda-url.us-east-1.on.aws", "requestId": "r1",
                "timeEpoch": 1_700_000_000_000,
                "http": ["method": method, "path": "/", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.1", "userAgent": "TelegramBot"],
            ],
            "body": base64 ? Data(body.utf8).base64EncodedString() : body,
            "isBase64Encoded": base64,
        ]
        return try JSONDecoder().decode(FunctionURLRequest.self, from: JSONSerialization.data(withJSONObject: event))
    }
}

