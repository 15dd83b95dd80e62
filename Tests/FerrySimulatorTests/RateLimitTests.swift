@testable import FerrySimulator
import TelegramBotAPI
import TelegramClient
import Testing

@Suite("Simulator: flood control")
struct RateLimitTests {
    @Test("a private chat takes a short burst, then answers 429 with retry_after; switching limits off lifts it")
    func privateChatLimit() async throws {
        // Telegram's burst with a refill slow enough that a busy machine cannot refill a token mid-test.
        let limits = RateLimits(privateChat: RateLimit(messages: 1, per: .seconds(60), burst: 3))
        try await withSimulator(BotAPISimulator.Configuration(rateLimits: limits)) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)
            for number in 1...3 { _ = try await client.sendMessage(chatID: .id(ada.id), text: "burst \(number)") }

            let error = try await apiError { try await client.sendMessage(chatID: .id(ada.id), text: "one too many") }
            #expect(error.errorCode == 429)
            #expect(error.isRateLimit)
            let retryAfter = try #require(error.retryAfter)
            // Under 60 s less the time the burst took: a busy machine once took 13 s over three calls, so the bound
            // leaves half a minute for that.
            #expect((30...60).contains(retryAfter), "the wait until the next token, in whole seconds")
            #expect(error.description == "Too Many Requests: retry after \(retryAfter)")

            let bob = simulator.createUser(firstName: "Bob")
            try simulator.openPrivateChat(with: bob)
            _ = try await client.sendMessage(chatID: .id(bob.id), text: "other chats have their own budget")

            simulator.rateLimits = .off
            for number in 1...20 { _ = try await client.sendMessage(chatID: .id(ada.id), text: "flood \(number)") }
            #expect(simulator.sentMessages(in: try simulator.openPrivateChat(with: ada)).count == 23)
        }
    }

    @Test("the raw 429 answer carries parameters.retry_after")
    func rawShape() async throws {
        let limits = RateLimits(privateChat: RateLimit(messages: 1, per: .seconds(10), burst: 1))
        try await withSimulator(BotAPISimulator.Configuration(rateLimits: limits)) { simulator, _ in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)
            let body = Array(#"{"chat_id":\#(ada.id),"text":"hi"}"#.utf8)
            #expect(try await rawCall(try simulator.url("sendMessage"), contentType: "application/json", body: body).status == 200)
            let limited = try await rawCall(try simulator.url("sendMessage"), contentType: "application/json", body: body)
            #expect(limited.status == 429)
            // retry_after counts whole seconds left of the window, so a slow machine may see 9 rather than 10.
            let answer = try limited.json()
            guard case .object(let parameters)? = answer["parameters"], case .integer(let retryAfter)? = parameters["retry_after"] else {
                Issue.record("no parameters.retry_after in \(answer)")
                return
            }
            #expect((1...10).contains(retryAfter))
            #expect(answer == [
                "ok": false, "error_code": 429, "description": .string("Too Many Requests: retry after \(retryAfter)"),
                "parameters": ["retry_after": .integer(retryAfter)],
            ])
        }
    }

    @Test("a client with the default retry policy waits out retry_after and gets through")
    func clientWaitsOut() async throws {
        let limits = RateLimits(privateChat: RateLimit(messages: 1, per: .seconds(1), burst: 1))
        try await withSimulator(BotAPISimulator.Configuration(rateLimits: limits), retry: .default) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)
            _ = try await client.sendMessage(chatID: .id(ada.id), text: "first")
            _ = try await client.sendMessage(chatID: .id(ada.id), text: "second, after waiting")
            #expect(simulator.sentMessages(in: try simulator.openPrivateChat(with: ada)).map(\.text) == ["first", "second, after waiting"])
        }
    }

    @Test("Telegram's limits: a burst of 3 then one a second per private chat, 20 a minute per group, 30 a second overall")
    func telegramDefaults() {
        let start = ContinuousClock.now
        var limiter = RateLimiter(limits: .telegram)
        for _ in 1...3 { #expect(limiter.admit(chatID: 1, isPrivate: true, now: start) == nil) }
        #expect(approximately(limiter.admit(chatID: 1, isPrivate: true, now: start), .seconds(1)))
        #expect(limiter.admit(chatID: 1, isPrivate: true, now: start + .seconds(1)) == nil)

        for _ in 1...20 { #expect(limiter.admit(chatID: -100, isPrivate: false, now: start) == nil) }
        #expect(approximately(limiter.admit(chatID: -100, isPrivate: false, now: start), .seconds(3)))

        var overall = RateLimiter(limits: .telegram)
        for chat in 1...30 { #expect(overall.admit(chatID: chat, isPrivate: true, now: start) == nil) }
        #expect(approximately(overall.admit(chatID: 31, isPrivate: true, now: start), .milliseconds(33)))
    }

    @Test("buckets: per chat, per group and overall, refilled over time")
    func buckets() {
        let start = ContinuousClock.now
        var limiter = RateLimiter(limits: RateLimits(
            privateChat: RateLimit(messages: 1, per: .seconds(1), burst: 2),
            groupChat: RateLimit(messages: 20, per: .seconds(60)),
            global: RateLimit(messages: 3, per: .seconds(1))
        ))
        #expect(limiter.admit(chatID: 1, isPrivate: true, now: start) == nil)
        #expect(limiter.admit(chatID: 1, isPrivate: true, now: start) == nil)
        #expect(approximately(limiter.admit(chatID: 1, isPrivate: true, now: start), .seconds(1)), "the chat's burst is spent")
        #expect(limiter.admit(chatID: 2, isPrivate: true, now: start) == nil)
        #expect(limiter.admit(chatID: 3, isPrivate: true, now: start) != nil, "the global budget of 3 is spent")
        #expect(limiter.admit(chatID: 1, isPrivate: true, now: start + .seconds(1)) == nil, "a second refills one token")

        var groups = RateLimiter(limits: RateLimits(groupChat: RateLimit(messages: 20, per: .seconds(60))))
        for _ in 1...20 { #expect(groups.admit(chatID: -100, isPrivate: false, now: start) == nil) }
        #expect(approximately(groups.admit(chatID: -100, isPrivate: false, now: start), .seconds(3)), "20 per minute: one every 3 seconds")
    }
}

private func approximately(_ wait: Duration?, _ expected: Duration) -> Bool {
    guard let wait else { return false }
    return abs((wait - expected).inSeconds) < 0.001
}
