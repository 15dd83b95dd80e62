import TelegramBotAPI

/// When and how long to wait before repeating a failed Bot API call.
///
/// Only failures that a later attempt can plausibly fix are retried: flood control (429), Telegram's
/// own failures (5xx) and network errors or timeouts. A request Telegram rejected (400, 403, ...)
/// fails the same way every time and is never repeated.
///
/// A timed-out call may have reached Telegram, so retrying it can deliver a message twice;
/// use ``none`` for calls where a duplicate is worse than a failure.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in total, the first included; `1` never retries.
    public var maxAttempts: Int
    /// The backoff before the first retry; it doubles with every further retry.
    public var baseDelay: Duration
    /// The longest backoff between two attempts.
    public var maxDelay: Duration
    /// The longest `retry_after` a 429 may ask for and still be waited out. A longer flood wait is
    /// thrown to the caller at once, who can reschedule the work rather than hold a task for it.
    public var maxRetryAfter: Duration

    public init(
        maxAttempts: Int = 3,
        baseDelay: Duration = .milliseconds(500),
        maxDelay: Duration = .seconds(10),
        maxRetryAfter: Duration = .seconds(30)
    ) {
        precondition(maxAttempts >= 1, "a call needs at least one attempt")
        precondition(baseDelay >= .zero && maxDelay >= baseDelay, "delays must satisfy 0 <= baseDelay <= maxDelay")
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// Three attempts, backing off from half a second, waiting out flood control of up to 30 seconds.
    public static let `default` = RetryPolicy()

    /// One attempt: every failure is thrown to the caller.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// How long to wait before the next attempt, after `attempt` attempts failed with `error` the last time;
    /// `nil` when the error must be thrown instead.
    public func delay(
        after error: any Error,
        attempt: Int,
        using generator: inout some RandomNumberGenerator
    ) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        switch Self.classify(error) {
        case .final:
            return nil
        case .rateLimited(let retryAfter?):
            let wait = Duration.seconds(retryAfter)
            return wait <= maxRetryAfter ? wait : nil
        case .rateLimited(nil), .transient:
            return backoff(attempt: attempt, using: &generator)
        }
    }

    public func delay(after error: any Error, attempt: Int) -> Duration? {
        var generator = SystemRandomNumberGenerator()
        return delay(after: error, attempt: attempt, using: &generator)
    }

    /// Exponential backoff with "equal jitter": half the delay is fixed so retries never bunch up at zero,
    /// half is random so that many clients failing together do not retry in lockstep.
    private func backoff(attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(attempt - 1, 32)  // beyond 2^32 every delay is capped anyway
        let ceiling = min(Self.seconds(baseDelay) * Double(1 << exponent), Self.seconds(maxDelay))
        return .seconds(ceiling / 2 + Double.random(in: 0...(ceiling / 2), using: &generator))
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    private enum Failure {
        case rateLimited(retryAfter: Int?)
        case transient
        case final
    }

    private static func classify(_ error: any Error) -> Failure {
        switch error {
        case let error as TelegramAPIError:
            if error.isRateLimit { return .rateLimited(retryAfter: error.retryAfter) }
            return error.isServerError ? .transient : .final
        case let error as TelegramClientError:
            switch error {
            case .timeout, .transport:
                return .transient
            case .invalidResponse(_, let status, _):
                // A proxy's HTML 502 in front of Telegram is as transient as Telegram's own 500.
                return status >= 500 || status == 429 ? .transient : .final
            case .upload, .encoding:
                return .final
            }
        default:
            // Cancellation and anything unforeseen: repeating blindly could only hide the cause.
            return .final
        }
    }
}

extension TelegramClient {
    /// While set, a call waits for no retry (a flood-control wait included) that would end after this
    /// instant: it throws the error at once instead, so the caller can reschedule the work rather than run
    /// out of time. The Lambda consumer sets it to the end of its invocation.
    @TaskLocal public static var retryDeadline: ContinuousClock.Instant?
}
