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
        let replies: [ScriptedReply] = [
            .error(404, "Not Found: method /bot\(token)/echo"),
            ScriptedReply(status: .init(code: 404), contentType: "text/html", "<html>Cannot POST /bot\(token)/echo</html>"),
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

    @Test("a token cut short, by the text's end or inside it, is masked from its bot id on")
    func cutToken() {
        let bot = BotToken(token)
        for length in 1..<tokenSecret.count {
            let cut = "POST /bot123456:\(tokenSecret.prefix(length))"
            #expect(bot.redact(cut) == "POST /bot<redacted>")
            #expect(bot.redact(cut + " (clipped)") == "POST /bot<redacted> (clipped)")
        }
        // Cut inside the public id: nothing secret, but still the start of the token at the cut.
        #expect(bot.redact("POST /bot1234") == "POST /bot<redacted>")
        #expect(bot.redact("POST /bot123456:") == "POST /bot<redacted>")
        // Ordinary text that merely ends like the id is left alone when shorter than the masked minimum.
        #expect(bot.redact("HTTP 123") == "HTTP 123")
    }

    @Test("a Bot API that echoes the URL at every offset of its answer leaks no part of the token")
    func echoAtEveryOffset() async throws {
        // The client quotes the first 200 bytes of an answer that is not JSON: the URL crosses that cut at every offset.
        let offsets = Array(140...210)
        let quoted = offsets.map { ScriptedReply(status: .init(code: 502), contentType: "text/html", String(repeating: "x", count: $0) + ScriptedReply.echoedPath) }
        let described = offsets.map { ScriptedReply.error(404, String(repeating: "x", count: $0) + "Not Found: " + ScriptedReply.echoedPath) }
        try await withClient(replies: quoted + described, retry: .none) { client, _ in
            for offset in offsets {
                let error = try await #require(throws: TelegramClientError.self) { try await client.send(Echo(text: "x")) }
                expectNoTokenPart(error, offset: offset)
            }
            for offset in offsets {
                let error = try await #require(throws: TelegramAPIError.self) { try await client.send(Echo(text: "x")) }
                expectNoTokenPart(error, offset: offset)
                #expect(error.description.hasSuffix("Not Found: /bot<redacted>/echo"))
            }
        }
    }

    /// Not even the first character of the secret after the bot id, nor any six characters of it in a row.
    private func expectNoTokenPart(_ error: any Error, offset: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = String(describing: error)
        #expect(!text.contains("123456:\(tokenSecret.prefix(1))"), "offset \(offset): \(text)", sourceLocation: sourceLocation)
        let secret = Array(tokenSecret)
        for start in 0...(secret.count - 6) {
            let piece = String(secret[start..<(start + 6)])
            #expect(!text.contains(piece), "offset \(offset) leaks \(piece): \(text)", sourceLocation: sourceLocation)
        }
    }

    @Test("logs name the method, status and attempt, never the token")
    func logs() async throws {
        let capture = LogCapture()
        // No short timeout here: on a loaded machine it turned the 500 into a timeout and shifted every reply
        // after it. (A timed-out call's error is checked for the token in TransportTests.)
        let replies: [ScriptedReply] = [
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
