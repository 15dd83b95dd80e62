import FerryTestSupport
import TelegramBotAPI
import TelegramClient
import Testing

@Suite("Bot API errors and retries")
struct APIErrorTests {
    @Test("400 is thrown as TelegramAPIError and not retried")
    func badRequest() async throws {
        try await withClient(replies: [.error(400, "Bad Request: chat not found")]) { client, server in
            let error = try await #require(throws: TelegramAPIError.self) { try await client.send(Echo(text: "x")) }
            #expect(error == TelegramAPIError(method: "echo", errorCode: 400, description: "Bad Request: chat not found"))
            #expect(error.isPermanent)
            #expect(server.requests.count == 1)
            expectNoToken(error)
        }
    }

    @Test("403 (bot blocked) is thrown and not retried")
    func forbidden() async throws {
        try await withClient(replies: [.error(403, "Forbidden: bot was blocked by the user")]) { client, server in
            let error = try await #require(throws: TelegramAPIError.self) { try await client.send(Echo(text: "x")) }
            #expect(error.errorCode == 403)
            #expect(error.description == "Forbidden: bot was blocked by the user")
            #expect(error.isPermanent)
            #expect(server.requests.count == 1)
            expectNoToken(error)
        }
    }

    @Test(
        "a 400 the same request would get again is permanent and not retried",
        arguments: [
            "Bad Request: message is too long",
            "Bad Request: can't parse entities: Can't find end of the entity starting at byte offset 5",
            "Bad Request: message text is empty",
            "Bad Request: message is not modified: specified new message content and reply markup are exactly the same",
            "Bad Request: query is too old and response timeout expired or query ID is invalid",
        ]
    )
    func permanentBadRequest(description: String) async throws {
        try await withClient(replies: [.error(400, description)]) { client, server in
            let error = try await #require(throws: TelegramAPIError.self) { try await client.send(Echo(text: "x")) }
            #expect(error.isPermanent)
            #expect(server.requests.count == 1)
        }
    }

    @Test("migrate_to_chat_id is surfaced, and the call is not repeated")
    func migrated() async throws {
        let reply = ScriptedReply.error(
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            parameters: #"{"migrate_to_chat_id":-1001234567890}"#
        )
        try await withClient(replies: [reply]) { client, server in
            let error = try await #require(throws: TelegramAPIError.self) { try await client.send(Echo(text: "x")) }
            #expect(error.migrateToChatID == -1001234567890)
            #expect(error.retryAfter == nil)
            #expect(server.requests.count == 1)
            expectNoToken(error)
        }
    }

    @Test("429 waits retry_after, then repeats the call")
    func rateLimitedThenSucceeds() async throws {
        let replies: [ScriptedReply] = [
            .error(429, "Too Many Requests: retry after 1", parameters: #"{"retry_after":1}"#),
            .ok(#""sent""#),
        ]
        try await withClient(replies: replies) { client, server in
            let clock = ContinuousClock()
            let start = clock.now
            let result = try await client.send(Echo(text: "x"))
            #expect(result == "sent")
            #expect(clock.now - start >= .milliseconds(950))
            #expect(server.requests.count == 2)
        }
    }

    @Test("429 with retry .none is thrown with retryAfter")
    func rateLimitedWithoutRetry() async throws {
        let reply = ScriptedReply.error(429, "Too Many Requests: retry after 7", parameters: #"{"retry_after":7}"#)
        try await withClient(replies: [reply]) { client, server in
            let error = try await #require(throws: TelegramAPIError.self) {
                try await client.send(Echo(text: "x"), retry: .none)
            }
            #expect(error.isRateLimit)
            #expect(error.retryAfter == 7)
            #expect(server.requests.count == 1)
            expectNoToken(error)
        }
    }

    @Test("429 asking for longer than the policy's cap is thrown at once")
    func rateLimitedBeyondCap() async throws {
        let reply = ScriptedReply.error(429, "Too Many Requests: retry after 3600", parameters: #"{"retry_after":3600}"#)
        try await withClient(replies: [reply]) { client, server in
            let error = try await #require(throws: TelegramAPIError.self) { try await client.send(Echo(text: "x")) }
            #expect(error.retryAfter == 3600)
            #expect(server.requests.count == 1)
            expectNoToken(error)
        }
    }

    @Test("500 is retried with backoff, then succeeds")
    func serverErrorThenSucceeds() async throws {
        let replies: [ScriptedReply] = [.error(500, "Internal Server Error"), .ok(#""sent""#)]
        try await withClient(replies: replies) { client, server in
            let result = try await client.send(Echo(text: "x"))
            #expect(result == "sent")
            #expect(server.requests.count == 2)
        }
    }

    @Test("500 on every attempt is thrown after maxAttempts")
    func serverErrorExhausted() async throws {
        try await withClient(replies: [.error(500, "Internal Server Error")]) { client, server in
            let error = try await #require(throws: TelegramAPIError.self) { try await client.send(Echo(text: "x")) }
            #expect(error.errorCode == 500)
            #expect(server.requests.count == fastRetry.maxAttempts)
            expectNoToken(error)
        }
    }

    @Test("the retry policy passed to a call overrides the client's")
    func perCallPolicy() async throws {
        try await withClient(replies: [.error(502, "Bad Gateway")], retry: .none) { client, server in
            let policy = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(1))
            let error = await #expect(throws: TelegramAPIError.self) { try await client.send(Echo(text: "x"), retry: policy) }
            #expect(server.requests.count == 2)
            expectNoToken(error as Any)
        }
    }

    @Test("a proxy's HTML error page is an invalid response, retried as a 5xx")
    func htmlErrorPage() async throws {
        let page = ScriptedReply(status: .init(code: 502), contentType: "text/html", "<html><body>502 Bad Gateway</body></html>")
        try await withClient(replies: [page]) { client, server in
            let error = try await #require(throws: TelegramClientError.self) { try await client.send(Echo(text: "x")) }
            guard case .invalidResponse(let method, let status, let description) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(method == "echo")
            #expect(status == 502)
            #expect(description.contains("502 Bad Gateway"))
            #expect(server.requests.count == fastRetry.maxAttempts)
            expectNoToken(error)
        }
    }

    @Test("a 200 that is not JSON is an invalid response and is not retried")
    func garbage() async throws {
        try await withClient(replies: [ScriptedReply(status: .init(code: 200), contentType: "text/plain", "hello")]) { client, server in
            let error = try await #require(throws: TelegramClientError.self) { try await client.send(Echo(text: "x")) }
            guard case .invalidResponse(_, 200, _) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(server.requests.count == 1)
            expectNoToken(error)
        }
    }

    @Test("a result that does not decode as the method's Result is an invalid response naming the field")
    func mismatchedResult() async throws {
        try await withClient(replies: [.ok(#""not a number""#)]) { client, _ in
            let error = try await #require(throws: TelegramClientError.self) { try await client.send(CountSomething()) }
            guard case .invalidResponse(let method, 200, let description) = error else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(method == "countSomething")
            #expect(description.contains("result"))
            expectNoToken(error)
        }
    }
}
