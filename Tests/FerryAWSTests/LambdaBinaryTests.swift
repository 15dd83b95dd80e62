import FerryTestSupport
import Foundation
import Synchronization
import FerryTestSupport
import Testing

@testable import AWSClients
@testable import FerryAWS

enum EchoBotBinary {
    /// Built by `swift build`/`swift test` next to the test bundle.
    static let builtURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("EchoBot")
    /// The binary under test: the one built beside the tests, or the one `FERRY_TEST_ECHOBOT` names, so the
    /// deployable bootstrap itself (`.build-bootstrap/release/EchoBot`) can go through the same tests.
    static let url = ProcessInfo.processInfo.environment["FERRY_TEST_ECHOBOT"].map { URL(fileURLWithPath: $0) } ?? builtURL
    /// The example bot with sessions, built beside the tests.
    static let showcaseURL = builtURL.deletingLastPathComponent().appendingPathComponent("ShowcaseBot")
}

/// The built EchoBot binary started the way Lambda starts a custom runtime: `AWS_LAMBDA_RUNTIME_API`
/// points at a fake Runtime API on 127.0.0.1, `_HANDLER` names the role, SQS is moto.
@Suite(
    "EchoBot as a Lambda function",
    .needs(.moto),
    .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.url.path), "EchoBot is not built next to the tests"),
    .motoServer
)
struct LambdaBinaryTests {
    @Test("_HANDLER=webhook: a function URL request is checked, queued in SQS and answered 200")
    func webhookRole() async throws {
        let server = try #require(MotoServer.current)
        let sqs = SQSClient(configuration: server.configuration, httpClient: .shared)
        let queueURL = try await sqs.createQueue(named: "bin-\(UUID().uuidString.prefix(8)).fifo", attributes: ["FifoQueue": "true"])
        let update = textUpdate(updateID: 9001, chatID: 77, text: "hello")
        let events = [
            ("good", try functionURLEvent(body: update, secret: "s3cret")),
            ("bad-secret", try functionURLEvent(body: update, secret: "guess")),
        ]

        let (requests, exit) = try await runFunction(events: events, environment: [
            "_HANDLER": "webhook", "QUEUE_URL": queueURL, "TELEGRAM_WEBHOOK_SECRET": "s3cret",
        ] + awsEnvironment(server))

        #expect(exit.status == 1, "the process ends when the Runtime API fails, as Lambda expects: \(exit.output)")
        let good = try #require(requests.first { $0.path == "/2018-06-01/runtime/invocation/good/response" }, "\(exit.output)")
        let goodResponse = try JSONSerialization.jsonObject(with: Data(good.body)) as? [String: Any]
        #expect(goodResponse?["statusCode"] as? Int == 200)
        let bad = try #require(requests.first { $0.path == "/2018-06-01/runtime/invocation/bad-secret/response" })
        #expect((try JSONSerialization.jsonObject(with: Data(bad.body)) as? [String: Any])?["statusCode"] as? Int == 401)

        let messages = try await sqs.receiveMessages(from: queueURL, waitTimeSeconds: 0)
        #expect(messages.map(\.body) == [update])
        #expect(messages.first?.messageGroupID == "chat:77")
        #expect(messages.first?.messageDeduplicationID == "9001")
    }

