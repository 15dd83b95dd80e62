import FerryTestSupport
import AsyncHTTPClient
import Crypto
import FerryTesting
import Foundation
import Testing

@testable import AWSClients
@testable import FerryAWS

/// The JSON-protocol client against a fake service on 127.0.0.1 that records the exact bytes it receives.
@Suite("AWS JSON client")
struct AWSJSONClientTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let token = "FwoGZXIvYXdzEXAMPLE/session+token=="
    static let credentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: secret, sessionToken: token)

    /// Without retries unless told: most tests here are about one answer.
    static func configuration(
        port: Int, maxResponseBytes: Int = 1024 * 1024, timeout: Duration = .seconds(10), retry: AWSRetryPolicy = .none
    ) throws -> AWSClientConfiguration {
        AWSClientConfiguration(
            region: "eu-west-1",
            credentials: credentials,
            endpointOverride: try AWSEndpoint(url: "http://127.0.0.1:\(port)"),
            timeout: timeout,
            maxResponseBytes: maxResponseBytes,
            retry: retry
        )
    }

    /// The standard mode's rules with short waits.
    static let quickRetry = AWSRetryPolicy(baseDelay: .milliseconds(5), throttlingBaseDelay: .milliseconds(10))

    // MARK: Retries

    @Test("throttling and 5xx are retried; the third failure ends the call and names service, action, code and attempts")
    func retriesThrottlingAndServerErrors() async throws {
        let throttled = ScriptedReply.json(
            #"{"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"}"#, status: .badRequest,
            headers: [("x-amzn-query-error", "ThrottlingException;Sender")]
        )
        try await FakeHTTPServer.withServer(respond: { index, _ in
            switch index {
            case 0: throttled
            case 1: ScriptedReply(status: .serviceUnavailable)
            case 2: .json(#"{"MessageId":"m-1","MD5OfMessageBody":"x"}"#)
            default: throttled
            }
        }) { server in
            let sqs = SQSClient(configuration: try Self.configuration(port: server.port, retry: Self.quickRetry), httpClient: .shared)
            let sent = try await sqs.sendMessage(SQSOutgoingMessage(body: "{}", groupID: "g", deduplicationID: "1"), to: "q")
            #expect(sent.messageID == "m-1")
            #expect(server.requests.count == 3)

            let error = await #expect(throws: AWSServiceError.self) {
                try await sqs.sendMessage(SQSOutgoingMessage(body: "{}", groupID: "g", deduplicationID: "2"), to: "q")
            }
            #expect(server.requests.count == 6, "three attempts, no more")
            #expect(error?.attempts == 3)
            let text = String(describing: try #require(error))
            #expect(text.contains("AmazonSQS.SendMessage") && text.contains("ThrottlingException") && text.contains("3 times"), "\(text)")
        }
    }

    @Test("a refusal that a retry cannot fix is not repeated")
    func doesNotRetryClientErrors() async throws {
        try await FakeHTTPServer.withServer(respond: { _, _ in
            .json(#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"no queue"}"#, status: .badRequest)
        }) { server in
            let sqs = SQSClient(configuration: try Self.configuration(port: server.port, retry: Self.quickRetry), httpClient: .shared)
            let error = await #expect(throws: AWSServiceError.self) { try await sqs.deleteMessage(receiptHandle: "r", from: "q") }
            #expect(error?.code == "QueueDoesNotExist" && error?.attempts == 1)
            #expect(server.requests.count == 1)
        }
    }

    @Test("a call that gets no answer in time is repeated; the last transport error says how many attempts were made")
    func retriesTransportFailures() async throws {
        try await FakeHTTPServer.withServer(respond: { _, _ in
            var reply = ScriptedReply.json("{}")
            reply.delay = .seconds(10)
            return reply
        }) { server in
            // Far below the server's 10 s, and long enough for a loaded machine to connect within it: each attempt
            // must reach the server for the count below to hold.
            let configuration = try Self.configuration(port: server.port, timeout: .seconds(1), retry: Self.quickRetry)
            let sqs = SQSClient(configuration: configuration, httpClient: .shared)
            let error = await #expect(throws: AWSClientError.self) { try await sqs.deleteMessage(receiptHandle: "r", from: "q") }
            guard case .transport(let operation, let description)? = error else {
                Issue.record("expected a transport error, got \(String(describing: error))")
                return
            }
            #expect(operation == "AmazonSQS.DeleteMessage")
            #expect(description.hasSuffix("(after 3 attempts)"))
            try await eventually(within: .seconds(5)) { server.requests.count == 3 }
        }
    }

    @Test("the backoff is jittered within a doubling ceiling, longer for throttling, and bounded")
    func backoff() {
        let policy = AWSRetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), throttlingBaseDelay: .milliseconds(500), maxDelay: .seconds(2))
        let serverError = AWSServiceError(operation: "AmazonSQS.SendMessage", statusCode: 500, code: "InternalError", message: "")
        let throttling = AWSServiceError(operation: "AmazonSQS.SendMessage", statusCode: 400, code: "ThrottlingException", message: "")
        var generator = SystemRandomNumberGenerator()
        for attempt in 1...9 {
            let delay = try? #require(policy.delay(after: serverError, attempt: attempt, using: &generator))
            #expect(delay.map { $0 >= .zero && $0 <= min(.milliseconds(100) * (1 << (attempt - 1)), .seconds(2)) } == true)
            let throttled = try? #require(policy.delay(after: throttling, attempt: attempt, using: &generator))
            #expect(throttled.map { $0 <= min(.milliseconds(500) * (1 << (attempt - 1)), .seconds(2)) } == true)
        }
        // Not the same delay every time: many clients failing together must not retry in lockstep.
        let delays = Set((0..<20).compactMap { _ in policy.delay(after: serverError, attempt: 4, using: &generator) })
        #expect(delays.count > 1)
        #expect(policy.delay(after: serverError, attempt: 10, using: &generator) == nil)
        #expect(policy.delay(after: AWSClientError.invalidResponse(operation: "x", description: "y"), attempt: 1, using: &generator) == nil)
        #expect(policy.delay(after: CancellationError(), attempt: 1, using: &generator) == nil)
    }

    @Test("a request goes out as a signed JSON-protocol POST whose signature covers the bytes sent")
    func signedRequestBytes() async throws {
        let started = Date()
        let received = try await FakeHTTPServer.withServer(respond: { _, _ in
            .json(#"{"MessageId":"5fea7756-0ea4-451a-a703-a558b933e274","MD5OfMessageBody":"abc","SequenceNumber":"18849496460467696128"}"#)
        }) { server in
            let sqs = SQSClient(configuration: try Self.configuration(port: server.port), httpClient: .shared)
            let result = try await sqs.sendMessage(
                SQSOutgoingMessage(
                    body: #"{"update_id":1001}"#,
                    groupID: "chat:42",
                    deduplicationID: "1001",
                    attributes: ["kind": .string("message"), "raw": .binary([0, 1, 255])]
                ),
                to: "\(server.baseURL)/123456789012/updates.fifo"
            )
            #expect(result == SQSSendResult(messageID: "5fea7756-0ea4-451a-a703-a558b933e274", sequenceNumber: "18849496460467696128", md5OfBody: "abc"))
            return try #require(server.requests.first)
        }

        #expect(received.method == "POST")
        #expect(received.path == "/")
        #expect(received.header("X-Amz-Target") == "AmazonSQS.SendMessage")
        #expect(received.header("Content-Type") == "application/x-amz-json-1.0")
        #expect(received.header("X-Amz-Security-Token") == Self.token)

        let json = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any])
        #expect(json["QueueUrl"] as? String == "http://\(try #require(received.header("Host")))/123456789012/updates.fifo")
        #expect(json["MessageBody"] as? String == #"{"update_id":1001}"#)
        #expect(json["MessageGroupId"] as? String == "chat:42")
        #expect(json["MessageDeduplicationId"] as? String == "1001")
        let attributes = try #require(json["MessageAttributes"] as? [String: [String: String]])
        #expect(attributes["kind"] == ["DataType": "String", "StringValue": "message"])
        #expect(attributes["raw"] == ["DataType": "Binary", "BinaryValue": "AAH/"])

        // Re-derive the signature from what arrived, independently of AWSSigner.
        let authorization = try #require(received.header("Authorization"))
        let amzDate = try #require(received.header("X-Amz-Date"))
        let day = String(amzDate.prefix(8))
        let scope = "\(day)/eu-west-1/sqs/aws4_request"
        let signedHeaders = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
        #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\(scope), SignedHeaders=\(signedHeaders), Signature="))
        let canonicalRequest = """
            POST
            /

            content-type:application/x-amz-json-1.0
            host:\(received.header("Host")!)
            x-amz-date:\(amzDate)
            x-amz-security-token:\(Self.token)
            x-amz-target:AmazonSQS.SendMessage

            \(signedHeaders)
            \(hex(SHA256.hash(data: received.body)))
            """
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n\(hex(SHA256.hash(data: Data(canonicalRequest.utf8))))"
        var key = SymmetricKey(data: Data("AWS4\(Self.secret)".utf8))
        for part in [day, "eu-west-1", "sqs", "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let expected = hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        #expect(authorization.hasSuffix("Signature=\(expected)"))

        // The signing time is now, in UTC.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let signedAt = try #require(formatter.date(from: amzDate))
        #expect(abs(signedAt.timeIntervalSince(started)) < 60)
    }

    @Test("SSM speaks JSON 1.1 with its own target prefix")
    func ssmProtocol() async throws {
        let received = try await FakeHTTPServer.withServer(respond: { _, _ in
            .json(#"{"Parameter":{"Name":"/bot/token","Type":"SecureString","Value":"123:ABC","Version":3}}"#)
        }) { server in
            let ssm = SSMClient(configuration: try Self.configuration(port: server.port), httpClient: .shared)
            let parameter = try await ssm.parameter(named: "/bot/token")
            #expect(parameter.value == "123:ABC" && parameter.version == 3 && parameter.type == "SecureString")
            #expect(!String(describing: parameter).contains("123:ABC"))
            return try #require(server.requests.first)
        }
        #expect(received.header("X-Amz-Target") == "AmazonSSM.GetParameter")
        #expect(received.header("Content-Type") == "application/x-amz-json-1.1")
        #expect(received.header("Authorization")?.contains("/eu-west-1/ssm/aws4_request") == true)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? [String: Any])
        #expect(json["Name"] as? String == "/bot/token")
        #expect(json["WithDecryption"] as? Bool == true)
    }

    @Test("a service error decodes into its code, message and request id")
    func serviceError() async throws {
        try await FakeHTTPServer.withServer(respond: { _, _ in
            .json(
                #"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#,
                status: .badRequest,
                headers: [("x-amzn-RequestId", "66916324-67ca"), ("x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender")]
            )
        }) { server in
            let sqs = SQSClient(configuration: try Self.configuration(port: server.port), httpClient: .shared)
            let error = await #expect(throws: AWSServiceError.self) {
                try await sqs.deleteMessage(receiptHandle: "r", from: "http://127.0.0.1/1/q")
            }
            #expect(
                error == AWSServiceError(
                    operation: "AmazonSQS.DeleteMessage",
                    statusCode: 400,
                    code: "QueueDoesNotExist",
                    message: "The specified queue does not exist.",
                    queryErrorCode: "AWS.SimpleQueueService.NonExistentQueue",
                    requestID: "66916324-67ca"
                )
            )
            #expect(error?.isRetryable == false)
        }
    }

    @Test("an error without a JSON body is named by its header or status, and 5xx is retryable")
    func bodylessError() async throws {
        try await FakeHTTPServer.withServer(respond: { index, _ in
            index == 0
                ? ScriptedReply(status: .serviceUnavailable, headers: [("x-amzn-ErrorType", "ServiceUnavailableException:http://internal/")], body: Array("<html>".utf8))
                : ScriptedReply(status: .init(code: 429))
        }) { server in
            let ssm = SSMClient(configuration: try Self.configuration(port: server.port), httpClient: .shared)
            let first = await #expect(throws: AWSServiceError.self) { try await ssm.parameter(named: "x") }
            #expect(first?.code == "ServiceUnavailableException" && first?.statusCode == 503 && first?.isRetryable == true)
            let second = await #expect(throws: AWSServiceError.self) { try await ssm.parameter(named: "x") }
            #expect(second?.code == "HTTP429" && second?.isRetryable == true)
        }
    }

    @Test("an answer over the size limit is refused without being read to the end")
    func responseSizeLimit() async throws {
        try await FakeHTTPServer.withServer(respond: { _, _ in
            .json(#"{"Messages":[{"Body":"\#(String(repeating: "x", count: 64 * 1024))"}]}"#)
        }) { server in
            let sqs = SQSClient(configuration: try Self.configuration(port: server.port, maxResponseBytes: 4096), httpClient: .shared)
            await #expect(throws: AWSClientError.responseTooLarge(operation: "AmazonSQS.ReceiveMessage", limit: 4096)) {
                _ = try await sqs.receiveMessages(from: "q", waitTimeSeconds: 0)
            }
        }
    }

    @Test("a successful answer of the wrong shape is an invalid response, not a crash")
    func invalidResponse() async throws {
        try await FakeHTTPServer.withServer(respond: { _, _ in .json(#"{"QueueUrl":42}"#) }) { server in
            let sqs = SQSClient(configuration: try Self.configuration(port: server.port), httpClient: .shared)
            let error = await #expect(throws: AWSClientError.self) { _ = try await sqs.createQueue(named: "q") }
            guard case .invalidResponse(let operation, _) = error else {
                Issue.record("expected invalidResponse, got \(String(describing: error))")
                return
            }
            #expect(operation == "AmazonSQS.CreateQueue")
        }
    }

    @Test("a call that outlives its timeout fails as a transport error")
    func timeout() async throws {
        try await FakeHTTPServer.withServer(respond: { _, _ in
            var reply = ScriptedReply.json("{}")
            // The margins are wide so a loaded machine cannot blur "timed out" into "waited for the answer".
            reply.delay = .seconds(10)
            return reply
        }) { server in
            let sqs = SQSClient(configuration: try Self.configuration(port: server.port, timeout: .milliseconds(200)), httpClient: .shared)
            let clock = ContinuousClock()
            let started = clock.now
            let error = await #expect(throws: AWSClientError.self) {
                try await sqs.changeMessageVisibility(receiptHandle: "r", visibilityTimeoutSeconds: 0, in: "q")
            }
            guard case .transport = error else {
                Issue.record("expected a transport error, got \(String(describing: error))")
                return
            }
            #expect(clock.now - started < .seconds(8))
        }
    }

    @Test("neither the secret key nor the session token reaches a log line or an error")
    func credentialsNeverLogged() async throws {
        let capture = LogCapture()
        var errors: [String] = []
        try await FakeHTTPServer.withServer(respond: { index, _ in
            index == 0 ? .json(#"{"QueueUrl":"http://q"}"#) : .json(#"{"__type":"InvalidParameterValue","message":"bad"}"#, status: .badRequest)
        }) { server in
            let client = AWSJSONClient(service: .sqs, configuration: try Self.configuration(port: server.port), httpClient: .shared, logger: capture.logger())
            let sqs = SQSClient(client: client)
            _ = try await sqs.createQueue(named: "q")
            do {
                _ = try await sqs.createQueue(named: "q")
            } catch {
                errors.append(String(describing: error))
            }
            errors.append(String(describing: client.configuration))
            let signer = AWSSigner(credentials: try await client.configuration.credentialProvider.credentials(), region: "us-east-1", service: "sqs")
            errors.append(String(describing: signer))
        }
        #expect(capture.logged.count >= 2)
        #expect(errors.count == 3)
        for text in capture.logged + errors {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(Self.token))
        }
    }
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}
