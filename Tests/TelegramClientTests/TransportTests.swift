import FerryTestSupport
import TelegramBotAPI
import TelegramClient
import Testing

@Suite("Timeouts and transport failures")
struct TransportTests {
    @Test("a server slower than the request timeout fails the call with .timeout")
    func timeout() async throws {
        // The margins are wide so a loaded machine cannot blur "timed out" into "waited for the answer".
        try await withClient(replies: [.ok("true", delay: .seconds(10))], timeout: .milliseconds(300), retry: .none) { client, _ in
            let clock = ContinuousClock()
            let start = clock.now
            let error = try await #require(throws: TelegramClientError.self) { try await client.send(Echo(text: "x")) }
            #expect(error == .timeout(method: "echo"))
            #expect(clock.now - start < .seconds(8))
            expectNoToken(error)
        }
    }

    @Test("a timed-out call is retried like any network failure")
    func timeoutRetried() async throws {
        // The first answer comes six times the timeout late; the timeout leaves the second in time even
        // when a loaded machine stalls the whole test process for seconds.
        let replies: [ScriptedReply] = [.ok(#""late""#, delay: .seconds(60)), .ok(#""on time""#)]
        try await withClient(replies: replies, timeout: .seconds(10)) { client, server in
            let result = try await client.send(Echo(text: "x"))
            #expect(result == "on time")
            #expect(server.requests.count == 2)
        }
    }

    @Test("getUpdates may take its long-poll timeout on top of the request timeout")
    func longPollExtendsTimeout() async throws {
        // The answer comes well past the request timeout but far inside the long poll's, even on a loaded machine.
        try await withClient(replies: [.ok("[]", delay: .seconds(1))], timeout: .milliseconds(300), retry: .none) { client, _ in
            let updates = try await client.send(LongPoll(timeout: 30))
            #expect(updates == [])
        }
    }

    @Test("a parameter named timeout does not extend other methods")
    func otherMethodsKeepTheirTimeout() async throws {
        // The answer comes long after the request timeout but long before the one a mistaken
        // long-poll extension would allow (the parameter's 60 seconds), so only the right reading passes.
        try await withClient(replies: [.ok("[]", delay: .seconds(10))], timeout: .milliseconds(300), retry: .none) { client, _ in
            let error = await #expect(throws: TelegramClientError.timeout(method: "echo")) {
                try await client.send(Echo(text: "x", timeout: 60))
            }
            expectNoToken(error as Any)
        }
    }

    @Test("a refused connection is a transport error, retried and then thrown")
    func connectionRefused() async throws {
        // Port 1: privileged, so no test server can be given it. A port freed by a stopped server is no good: a
        // test running alongside may be handed it at once, and then this call gets that server's answer.
        // AsyncHTTPClient keeps retrying to connect until the request's deadline, so keep that short.
        let client = TelegramClient(
            token: token,
            configuration: .init(baseURL: "http://127.0.0.1:1", timeout: .milliseconds(500), retryPolicy: fastRetry)
        )
        let error = await #expect(throws: TelegramClientError.self) { try await client.send(Echo(text: "x")) }
        try await client.shutdown()
        guard case .transport(let method, _)? = error else {
            Issue.record("unexpected \(String(describing: error))")
            return
        }
        #expect(method == "echo")
        expectNoToken(error as Any)
    }

    @Test("cancelling the calling task ends the call with CancellationError, without retrying")
    func cancellation() async throws {
        // The answer would come long after the cancellation, however loaded the machine.
        try await withClient(replies: [.ok("true", delay: .seconds(60))], timeout: .seconds(90)) { client, server in
            let call = Task { try await client.send(Echo(text: "x")) }
            // Bounded wait until the request has reached the server; generous, as a loaded machine is slow to connect.
            let deadline = ContinuousClock.now + .seconds(30)
            while server.requests.isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            try #require(!server.requests.isEmpty, "the request did not reach the server")
            call.cancel()
            await #expect(throws: CancellationError.self) { try await call.value }
            #expect(server.requests.count == 1)
        }
    }

    @Test(
        "concurrent calls use concurrent connections: 24 handlers waiting on a slow Bot API are not queued behind 8",
        arguments: [false, true]
    )
    func concurrentCallsAreNotQueued(sharedHTTPClient: Bool) async throws {
        // Each answer takes 3 s. AsyncHTTPClient's default pool (8 connections per host) would hold every call
        // past the eighth until one of those returned; at Telegram's real round-trip times that capped a bot at a
        // few dozen replies a second whatever its handler concurrency. The same for a client on an HTTPClient
        // the caller shares (the Lambda roles), made with `TelegramClient.httpClientConfiguration()`.
        try await withClient(replies: [.ok("true", delay: .seconds(3))], sharedHTTPClient: sharedHTTPClient) { client, server in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<24 { group.addTask { _ = try await client.send(Echo(text: "call \(index)")) } }
                try await group.waitForAll()
            }
            #expect(server.requests.count == 24)
            #expect(server.mostConcurrentRequests > 8)
        }
    }
}
