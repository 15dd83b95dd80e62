import TelegramBotAPI
import TelegramClient
import Testing

@Suite("RetryPolicy")
struct RetryPolicyTests {
    let policy = RetryPolicy(maxAttempts: 5, baseDelay: .seconds(1), maxDelay: .seconds(4), maxRetryAfter: .seconds(30))
    let serverError = TelegramAPIError(method: "m", errorCode: 500, description: "Internal Server Error")

    @Test("backoff doubles per attempt, within equal-jitter bounds, up to maxDelay")
    func backoff() throws {
        var generator = SystemRandomNumberGenerator()
        let bounds: [(attempt: Int, low: Duration, high: Duration)] = [
            (1, .milliseconds(500), .seconds(1)),
            (2, .seconds(1), .seconds(2)),
            (3, .seconds(2), .seconds(4)),
            (4, .seconds(2), .seconds(4)),
        ]
        for (attempt, low, high) in bounds {
            for _ in 0..<100 {
                let delay = try #require(policy.delay(after: serverError, attempt: attempt, using: &generator))
                #expect(delay >= low && delay <= high, "attempt \(attempt): \(delay)")
            }
        }
    }

    @Test("no delay once maxAttempts attempts were made")
    func bounded() {
        #expect(policy.delay(after: serverError, attempt: 5) == nil)
        #expect(RetryPolicy.none.delay(after: serverError, attempt: 1) == nil)
    }

    @Test("429 waits exactly retry_after, up to maxRetryAfter")
    func rateLimit() {
        let wait = TelegramAPIError(method: "m", errorCode: 429, description: "Too Many Requests", retryAfter: 3)
        #expect(policy.delay(after: wait, attempt: 1) == .seconds(3))
        let tooLong = TelegramAPIError(method: "m", errorCode: 429, description: "Too Many Requests", retryAfter: 31)
        #expect(policy.delay(after: tooLong, attempt: 1) == nil)
        let unspecified = TelegramAPIError(method: "m", errorCode: 429, description: "Too Many Requests")
        #expect(policy.delay(after: unspecified, attempt: 1) != nil)
    }

    @Test("requests Telegram refused are never repeated", arguments: [400, 401, 403, 404, 409])
    func clientErrors(code: Int) {
        let error = TelegramAPIError(method: "m", errorCode: code, description: "refused")
        #expect(policy.delay(after: error, attempt: 1) == nil)
    }

    @Test("network failures and 5xx answers are retried; other failures are not")
    func clientFailures() {
        #expect(policy.delay(after: TelegramClientError.timeout(method: "m"), attempt: 1) != nil)
        #expect(policy.delay(after: TelegramClientError.transport(method: "m", description: "reset"), attempt: 1) != nil)
        #expect(policy.delay(after: TelegramClientError.invalidResponse(method: "m", status: 502, description: ""), attempt: 1) != nil)
        #expect(policy.delay(after: TelegramClientError.invalidResponse(method: "m", status: 200, description: ""), attempt: 1) == nil)
        #expect(policy.delay(after: TelegramClientError.upload(method: "m", description: ""), attempt: 1) == nil)
        #expect(policy.delay(after: CancellationError(), attempt: 1) == nil)
    }
}
