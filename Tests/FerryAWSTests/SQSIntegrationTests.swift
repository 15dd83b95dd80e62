import AsyncHTTPClient
import Foundation
import FerryTestSupport
import Testing

@testable import AWSClients
@testable import FerryAWS

/// The SQS client against a real `moto_server` on 127.0.0.1.
@Suite(
    "SQS against moto",
    .needs(.moto),
    .motoServer
)
struct SQSIntegrationTests {
    let sqs: SQSClient

    init() throws {
        let server = try #require(MotoServer.current)
        sqs = SQSClient(configuration: server.configuration, httpClient: .shared)
    }

    func makeFIFOQueue(_ attributes: [String: String] = [:]) async throws -> String {
        try await sqs.createQueue(
            named: "updates-\(UUID().uuidString.prefix(8)).fifo",
            attributes: ["FifoQueue": "true", "VisibilityTimeout": "30"].merging(attributes) { _, new in new }
        )
    }

    @Test("FIFO: each group's messages arrive in order, a repeated deduplication id is dropped, deletes stick")
    func fifoOrderDedupAndDelete() async throws {
        let queue = try await makeFIFOQueue()
        let sent = try await sqs.sendMessageBatch(
            [
                ("1", SQSOutgoingMessage(body: "a1", groupID: "chat:1", deduplicationID: "u1", attributes: ["kind": .string("message")])),
                ("2", SQSOutgoingMessage(body: "b1", groupID: "chat:2", deduplicationID: "u2")),
                ("3", SQSOutgoingMessage(body: "a2", groupID: "chat:1", deduplicationID: "u3")),
                ("4", SQSOutgoingMessage(body: "b2", groupID: "chat:2", deduplicationID: "u4")),
                ("5", SQSOutgoingMessage(body: "a3", groupID: "chat:1", deduplicationID: "u5")),
            ],
            to: queue
        )
        #expect(sent.failed.isEmpty)
        #expect(Set(sent.successful.keys) == ["1", "2", "3", "4", "5"])
        #expect(sent.successful.values.allSatisfy { $0.sequenceNumber != nil })

        // Telegram redelivering update u3: same deduplication id, so SQS must not enqueue it again.
        // SQS accepts the send and drops the message.
        try await sqs.sendMessage(SQSOutgoingMessage(body: "a2 again", groupID: "chat:1", deduplicationID: "u3"), to: queue)

        var received: [SQSMessage] = []
        for _ in 0..<10 where received.count < 5 {
            let batch = try await sqs.receiveMessages(from: queue, waitTimeSeconds: 0)
            received += batch
            guard !batch.isEmpty else { continue }
            let failures = try await sqs.deleteMessageBatch(batch.map { ($0.messageID, $0.receiptHandle) }, from: queue)
            #expect(failures.isEmpty)
        }

        #expect(received.filter { $0.messageGroupID == "chat:1" }.map(\.body) == ["a1", "a2", "a3"])
        #expect(received.filter { $0.messageGroupID == "chat:2" }.map(\.body) == ["b1", "b2"])
        #expect(received.count == 5)

        let first = try #require(received.first { $0.body == "a1" })
        #expect(first.approximateReceiveCount == 1)
        #expect(first.messageDeduplicationID == "u1")
        #expect(first.sequenceNumber == sent.successful["1"]?.sequenceNumber)
        #expect(first.sentTimestamp != nil)
        #expect(first.messageAttributes == ["kind": .string("message")])

        #expect(try await sqs.receiveMessages(from: queue, waitTimeSeconds: 0).isEmpty)
        let attributes = try await sqs.queueAttributes(of: queue, names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        #expect(attributes["ApproximateNumberOfMessages"] == "0")
        #expect(attributes["ApproximateNumberOfMessagesNotVisible"] == "0")
    }

    @Test("a received message stays hidden for its visibility timeout until its visibility is changed")
    func visibility() async throws {
        let queue = try await makeFIFOQueue()
        try await sqs.sendMessage(
            SQSOutgoingMessage(body: #"{"update_id":7}"#, groupID: "chat:7", deduplicationID: "7", attributes: ["attempt": .number(1), "blob": .binary([1, 2, 3])]),
            to: queue
        )

        let first = try #require(try await sqs.receiveMessages(from: queue, maxMessages: 1, waitTimeSeconds: 0, visibilityTimeoutSeconds: 60).first)
        #expect(first.approximateReceiveCount == 1)
        #expect(first.messageGroupID == "chat:7")
        #expect(first.messageAttributes["attempt"] == .number(1))
        #expect(first.messageAttributes["blob"] == .binary([1, 2, 3]))
        #expect(try await sqs.receiveMessages(from: queue, waitTimeSeconds: 0).isEmpty, "in flight: hidden from other receivers")

        try await sqs.changeMessageVisibility(receiptHandle: first.receiptHandle, visibilityTimeoutSeconds: 0, in: queue)
        let second = try #require(try await sqs.receiveMessages(from: queue, waitTimeSeconds: 0).first)
        #expect(second.messageID == first.messageID)
        #expect(second.approximateReceiveCount == 2)

        try await sqs.deleteMessage(receiptHandle: second.receiptHandle, from: queue)
        #expect(try await sqs.receiveMessages(from: queue, waitTimeSeconds: 0).isEmpty)
    }

    @Test("queue attributes round-trip, and a queue can be found by name")
    func attributes() async throws {
        let queue = try await makeFIFOQueue(["VisibilityTimeout": "45", "ContentBasedDeduplication": "true", "MessageRetentionPeriod": "86400"])
        let attributes = try await sqs.queueAttributes(of: queue)
        #expect(attributes["FifoQueue"] == "true")
        #expect(attributes["VisibilityTimeout"] == "45")
        #expect(attributes["ContentBasedDeduplication"] == "true")
        #expect(attributes["MessageRetentionPeriod"] == "86400")
        #expect(attributes["QueueArn"]?.hasPrefix("arn:aws:sqs:us-east-1:") == true)

        let name = try #require(queue.split(separator: "/").last)
        #expect(try await sqs.queueURL(named: String(name)) == queue)

        // Content-based deduplication: the same body twice in five minutes is one message.
        try await sqs.sendMessage(SQSOutgoingMessage(body: "same", groupID: "g"), to: queue)
        try await sqs.sendMessage(SQSOutgoingMessage(body: "same", groupID: "g"), to: queue)
        let count = try await sqs.queueAttributes(of: queue, names: ["ApproximateNumberOfMessages"])
        #expect(count["ApproximateNumberOfMessages"] == "1")
    }

    @Test("calling a queue that does not exist fails with QueueDoesNotExist")
    func missingQueue() async throws {
        let server = try #require(MotoServer.current)
        let missing = "\(server.endpoint.url)123456789012/no-such-queue.fifo"
        let error = await #expect(throws: AWSServiceError.self) {
            try await sqs.sendMessage(SQSOutgoingMessage(body: "x", groupID: "g", deduplicationID: "d"), to: missing)
        }
        #expect(error?.code == "QueueDoesNotExist")
        #expect(error?.statusCode == 400)
        #expect(error?.operation == "AmazonSQS.SendMessage")
        await #expect(throws: AWSServiceError.self) { _ = try await sqs.queueURL(named: "no-such-queue") }
    }
}

/// The SSM client against a real `moto_server` on 127.0.0.1.
@Suite(
    "SSM against moto",
    .needs(.moto),
    .motoServer
)
struct SSMIntegrationTests {
    @Test("a SecureString parameter round-trips, decrypted only when asked")
    func secureStringRoundTrip() async throws {
        let server = try #require(MotoServer.current)
        let ssm = SSMClient(configuration: server.configuration, httpClient: .shared)
        let name = "/ferry/test/bot-token-\(UUID().uuidString.prefix(8))"
        let token = "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11"

        #expect(try await ssm.putParameter(named: name, value: token) == 1)
        let decrypted = try await ssm.parameter(named: name)
        #expect(decrypted.name == name)
        #expect(decrypted.type == "SecureString")
        #expect(decrypted.value == token)
        #expect(decrypted.version == 1)

        let encrypted = try await ssm.parameter(named: name, withDecryption: false)
        #expect(encrypted.value != token)

        #expect(try await ssm.putParameter(named: name, value: "new", overwrite: true) == 2)
        #expect(try await ssm.parameter(named: name).value == "new")

        let missing = await #expect(throws: AWSServiceError.self) { _ = try await ssm.parameter(named: "/ferry/test/missing") }
        #expect(missing?.code == "ParameterNotFound")
    }
}
