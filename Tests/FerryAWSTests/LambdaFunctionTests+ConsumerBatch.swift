import AsyncHTTPClient
import Ferry
import FerryQueue
import FerryRuntime
import FerryTesting
import Foundation
import Synchronization
import TelegramBotAPI
import TelegramClient
import Testing

@testable import AWSClients
@testable import FerryAWS
import FerryTestSupport

/// The consumer's batch rule: chats in parallel and each in order, failures held back per chat, attempts that
/// are an update's own, and the invocation's deadline.
extension LambdaFunctionTests {
    // MARK: Consumer: parallel groups

    @Test("ten chats in a batch: all ten replies are in flight to the Bot API at once")
    func chatsRunInParallel() async throws {
        // The Bot API holds each call until all ten have arrived (at most 5 s), then answers after 100 ms: one
        // after another, the calls would never overlap.
        try await withSlowBotAPI(latency: .milliseconds(100), holdingUntil: 10) { api, botAPI in
            let bot = Bot(api: botAPI, username: "TestBot")
            bot.on(.text) { ctx, text in try await ctx.reply("You said: \(text)") }
            let consumer = ConsumerFunction(processor: UpdateProcessor(bot: bot), queue: try await makeQueue())
            let response = try await consumer.handle(Self.event((1...10).map { (updateID: $0, chatID: $0, text: "hi \($0)") }))

            #expect(response.batchItemFailures.isEmpty)
            #expect(api.requestCount == 10)
            #expect(api.mostInFlight == 10, "every chat's reply was in flight at once")
        }
    }

    @Test("at most `concurrency` chats run at once; each chat's records run one after another, in record order")
    func concurrencyBoundAndOrder() async throws {
        let gauge = Gauge()
        let arrivals = Locked(0)
        let handled = Locked<[Int: [String]]>([:])
        let bot = Bot(api: BotAPIRecorder(), username: "TestBot")
        bot.on(.text) { ctx, text in
            gauge.enter()
            defer { gauge.leave() }
            // The first three wait for each other (at most 5 s), so the bound is reached however the machine is loaded.
            if arrivals.withLock({ $0 += 1; return $0 }) <= 3 { await Self.waitUntil { gauge.current >= 3 } }
            try await Task.sleep(for: .milliseconds(100))
            handled.withLock { $0[Int(ctx.chat?.id ?? 0), default: []].append(text) }
        }
        let consumer = ConsumerFunction(
            processor: UpdateProcessor(bot: bot), queue: try await makeQueue(), configuration: .init(concurrency: 3)
        )
        // Ten records: chat 1 has four, interleaved with six other chats.
        let records = [(1, 1, "a"), (2, 2, "x"), (3, 1, "b"), (4, 3, "x"), (5, 1, "c"), (6, 4, "x"), (7, 5, "x"), (8, 1, "d"), (9, 6, "x"), (10, 7, "x")]
        let response = try await consumer.handle(Self.event(records.map { (updateID: $0.0, chatID: $0.1, text: $0.2) }))

        #expect(response.batchItemFailures.isEmpty)
        #expect(gauge.most == 3)
        #expect(handled.value[1] == ["a", "b", "c", "d"])
        #expect(handled.value.values.map(\.count).reduce(0, +) == 10)
    }

    @Test("a slow chat does not hold back the others")
    func slowChatDoesNotHoldBackOthers() async throws {
        let finished = Locked<[String]>([])
        let bot = Bot(api: BotAPIRecorder(), username: "TestBot")
        bot.on(.text) { _, text in
            // The slow chat's first record takes until the six others are done, or 5 s: if they had to wait for
            // it, it would end first.
            if text == "slow 1" { await Self.waitUntil { finished.value.count >= 6 } }
            finished.withLock { $0.append(text) }
        }
        let consumer = ConsumerFunction(processor: UpdateProcessor(bot: bot), queue: try await makeQueue())
        let records = [(1, 1, "slow 1"), (2, 1, "slow 2")] + (3...8).map { ($0, $0, "fast \($0)") }
        let response = try await consumer.handle(Self.event(records.map { (updateID: $0.0, chatID: $0.1, text: $0.2) }))

        #expect(response.batchItemFailures.isEmpty)
        let order = finished.value
        #expect(order.count == 8)
        #expect(order.suffix(2) == ["slow 1", "slow 2"], "every fast chat finished before the slow one's first record: \(order)")
    }

