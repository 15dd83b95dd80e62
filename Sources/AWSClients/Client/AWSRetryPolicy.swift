/// Which failed AWS calls are repeated, how often and after how long: the rules of the AWS SDKs' standard
/// retry mode. Three attempts in all; throttling (SQS FIFO answers `ThrottlingException` above its per-action
/// rate), the service's 500, 502, 503 and 504, and calls that got no answer (a refused or reset connection, a
/// timeout, a pooled connection that went stale while Lambda froze the process) are repeated after an
/// exponential backoff with full jitter; anything else fails at once.
///
/// Every operation Ferry calls may be repeated safely: sends carry a FIFO deduplication id, deletes and
/// visibility changes are idempotent, and reads change nothing. (The SDKs' retry quota, which stops retrying
/// during a long outage, is left out: a Lambda invocation is bounded by its deadline anyway.)
public struct AWSRetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included; 1 never repeats a call.
    public var maxAttempts: Int
    /// The backoff ceiling before the first retry of a failure that is not throttling; it doubles with every retry.
    public var baseDelay: Duration
    /// The same for throttling, which wants more room.
    public var throttlingBaseDelay: Duration
    /// The longest backoff.
    public var maxDelay: Duration

    public init(
        maxAttempts: Int = 3,
        baseDelay: Duration = .milliseconds(100),
        throttlingBaseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(20)
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.throttlingBaseDelay = throttlingBaseDelay
        self.maxDelay = maxDelay
    }

    /// Three attempts, backing off from up to 100 ms (500 ms when throttled), at most 20 s.
    public static let standard = AWSRetryPolicy()
    /// One attempt: every failure is thrown at once.
    public static let none = AWSRetryPolicy(maxAttempts: 1)

    /// How long to wait before attempt `attempt + 1` after attempt `attempt` failed with `error`; `nil` when
    /// the error must be thrown instead.
    func delay(after error: any Error, attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        let base: Duration
        if let error = error as? AWSServiceError, error.isRetryable {
            base = error.isThrottling ? throttlingBaseDelay : baseDelay
        } else if let error = error as? AWSClientError, case .transport = error {
            base = baseDelay
        } else {
            return nil
        }
        // Full jitter: anywhere from nothing to the ceiling, so clients throttled together spread out.
        let ceiling = min(base * (1 << min(attempt - 1, 20)), maxDelay)
        return ceiling * Double.random(in: 0...1, using: &generator)
    }
}
