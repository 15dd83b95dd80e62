import Foundation
import Testing

@testable import AWSClients
@testable import FerryAWS
import FerryTestSupport

/// The Lambda roles' optional features, switched on by environment as the template does.
extension LambdaBinaryTests {
    @Test("_HANDLER=webhook with FERRY_FAST_LANE=on: a pre_checkout_query is handled in the invocation, a message is queued")
    func webhookFastLane() async throws {
        let server = try #require(MotoServer.current)
        let sqs = SQSClient(configuration: server.configuration, httpClient: .shared)
        let queueURL = try await sqs.createQueue(named: "bin-fast-\(UUID().uuidString.prefix(8)).fifo", attributes: ["FifoQueue": "true"])
        let preCheckout = #"{"update_id":900023,"pre_checkout_query":{"id":"q1","from":{"id":5,"is_bot":false,"first_name":"U"},"currency":"USD","total_amount":100,"invoice_payload":"p"}}"#
        let message = textUpdate(updateID: 900024, chatID: 5, text: "hello")

        let (requests, exit) = try await runFunction(
            events: [("checkout", try functionURLEvent(body: preCheckout, secret: "s3cret")), ("text", try functionURLEvent(body: message, secret: "s3cret"))],
            environment: [
                "_HANDLER": "webhook", "QUEUE_URL": queueURL, "TELEGRAM_WEBHOOK_SECRET": "s3cret", "FERRY_FAST_LANE": "on",
                "TELEGRAM_BOT_TOKEN": "123:fast-lane-token",
            ].merging(awsEnvironment(server)) { $1 }
        )
        for id in ["checkout", "text"] {
            let response = try #require(requests.first { $0.path == "/2018-06-01/runtime/invocation/\(id)/response" }, "\(exit.output)")
            #expect((try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])?["statusCode"] as? Int == 200)
        }
        #expect(try await sqs.receiveMessages(from: queueURL, waitTimeSeconds: 0).map(\.messageDeduplicationID) == ["900024"])
        #expect(!exit.output.contains("fast-lane-token"))
    }

    @Test("FERRY_FAST_LANE naming no update kind is an init error that names it")
    func webhookFastLaneMisspelt() async throws {
        let server = try #require(MotoServer.current)
        let (requests, exit) = try await runFunction(events: [], environment: [
            "_HANDLER": "webhook", "QUEUE_URL": "http://127.0.0.1:1/000000000000/q.fifo", "FERRY_FAST_LANE": "checkout",
            "TELEGRAM_BOT_TOKEN": "123:x",
        ].merging(awsEnvironment(server)) { $1 })
        let report = try #require(requests.first { $0.path == "/2018-06-01/runtime/init/error" }, "\(exit.output)")
        #expect(String(decoding: report.body, as: UTF8.self).contains("FERRY_FAST_LANE names"))
    }

    @Test("FERRY_CONSUMER_CONCURRENCY outside 1 to 10 is an init error that names it and the range")
    func consumerConcurrencyOutOfRange() async throws {
        let server = try #require(MotoServer.current)
        let (requests, exit) = try await runFunction(events: [], environment: [
            "_HANDLER": "consumer", "QUEUE_URL": "http://127.0.0.1:1/000000000000/q.fifo",
            "DEAD_LETTER_QUEUE_URL": "http://127.0.0.1:1/000000000000/dlq.fifo", "FERRY_CONSUMER_CONCURRENCY": "11",
            "TELEGRAM_BOT_TOKEN": "123:x",
        ].merging(awsEnvironment(server)) { $1 })
        let report = try #require(requests.first { $0.path == "/2018-06-01/runtime/init/error" }, "\(exit.output)")
        let text = String(decoding: report.body, as: UTF8.self)
        // The message travels as JSON, its quotes escaped.
        #expect(text.contains(#"FERRY_CONSUMER_CONCURRENCY is \"11\""#) && text.contains("from 1 to 10"), "\(text)")
    }

    @Test(
        "_HANDLER=consumer with SESSIONS_TABLE and FERRY_IDEMPOTENCY=on: a session outlives its execution environment, a redelivery is skipped",
        .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.showcaseURL.path), "ShowcaseBot is not built next to the tests")
    )
    func consumerSessionsAndIdempotency() async throws {
        let server = try #require(MotoServer.current)
        let dynamoDB = DynamoDBClient(configuration: server.configuration, httpClient: .shared)
        let table = "bin-sessions-\(UUID().uuidString.prefix(8))"
        try await dynamoDB.createTable(named: table, partitionKey: "key")
        let environment = [
            "_HANDLER": "consumer", "QUEUE_URL": "http://127.0.0.1:1/000000000000/updates.fifo",
            "DEAD_LETTER_QUEUE_URL": "http://127.0.0.1:1/000000000000/updates-dlq.fifo", "TELEGRAM_BOT_TOKEN": "123:sessions-token",
            "SESSIONS_TABLE": table, "FERRY_IDEMPOTENCY": "on",
        ].merging(awsEnvironment(server)) { $1 }
        let botAPI: @Sendable (ReceivedRequest) -> ScriptedReply = { request in
            if request.path.hasSuffix("/answerCallbackQuery") { return .json(#"{"ok":true,"result":true}"#) }
            return .json(#"{"ok":true,"result":{"message_id":1,"date":1700000000,"chat":{"id":77,"type":"private"},"text":"Count"}}"#)
        }

        // Two cold starts: the second sees what the first saved, and skips the first's update delivered again.
        let (_, first) = try await runFunction(
            events: [("one", try incrementBatch(updateID: 41))], environment: environment, executable: EchoBotBinary.showcaseURL, otherwise: botAPI
        )
        let (requests, second) = try await runFunction(
            events: [("two", try incrementBatch(updateID: 42)), ("again", try incrementBatch(updateID: 41))],
            environment: environment, executable: EchoBotBinary.showcaseURL, otherwise: botAPI
        )
        let item = try #require(try await dynamoDB.getItem(from: table, key: ["key": .string("77")], consistentRead: true), "\(first.output)\n\(second.output)")
        #expect(item["value"]?.binaryValue.map { String(decoding: $0, as: UTF8.self) } == #"{"count":2}"#)
        #expect(requests.filter { $0.path.hasSuffix("/editMessageText") }.count == 1, "the redelivery sent nothing")
        #expect(try await dynamoDB.getItem(from: table, key: ["key": .string("ferry:handled-update:41")]) != nil)
    }

    /// One SQS record carrying a press of the showcase counter's +1 button in chat 77.
    func incrementBatch(updateID: Int) throws -> String {
        let update: [String: Any] = [
            "update_id": updateID,
            "callback_query": [
                "id": "cb\(updateID)", "chat_instance": "ci", "data": #"count:"increment""#,
                "from": ["id": 77, "is_bot": false, "first_name": "U"],
                "message": ["message_id": 1, "date": 1_700_000_000, "chat": ["id": 77, "type": "private"], "text": "Count: 0"],
            ],
        ]
        let body = String(decoding: try JSONSerialization.data(withJSONObject: update), as: UTF8.self)
        let record: [String: Any] = [
            "messageId": "m-\(updateID)-\(UUID().uuidString.prefix(4))", "receiptHandle": "r-\(updateID)", "body": body,
            "attributes": ["ApproximateReceiveCount": "1", "MessageGroupId": "chat:77", "MessageDeduplicationId": "\(updateID)"],
            "messageAttributes": [String: Any](), "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:updates.fifo", "awsRegion": "us-east-1",
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: ["Records": [record]]), as: UTF8.self)
    }
}