    @Test("a failure holds back the rest of its chat only: failures are reported per chat, other chats go on")
    func failuresPerGroup() async throws {
        let ran = Locked<[String]>([])
        let bot = Bot(api: BotAPIRecorder(), username: "TestBot")
        bot.on(.text) { _, text in
            ran.withLock { $0.append(text) }
            if text.hasPrefix("fail") { throw PoisonError() }
        }
        let queue = try await makeQueue()
        let consumer = ConsumerFunction(processor: UpdateProcessor(bot: bot, policy: .init(retryDelay: { _ in .seconds(30) })), queue: queue)
        _ = try await queue.enqueue([
            (1, 1, "ok 1a"), (2, 2, "fail 2a"), (3, 1, "fail 1b"), (4, 3, "ok 3a"), (5, 1, "after 1c"), (6, 2, "after 2b"), (7, 3, "ok 3b"),
        ].map { QueuedUpdate(updateID: $0.0, groupID: "chat:\($0.1)", body: Array(textUpdate(updateID: $0.0, chatID: $0.1, text: $0.2).utf8)) })
        let batch = try await receiveBatch(queue, expecting: 7)

        let response = try await consumer.handle(batch.event)

        #expect(Set(response.batchItemFailures.map(\.itemIdentifier)) == Set([2, 3, 5, 6].map { batch.id($0) }))
        #expect(Set(ran.value) == ["ok 1a", "fail 2a", "fail 1b", "ok 3a", "ok 3b"], "nothing behind a failure ran")
        // The failed records and those held back behind them are hidden for the retry delay, so their chats
        // stay locked: nothing of chats 1 and 2 can be received now.
        try await deleteHandled(batch, except: response, from: queue)
        #expect(try await sqs.receiveMessages(from: queue.queueURL, waitTimeSeconds: 0).isEmpty)
    }

    // MARK: Consumer: attempts

