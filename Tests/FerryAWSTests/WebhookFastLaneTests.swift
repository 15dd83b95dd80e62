import Ferry
import FerryRuntime
import FerryTesting
import Foundation
import NIOCore
import Synchronization
import TelegramBotAPI
import FerryTestSupport
import Testing

@testable import AWSClients
@testable import FerryAWS

/// The webhook function's fast lane: a real function URL event (`../shared/aws/lambda-events`)
/// carrying a real `pre_checkout_query` (`../shared/telegram/updates`), a recording Bot API, and the
/// queue in a real `moto_server`.
@Suite(
    "Webhook fast lane",
    .needs(.moto),
    .motoServer
)
struct WebhookFastLaneTests {
    let sqs: SQSClient

    init() throws {
        sqs = SQSClient(configuration: try #require(MotoServer.current).configuration, httpClient: .shared)
    }

    @Test("a pre_checkout_query is answered inside the invocation and never queued")
    func answeredInPlace() async throws {
        let (function, queue, api) = try await makeFunction { bot in
            bot.on(.preCheckoutQuery) { ctx, query in
                try await ctx.answerPreCheckoutQuery(ok: query.invoicePayload == "HAPPY FRIDAYS COUPON")
            }
        }
        let response = await function.handle(try event(body: try preCheckoutQuery(), secret: "s3cret"))
        #expect(response.statusCode == 200)
        let answers = try api.calls(of: AnswerPreCheckoutQuery.self)
        #expect(answers.map(\.preCheckoutQueryID) == ["262181558630368727"])
        #expect(answers.first?.ok == true)
        #expect(try await queued(queue).isEmpty)
    }

    @Test("other updates are queued as usual and not run here; the secret is checked first")
    func otherUpdatesQueued() async throws {
        let ran = Mutex(0)
        let (function, queue, api) = try await makeFunction { bot in
            bot.use { _, next in
                ran.withLock { $0 += 1 }
                try await next()
            }
        }
        #expect(await function.handle(try event(body: textUpdate(updateID: 5, chatID: 9, text: "hi"), secret: "s3cret")).statusCode == 200)
        #expect(await function.handle(try event(body: try preCheckoutQuery(), secret: "wrong")).statusCode == 401)
        #expect(ran.withLock { $0 } == 0)
        #expect(api.calls.isEmpty)
        #expect(try await queued(queue).map(\.messageDeduplicationID) == ["5"])
    }

    @Test("a failing or too slow handler leaves the update to the queue, with its group and update_id")
    func fallsBackToTheQueue() async throws {
        let failing = try await makeFunction { bot in
            bot.on(.preCheckoutQuery) { _, _ in throw Declined() }
        }
        #expect(await failing.function.handle(try event(body: try preCheckoutQuery(), secret: "s3cret")).statusCode == 200)
        let message = try #require(try await queued(failing.queue).first)
        #expect(message.body == (try preCheckoutQuery()))
        #expect(message.messageGroupID == "user:12345678")
        #expect(message.messageDeduplicationID == "900023")

        let cancelled = Mutex(false)
        let slow = try await makeFunction(timeLimit: .milliseconds(100)) { bot in
            bot.on(.preCheckoutQuery) { _, _ in
                do {
                    try await Task.sleep(for: .seconds(60))
                } catch {
                    cancelled.withLock { $0 = true }
                    throw error
                }
            }
        }
        #expect(await slow.function.handle(try event(body: try preCheckoutQuery(), secret: "s3cret")).statusCode == 200)
        #expect(cancelled.withLock { $0 }, "the handler was cancelled, not left running")
        #expect(try await queued(slow.queue).map(\.messageDeduplicationID) == ["900023"])
    }

    @Test("without a fast lane a pre_checkout_query is queued")
    func offByDefault() async throws {
        let queue = try await makeQueue()
        let function = WebhookFunction(queue: queue, secretToken: "s3cret")
        #expect(await function.handle(try event(body: try preCheckoutQuery(), secret: "s3cret")).statusCode == 200)
        #expect(try await queued(queue).map(\.messageGroupID) == ["user:12345678"])
    }

    // MARK: Helpers

    struct Declined: Error {}

    func makeFunction(
        // Far above what a handler that answers at once needs on a loaded machine.
        timeLimit: Duration = .seconds(30), _ configure: (Bot) -> Void
    ) async throws -> (function: WebhookFunction, queue: SQSUpdateQueue, api: BotAPIRecorder) {
        let api = BotAPIRecorder()
        let bot = Bot(api: api, username: "TestBot")
        configure(bot)
        let queue = try await makeQueue()
        let fastLane = WebhookFastLane(processor: UpdateProcessor(bot: bot), timeLimit: timeLimit)
        return (WebhookFunction(queue: queue, secretToken: "s3cret", fastLane: fastLane), queue, api)
    }

    func makeQueue() async throws -> SQSUpdateQueue {
        let url = try await sqs.createQueue(named: "fast-\(UUID().uuidString.prefix(8)).fifo", attributes: ["FifoQueue": "true"])
        return SQSUpdateQueue(sqs: sqs, queueURL: url, deadLetterQueueURL: nil)
    }

    func queued(_ queue: SQSUpdateQueue) async throws -> [SQSMessage] {
        try await sqs.receiveMessages(from: queue.queueURL, waitTimeSeconds: 0)
    }

    func preCheckoutQuery() throws -> String {
        let url = SharedData.updatesDirectory.appendingPathComponent("70-pre-checkout-query.json")
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// The function URL sample event with Telegram's request in it: its body and secret header.
    func event(body: String, secret: String) throws -> FunctionURLRequest {
        var request = try LambdaJSON.decode(
            FunctionURLRequest.self, from: ByteBuffer(bytes: try SharedData.lambdaEvent("05-function-url-post-json-body.aws-lambda-go.json"))
        )
        request.body = body
        request.isBase64Encoded = false
        request.headers[WebhookIngress.secretHeaderName.lowercased()] = secret
        return request
    }
}
