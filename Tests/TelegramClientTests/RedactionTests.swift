import FerryTestSupport
import TelegramBotAPI
import Testing

@testable import TelegramClient

@Suite("Token redaction")
struct RedactionTests {
    @Test("the client's description, debug description and mirror hide the token")
    func clientDescriptions() async throws {
        let client = TelegramClient(token: token, configuration: .init(baseURL: "http://127.0.0.1:9"))
        expectNoToken(client)
        #expect(String(describing: client).contains("<redacted>"))
        #expect(Mirror(reflecting: client).children.contains { $0.label == "token" && "\($0.value)" == "<redacted>" })
        try await client.shutdown()
    }

    @Test("every form of the token in a text is replaced")
    func redactsEveryForm() {
        let bot = BotToken(token)
        let text = "POST http://h/bot\(token)/getMe, encoded /bot123456%3A\(tokenSecret)/x, bare \(tokenSecret)."
        let redacted = bot.redact(text)
        #expect(!redacted.contains(tokenSecret))
        #expect(redacted == "POST http://h/bot<redacted>/getMe, encoded /bot<redacted>/x, bare <redacted>.")
    }

    @Test("transport errors that quote the URL are redacted")
    func transportErrorText() async throws {
        struct LeakyError: Error, CustomStringConvertible {
            var description: String { "connection reset while POSTing https://api.telegram.org/bot\(token)/sendMessage" }
        }
        let client = TelegramClient(token: token, configuration: .init(baseURL: "http://127.0.0.1:9"))
        let error = client.translate(LeakyError(), method: "sendMessage")
        try await client.shutdown()
        #expect(
            error as? TelegramClientError
                == .transport(
                    method: "sendMessage",
                    description: "connection reset while POSTing https://api.telegram.org/bot<redacted>/sendMessage"
                )
        )
        expectNoToken(error)
    }

    @Test("an answer that echoes the URL does not carry the token into the error")
    func echoedURL() async throws {
        let replies: [FakeReply] = [
            .error(404, "Not Found: method /bot\(token)/echo"),
            .raw(status: 404, contentType: "text/html", "<html>Cannot POST /bot\(token)/echo</html>"),
        ]
        try await withClient(replies: replies, retry: .none) { client, _ in
            let apiError = try await #require(throws: TelegramAPIError.self) { try await client.send(Echo(text: "x")) }
            #expect(apiError.description == "Not Found: method /bot<redacted>/echo")
            expectNoToken(apiError)

            let invalid = try await #require(throws: TelegramClientError.self) { try await client.send(Echo(text: "x")) }
            #expect(String(describing: invalid).contains("Cannot POST /bot<redacted>/echo"))
            expectNoToken(invalid)
        }
    }

    @Test("logs name the method, status and attempt, never the token")
    func logs() async throws {
        let capture = LogCapture()
        // No short timeout here: on a loaded machine it turned the 500 into a timeout and shifted every reply
        // after it. (A timed-out call's error is checked for the token in TransportTests.)
        let replies: [FakeReply] = [
            .error(500, "Internal Server Error"),
            .ok("true"),
            .error(403, "Forbidden: bot was blocked by the user"),
        ]
        try await withClient(replies: replies, logger: capture.logger()) { client, _ in
            _ = try await client.send(Echo(text: "a"))
            let blocked = await #expect(throws: TelegramAPIError.self) { try await client.send(Echo(text: "b")) }
            expectNoToken(blocked as Any)
        }
        let lines = capture.logged
        #expect(!lines.isEmpty)
        #expect(lines.contains { $0.contains("telegram.method=echo") && $0.contains("http.status=500") })
        #expect(lines.contains { $0.contains("retrying") && $0.contains("telegram.attempt=1") })
        for line in lines {
            #expect(!line.contains(tokenSecret), "token in log: \(line)")
            #expect(!line.contains("/bot"), "URL in log: \(line)")
        }
    }
}