    @Test("three poison updates in a row in one chat: each gets its three attempts, and the fourth, flaky once, still runs")
    func attemptsAreAnUpdatesOwn() async throws {
        let runs = Locked<[String: Int]>([:])
        let bot = Bot(api: BotAPIRecorder(), username: "TestBot")
        bot.on(.text) { _, text in
            let run = runs.withLock { runs in
                runs[text, default: 0] += 1
                return runs[text]!
            }
            if text.hasPrefix("poison") || (text == "healthy" && run == 1) { throw PoisonError() }
        }
        // The redrive backstop as the stack renders it for three attempts: three times that.
        let queue = try await makeQueue(maxReceiveCount: 9, ledger: true)
        let consumer = ConsumerFunction(processor: UpdateProcessor(bot: bot, policy: .init(maximumAttempts: 3, retryDelay: { _ in .zero })), queue: queue)
        _ = try await queue.enqueue(["poison 1", "poison 2", "poison 3", "healthy"].enumerated().map { index, text in
            QueuedUpdate(updateID: index + 1, groupID: "chat:1", body: Array(textUpdate(updateID: index + 1, chatID: 1, text: text).utf8))
        })

        // Each round is one invocation with what the event source would hand over: the whole chat, in order.
        for _ in 0..<12 where runs.value["healthy"] != 2 {
            let messages = try await receiveAll(queue)
            if messages.isEmpty { continue }
            let batch = Batch(event: Self.event(messages))
            try await deleteHandled(batch, except: try await consumer.handle(batch.event), from: queue)
        }

        #expect(runs.value == ["poison 1": 3, "poison 2": 3, "poison 3": 3, "healthy": 2])
        let dead = try await receiveAll(from: try #require(queue.deadLetterQueueURL))
        #expect(dead.map(\.messageDeduplicationID) == ["1", "2", "3"])
        #expect(dead.compactMap { $0.messageAttributes[SQSUpdateQueue.attemptsAttribute] } == Array(repeating: SQSMessageAttribute.number(3), count: 3))
        #expect(try await receiveAll(queue).isEmpty)
    }

    @Test("flood control uses no attempt: limited twice, then failing once with two attempts allowed, an update still gets through")
    func floodControlUsesNoAttempt() async throws {
        let api = BotAPIRecorder()
        api.fail(SendMessage.self, with: TelegramAPIError(method: "sendMessage", errorCode: 429, description: "Too Many Requests: retry after 1", retryAfter: 1), times: 2)
        api.fail(SendMessage.self, with: TelegramAPIError(method: "sendMessage", errorCode: 500, description: "Internal Server Error"), times: 1)
        let bot = Bot(api: api, username: "TestBot")
        bot.on(.text) { ctx, text in try await ctx.reply("You said: \(text)") }
        let queue = try await makeQueue(ledger: true)
        // Received a third time when it fails: were the 429s attempts, that failure would be its last.
        let consumer = ConsumerFunction(
            processor: UpdateProcessor(bot: bot, policy: .init(maximumAttempts: 2, retryDelay: { _ in .zero })), queue: queue
        )
        _ = try await queue.enqueue([QueuedUpdate(updateID: 1, groupID: "chat:1", body: Array(textUpdate(updateID: 1, chatID: 1, text: "hi").utf8))])

        // Each 429 hides the update for retry_after (1 s); bounded at 20 rounds of at most 0.3 s each.
        for _ in 0..<20 where api.sentMessages.isEmpty {
            let messages = try await receiveAll(queue)
            if messages.isEmpty {
                try await Task.sleep(for: .milliseconds(300))
                continue
            }
            let batch = Batch(event: Self.event(messages))
            try await deleteHandled(batch, except: try await consumer.handle(batch.event), from: queue)
        }

        #expect(api.sentMessages.map(\.text) == ["You said: hi"])
        #expect(api.sentTexts.count == 4)
        #expect(try await receiveAll(from: try #require(queue.deadLetterQueueURL)).isEmpty)
    }

    // MARK: Consumer: deadline

    @Test("no record starts that the time left cannot fit, what runs into the reserve is cut off, and all of it goes back unattempted")
    func deadline() async throws {
        let ran = Locked<[String]>([])
        let bot = Bot(api: BotAPIRecorder(), username: "TestBot")
        bot.on(.text) { _, text in
            ran.withLock { $0.append(text) }
            if text.hasPrefix("long") || text.hasPrefix("late") { try await Task.sleep(for: .milliseconds(2500)) }
            if text.hasPrefix("late") { throw PoisonError() }
            if text.hasPrefix("stuck") { try await Task.sleep(for: .seconds(30)) }
        }
        let queue = try await makeQueue(ledger: true)
        let consumer = ConsumerFunction(
            processor: UpdateProcessor(bot: bot, policy: .init(maximumAttempts: 2, retryDelay: { _ in .zero })), queue: queue,
            configuration: .init(reserve: .seconds(4))
        )
        _ = try await queue.enqueue([(1, 1, "long 1"), (2, 2, "stuck 2"), (3, 1, "late 3"), (4, 2, "after 4")].map {
            QueuedUpdate(updateID: $0.0, groupID: "chat:\($0.1)", body: Array(textUpdate(updateID: $0.0, chatID: $0.1, text: $0.2).utf8))
        })
        let batch = try await receiveBatch(queue, expecting: 4)

        let started = ContinuousClock.now
        let response = try await consumer.handle(batch.event, until: started + .seconds(8))

        // Not held up by `stuck 2`'s 30 s: it was cut off when the reserve began, 4 s in. Settling the records
        // on a busy machine's moto has taken more than 11 s in CI, so the bound only tells "cut off" from
        // "waited the 30 s out".
        #expect(ContinuousClock.now - started < .seconds(25))
        // `long 1` took 2.5 s; at 2.5 s, another 2.5 s would end past 4 s (the deadline less the reserve), so
        // `late 3` did not start. `after 4`, behind the cut-off `stuck 2`, never ran.
        #expect(ran.value.sorted() == ["long 1", "stuck 2"])
        #expect(Set(response.batchItemFailures.map(\.itemIdentifier)) == Set([2, 3, 4].map { batch.id($0) }))
        // None of that used an attempt: all three are handed out again at once. Received a second time, `late 3`
        // fails on what is its first attempt of two, so it is retried rather than dead-lettered.
        try await deleteHandled(batch, except: response, from: queue)
        let again = try await receiveAll(queue)
        #expect(Set(again.compactMap(\.messageDeduplicationID)) == ["2", "3", "4"])
        let late = Batch(event: Self.event(again.filter { $0.messageDeduplicationID == "3" }))
        #expect(try await consumer.handle(late.event).batchItemFailures.map(\.itemIdentifier) == [late.id(3)])
        #expect(try await receiveAll(from: try #require(queue.deadLetterQueueURL)).isEmpty)
    }

    @Test("a flood-control wait longer than the time left releases the record for retry_after instead of waiting it out")
    func floodWaitPastDeadline() async throws {
        try await FakeHTTPServer.withServer(respond: { _, _ in
            .json(#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 300","parameters":{"retry_after":300}}"#, status: .tooManyRequests)
        }) { server in
            let client = TelegramClient(token: "123456:test-token", configuration: .init(baseURL: server.baseURL), httpClient: .shared)
            let bot = Bot(api: client, username: "TestBot")
            bot.on(.text) { ctx, text in try await ctx.reply("You said: \(text)") }
            let queue = try await makeQueue(ledger: true)
            let consumer = ConsumerFunction(processor: UpdateProcessor(bot: bot, policy: .init(maximumAttempts: 1)), queue: queue)
            _ = try await queue.enqueue([QueuedUpdate(updateID: 1, groupID: "chat:1", body: Array(textUpdate(updateID: 1, chatID: 1, text: "hi").utf8))])
            let batch = try await receiveBatch(queue, expecting: 1)

            let started = ContinuousClock.now
            // 30 s: the 429 must come back before the reserve begins, or the record is cut off and handed out
            // again at once (which is right, and what a loaded machine once made of a 4 s deadline).
            let response = try await consumer.handle(batch.event, until: started + .seconds(30))

            // retry_after is long enough that the record is still hidden when the checks below run on a loaded machine.
            #expect(ContinuousClock.now - started < .seconds(60), "the 300 s wait was not slept")
            #expect(server.requests.count == 1)
            #expect(response.batchItemFailures.map(\.itemIdentifier) == [batch.id(1)])
            // Hidden for retry_after: not visible again at once, and not dead-lettered with its one attempt.
            #expect(try await sqs.receiveMessages(from: queue.queueURL, waitTimeSeconds: 0).isEmpty)
            #expect(try await receiveAll(from: try #require(queue.deadLetterQueueURL)).isEmpty)
        }
    }

    // MARK: Consumer: albums

    @Test("an album's items in a batch: the album handler runs before the invocation answers, not when Lambda thaws the process")
    func albumHandedOverBeforeAnswering() async throws {
        let albums = Locked<[String]>([])
        let bot = Bot(api: BotAPIRecorder(), username: "TestBot")
        // A quiet period no gap between the items comes near, even on a loaded machine: the album is one call.
        bot.album(store: InMemorySessionStore(), quiet: .seconds(5)) { _, album in
            albums.withLock { $0.append(album.photos.map(\.fileID).joined(separator: ",")) }
        }
        let consumer = ConsumerFunction(processor: UpdateProcessor(bot: bot), queue: try await makeQueue())
        let messages = (1...3).map { id in
            SQSMessage(
                messageID: "m-\(id)", receiptHandle: "r-\(id)",
                body: #"{"update_id":\#(id),"message":{"message_id":\#(id),"date":1700000000,"chat":{"id":5,"type":"private"},"media_group_id":"g","photo":[{"file_id":"p\#(id)","file_unique_id":"u\#(id)","width":800,"height":600}]}}"#,
                attributes: ["ApproximateReceiveCount": "1", "MessageGroupId": "chat:5", "MessageDeduplicationId": "\(id)"]
            )
        }
        let response = try await consumer.handle(Self.event(messages))

        #expect(response.batchItemFailures.isEmpty)
        #expect(albums.value == ["p1,p2,p3"])
    }

    // MARK: Consumer helpers

    /// Counts how many run at once.
    final class Gauge: Sendable {
        private let state = Mutex((now: 0, most: 0))
        func enter() { state.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func leave() { state.withLock { $0.now -= 1 } }
        var current: Int { state.withLock { $0.now } }
        var most: Int { state.withLock { $0.most } }
    }

    /// Returns once `condition` holds, or after `limit`: checked every 5 ms.
    static func waitUntil(within limit: Duration = .seconds(5), _ condition: () -> Bool) async {
        let deadline = ContinuousClock.now + limit
        while !condition(), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    /// A Bot API on 127.0.0.1 that counts the calls in flight.
    final class SlowBotAPI: Sendable {
        let gauge = Gauge()
        private let requests = Mutex(0)
        var requestCount: Int { requests.withLock { $0 } }
        var mostInFlight: Int { gauge.most }

        func respond(latency: Duration, holdingUntil inFlight: Int) async throws -> ScriptedReply {
            requests.withLock { $0 += 1 }
            gauge.enter()
            defer { gauge.leave() }
            await LambdaFunctionTests.waitUntil { gauge.current >= inFlight }
            try await Task.sleep(for: latency)
            return .json(#"{"ok":true,"result":{"message_id":1,"date":1700000000,"chat":{"id":1,"type":"private"},"text":"ok"}}"#)
        }
    }

    /// A Bot API that holds each call until `inFlight` calls are in flight (at most 5 s), then answers after `latency`.
    func withSlowBotAPI(latency: Duration, holdingUntil inFlight: Int, _ body: (SlowBotAPI, TelegramClient) async throws -> Void) async throws {
        let api = SlowBotAPI()
        try await FakeHTTPServer.withServer(respond: { _, _ in try await api.respond(latency: latency, holdingUntil: inFlight) }) { server in
            // A pool of its own: the shared client opens at most eight connections to one host.
            let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: TelegramClient.httpClientConfiguration())
            let client = TelegramClient(token: "123456:test-token", configuration: .init(baseURL: server.baseURL), httpClient: httpClient)
            do {
                try await body(api, client)
            } catch {
                try await httpClient.shutdown()
                throw error
            }
            try await httpClient.shutdown()
        }
    }

    /// An event of records that were never received (fake receipts): fine while nothing fails.
    static func event(_ updates: [(updateID: Int, chatID: Int, text: String)]) -> SQSEvent {
        event(updates.map { update in
            SQSMessage(
                messageID: "m-\(update.updateID)", receiptHandle: "r-\(update.updateID)",
                body: textUpdate(updateID: update.updateID, chatID: update.chatID, text: update.text),
                attributes: ["ApproximateReceiveCount": "1", "MessageGroupId": "chat:\(update.chatID)", "MessageDeduplicationId": "\(update.updateID)"]
            )
        })
    }

    static func event(_ messages: [SQSMessage]) -> SQSEvent {
        SQSEvent(records: messages.map { SQSEvent.Record(message: $0, eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:updates.fifo", awsRegion: "us-east-1") })
    }

    /// Every message visible now on the main queue, left in flight (at most 5 receives of up to 10).
    func receiveAll(_ queue: SQSUpdateQueue) async throws -> [SQSMessage] {
        var messages: [SQSMessage] = []
        for _ in 0..<5 {
            let batch = try await sqs.receiveMessages(from: queue.queueURL, waitTimeSeconds: 0, visibilityTimeoutSeconds: 30)
            if batch.isEmpty { break }
            messages += batch
        }
        return messages
    }

    /// Every message visible now on `queueURL`, deleted (at most 5 receives of up to 10).
    func receiveAll(from queueURL: String) async throws -> [SQSMessage] {
        var messages: [SQSMessage] = []
        for _ in 0..<5 {
            let batch = try await sqs.receiveMessages(from: queueURL, waitTimeSeconds: 0)
            if batch.isEmpty { break }
            try await sqs.deleteMessageBatch(batch.map { ($0.messageID, $0.receiptHandle) }, from: queueURL)
            messages += batch
        }
        return messages
    }
}