    @Test("_HANDLER=consumer: the token comes from SSM, the update reaches the bot's handlers, the batch has no failures")
    func consumerRole() async throws {
        let server = try #require(MotoServer.current)
        let ssm = SSMClient(configuration: server.configuration, httpClient: .shared)
        let parameter = "/ferry/test-\(UUID().uuidString.prefix(8))/token"
        let token = "123456:ssm-token-\(UUID().uuidString.prefix(8))"
        _ = try await ssm.putParameter(named: parameter, value: token)
        let record: [String: Any] = [
            "messageId": "m-1", "receiptHandle": "r-1", "body": textUpdate(updateID: 31, chatID: 77, text: "hello"),
            "attributes": ["ApproximateReceiveCount": "1", "MessageGroupId": "chat:77", "MessageDeduplicationId": "31"],
            "messageAttributes": [String: Any](), "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:updates.fifo", "awsRegion": "us-east-1",
        ]
        let event = String(decoding: try JSONSerialization.data(withJSONObject: ["Records": [record]]), as: UTF8.self)

        let (requests, exit) = try await runFunction(
            events: [("batch", event)],
            environment: [
                "_HANDLER": "consumer", "QUEUE_URL": "http://127.0.0.1:1/000000000000/updates.fifo",
                "DEAD_LETTER_QUEUE_URL": "http://127.0.0.1:1/000000000000/updates-dlq.fifo", "TELEGRAM_BOT_TOKEN_PARAMETER": parameter,
            ] + awsEnvironment(server),
            otherwise: { request in
                guard request.path.hasSuffix("/sendMessage") else { return .json(#"{"ok":false,"error_code":404,"description":"Not Found"}"#, status: .notFound) }
                return .json(#"{"ok":true,"result":{"message_id":1,"date":1700000000,"chat":{"id":77,"type":"private"},"text":"You said: hello"}}"#)
            }
        )

        let send = try #require(requests.first { $0.path.hasSuffix("/sendMessage") }, "\(exit.output)")
        #expect(send.path == "/bot\(token)/sendMessage")
        #expect(String(decoding: send.body, as: UTF8.self).contains("You said: hello"))
        let response = try #require(requests.first { $0.path == "/2018-06-01/runtime/invocation/batch/response" })
        #expect(try JSONDecoder().decode(SQSBatchResponse.self, from: Data(response.body)) == SQSBatchResponse(batchItemFailures: []))
        #expect(exit.status == 1, "\(exit.output)")
        #expect(!exit.output.contains(token), "the token is never logged")
    }

    @Test("a missing setting is reported to Lambda as an init error that names it")
    func initError() async throws {
        let server = try #require(MotoServer.current)
        let (requests, exit) = try await runFunction(events: [], environment: ["_HANDLER": "consumer"] + awsEnvironment(server))
        #expect(exit.status == 1, "exits, not crashes: \(exit.output)")
        let report = try #require(requests.first { $0.path == "/2018-06-01/runtime/init/error" }, "\(exit.output)")
        #expect(String(decoding: report.body, as: UTF8.self).contains("QUEUE_URL is not set"))
        #expect(!requests.contains { $0.path.hasSuffix("/invocation/next") }, "no invocation is asked for after a failed set-up")
    }

    // MARK: Helpers

    func awsEnvironment(_ server: MotoServer) -> [String: String] {
        [
            "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "AKIAFERRYTEST", "AWS_SECRET_ACCESS_KEY": "ferry-test-secret",
            "AWS_ENDPOINT_URL": server.endpoint.url,
        ]
    }

    /// Serves `events` to the binary one `next` at a time, then answers 500 (a failed Runtime API, which
    /// ends the process); returns every request it received and how the process ended (at most 60 s).
    /// Any request off the Runtime API's paths (the Bot API, when `TELEGRAM_API_URL` points here) is
    /// answered by `otherwise`.
    func runFunction(
        events: [(requestID: String, body: String)], environment: [String: String], executable: URL = EchoBotBinary.url,
        otherwise: @escaping @Sendable (ReceivedRequest) -> ScriptedReply = { _ in ScriptedReply(status: .notFound) }
    ) async throws -> ([ReceivedRequest], (status: Int32, output: String)) {
        let pending = Mutex(events[...])
        return try await FakeHTTPServer.withServer(respond: { _, request in
            guard request.path.hasPrefix("/2018-06-01/runtime/") else { return otherwise(request) }
            guard request.method == "GET", request.path == "/2018-06-01/runtime/invocation/next" else { return ScriptedReply(status: .accepted) }
            guard let next = pending.withLock({ $0.popFirst() }) else { return ScriptedReply(status: .internalServerError) }
            let deadline = String(Int64(Date().addingTimeInterval(30).timeIntervalSince1970 * 1000))
            return ScriptedReply(
                status: .ok,
                headers: [
                    ("Lambda-Runtime-Aws-Request-Id", next.requestID), ("Lambda-Runtime-Deadline-Ms", deadline),
                    ("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:000000000000:function:echo-webhook"),
                ],
                body: Array(next.body.utf8)
            )
        }) { server in
            let local = ["AWS_LAMBDA_RUNTIME_API": "127.0.0.1:\(server.port)", "TELEGRAM_API_URL": server.baseURL]
            let exit = try await runProcess(environment: local.merging(environment) { $1 }, executable: executable)
            return (server.requests, exit)
        }
    }

    func runProcess(environment: [String: String], executable: URL = EchoBotBinary.url) async throws -> (status: Int32, output: String) {
        let output = ChildOutput()
        let process = try ChildProcess(
            executable: executable.path, environment: ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "info"].merging(environment) { $1 },
            standardOutput: output, standardError: output
        )
        let status = try await process.waitForExit(within: .seconds(120))
        return (status, output.finish())
    }

    func functionURLEvent(body: String, secret: String) throws -> String {
        let event: [String: Any] = [
            "version": "2.0", "rawPath": "/", "rawQueryString": "",
            "headers": ["content-type": "application/json", "x-telegram-bot-api-secret-token": secret],
            "requestContext": [
                "accountId": "anonymous", "apiId": "abc", "domainName": "abc.lambda-url.us-east-1.on.aws", "requestId": "r1",
                "timeEpoch": 1_700_000_000_000,
                "http": ["method": "POST", "path": "/", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.1", "userAgent": "TelegramBot"],
            ],
            "body": body, "isBase64Encoded": false,
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: event), as: UTF8.self)
    }
}

private func + (lhs: [String: String], rhs: [String: String]) -> [String: String] {
    lhs.merging(rhs) { $1 }
}
