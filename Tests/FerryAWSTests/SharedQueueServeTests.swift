import AsyncHTTPClient
import FerryTestSupport
import Foundation
import NIOCore
import Testing

@testable import AWSClients
@testable import FerryAWS

/// `EchoBot serve --queue sqs`: the built binary's local host over an SQS FIFO queue in a real
/// `moto_server`, replying through a fake Bot API on 127.0.0.1.
@Suite(
    "serve on SQS",
    .needs(.moto),
    .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.url.path), "EchoBot is not built next to the tests"),
    .motoServer
)
struct SharedQueueServeTests {
    @Test("updates from its own webhook and from another machine's ingress are answered, each chat in order; SIGTERM stops it cleanly")
    func servesFromSQS() async throws {
        let server = try #require(MotoServer.current)
        let sqs = SQSClient(configuration: server.configuration, httpClient: .shared)
        let name = "serve-\(UUID().uuidString.prefix(8))"
        let attributes = ["FifoQueue": "true", "VisibilityTimeout": "30"]
        let deadLetterQueueURL = try await sqs.createQueue(named: "\(name)-dlq.fifo", attributes: attributes)
        let queueURL = try await sqs.createQueue(named: "\(name).fifo", attributes: attributes)
        let otherMachine = SQSUpdateQueue(sqs: sqs, queueURL: queueURL, deadLetterQueueURL: nil)
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-serve-sqs-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dataDirectory) }

        // The Bot API answers each reply after a random few milliseconds, so replies sent out of
        // order would arrive out of order.
        try await FakeHTTPServer.withServer(respond: { _, request in
            if request.path.hasSuffix("/getMe") {
                return .json(#"{"ok":true,"result":{"id":123,"is_bot":true,"first_name":"Echo","username":"EchoTestBot"}}"#)
            }
            guard request.path.hasSuffix("/sendMessage") else { return .json(#"{"ok":false,"error_code":404,"description":"Not Found"}"#, status: .notFound) }
            var reply = ScriptedReply.json(#"{"ok":true,"result":{"message_id":1,"date":1700000000,"chat":{"id":1,"type":"private"},"text":"ok"}}"#)
            reply.delay = .milliseconds(Int.random(in: 0...20))
            return reply
        }) { telegram in
            // Port 0, read back from its "listening" line; its output is read while it runs.
            let bot = try BotProcess.start(
                [
                    "serve", "--queue", "sqs", "--queue-url", queueURL, "--dead-letter-queue-url", deadLetterQueueURL,
                    "--data-dir", dataDirectory.path, "--port", "0",
                ],
                environment: [
                    "TELEGRAM_BOT_TOKEN": "123:serve-sqs-token", "TELEGRAM_API_URL": telegram.baseURL,
                    "TELEGRAM_WEBHOOK_SECRET": "s3cret",
                    "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIAFERRYTEST", "AWS_SECRET_ACCESS_KEY": "ferry-test-secret",
                    "AWS_ENDPOINT_URL": server.endpoint.url,
                ]
            )
            try await bot.stoppedOnFailure {
                let port = try await bot.waitForPort()

                // Three chats, five messages each, interleaved; even ones through this host's webhook,
                // odd ones straight into the queue as another machine's ingress would put them.
                var updateID = 1000
                for step in 1...5 {
                    for chat in [11, 22, 33] {
                        updateID += 1
                        let body = textUpdate(updateID: updateID, chatID: chat, text: "m\(step)")
                        if updateID.isMultiple(of: 2) {
                            #expect(try await postWebhook(body, port: port, secret: "s3cret") == 200)
                        } else {
                            _ = try await otherMachine.enqueue([.init(updateID: updateID, groupID: "chat:\(chat)", body: Array(body.utf8))])
                        }
                    }
                }
                #expect(try await postWebhook(textUpdate(updateID: 1, chatID: 11, text: "x"), port: port, secret: "wrong") == 401)

                var replies: [(chat: Int, text: String)] = []
                for _ in 0..<300 {
                    replies = try telegram.requests.filter { $0.path.hasSuffix("/sendMessage") }.map(Self.reply(in:))
                    if replies.count >= 15 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(replies.count == 15, "\(replies)")
                for chat in [11, 22, 33] {
                    #expect(replies.filter { $0.chat == chat }.map(\.text) == (1...5).map { "You said: m\($0)" }, "chat \(chat)")
                }
                #expect(telegram.requests.allSatisfy { $0.path.hasPrefix("/bot123:serve-sqs-token/") })

                #expect(try await bot.stop() == 0, "\(bot.log)")
                #expect(!bot.log.contains("serve-sqs-token"), "the token is never logged")
            }
        }
        #expect(try await sqs.receiveMessages(from: queueURL, waitTimeSeconds: 0).isEmpty, "every update was acknowledged")
        #expect(try await sqs.receiveMessages(from: deadLetterQueueURL, waitTimeSeconds: 0).isEmpty)
    }

    @Test("--queue sqs without a FIFO queue URL is refused before anything starts")
    func validation() async throws {
        let missing = try await EchoBotProcess.run(["serve", "--queue", "sqs", "--data-dir", "/tmp/unused"], environment: [:])
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("--queue-url"))
        let strayURL = try await EchoBotProcess.run(["serve", "--queue-url", "http://q/x.fifo", "--data-dir", "/tmp/unused"], environment: [:])
        #expect(strayURL.status != 0)
        #expect(strayURL.standardError.contains("go with --queue sqs"))
    }

    // MARK: Helpers

    static func reply(in request: ReceivedRequest) throws -> (chat: Int, text: String) {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
        return (try #require(object["chat_id"] as? Int), try #require(object["text"] as? String))
    }

    func postWebhook(_ body: String, port: Int, secret: String) async throws -> UInt {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhook")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Telegram-Bot-Api-Secret-Token", value: secret)
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 64 * 1024)
        return response.status.code
    }
}
