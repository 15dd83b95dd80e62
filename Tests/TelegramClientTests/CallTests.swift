import FerryTestSupport
import AsyncHTTPClient
import TelegramBotAPI
import TelegramClient
import Testing

@Suite("Calls")
struct CallTests {
    @Test("a call posts its parameters as JSON to /bot<token>/<method> and returns the result")
    func jsonCall() async throws {
        try await withClient(replies: [.ok(#"{"echoed":"hello","n":[1,2]}"#)]) { client, server in
            let result = try await client.send(Echo(text: "hello", count: 2))

            #expect(result == ["echoed": "hello", "n": [1, 2]])
            let requests = server.requests
            try #require(requests.count == 1)
            #expect(requests[0].path == "/bot\(token)/echo")
            #expect(requests[0].contentType == "application/json")
            #expect(try requests[0].json() == ["text": "hello", "count": 2])
        }
    }

    @Test("a base URL with a path and a trailing slash, as a local Bot API server or proxy may have")
    func baseURLWithPath() async throws {
        try await withClient(replies: [.ok("true")], basePath: "/telegram/") { client, server in
            _ = try await client.send(Echo(text: "x"))
            #expect(server.requests.map(\.path) == ["/telegram/bot\(token)/echo"])
        }
    }

    @Test("an injected HTTPClient is used and left running by shutdown()")
    func injectedHTTPClient() async throws {
        let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            try await FakeHTTPServer.withServer(replies: [.ok(#""first""#), .ok(#""second""#)]) { server in
                let client = TelegramClient(
                    token: token,
                    configuration: .init(baseURL: server.baseURL),
                    httpClient: httpClient
                )
                #expect(try await client.send(Echo(text: "a")) == "first")
                try await client.shutdown()
                // Still usable: the caller, not the Telegram client, owns it.
                #expect(try await client.send(Echo(text: "b")) == "second")
            }
        } catch {
            // An HTTPClient dropped without shutdown traps in debug builds and would take every test down.
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
    }

    @Test("generated methods decode into generated types")
    func generatedGetMe() async throws {
        let user = #"{"id":123456,"is_bot":true,"first_name":"Ferry","username":"ferry_bot"}"#
        try await withClient(replies: [.ok(user)]) { client, server in
            let me = try await client.send(GetMe())
            #expect(me.id == 123456)
            #expect(me.username == "ferry_bot")
            #expect(server.requests.map(\.path) == ["/bot\(token)/getMe"])
        }
    }

    @Test("generated convenience methods go through the client: sendMessage as JSON, sendDocument as multipart")
    func generatedConvenienceMethods() async throws {
        let message = #"{"message_id":7,"date":1700000000,"chat":{"id":42,"type":"private"}}"#
        try await withTemporaryFile(named: "notes.txt", contents: Array("hello".utf8)) { path in
            try await withClient(replies: [.ok(message)]) { client, server in
                let sent = try await client.sendMessage(chatID: 42, text: "hi")
                #expect(sent.messageID == 7)
                _ = try await client.sendDocument(chatID: "@ferry_channel", document: .file(atPath: path))

                let requests = server.requests
                try #require(requests.count == 2)
                #expect(requests[0].path == "/bot\(token)/sendMessage")
                #expect(try requests[0].json() == ["chat_id": 42, "text": "hi"])
                #expect(requests[1].path == "/bot\(token)/sendDocument")
                let parts = try requests[1].formParts()
                #expect(parts.first { $0.name == "chat_id" }?.text == "@ferry_channel")
                let file = try #require(parts.first { $0.name == "file0" })
                #expect(file.filename == "notes.txt")
                #expect(file.contentType == "text/plain")
                #expect(file.text == "hello")
            }
        }
    }
}
