/// How many messages one scope may send: `messages` per `interval` on average, with up to `burst`
/// sent back to back after a quiet period (a token bucket of `burst` tokens refilled at the average rate).
public struct RateLimit: Sendable, Hashable {
    public var messages: Int
    public var interval: Duration
    public var burst: Int

    public init(messages: Int, per interval: Duration, burst: Int? = nil) {
        precondition(messages > 0 && interval > .zero, "a rate needs a positive count and interval")
        self.messages = messages
        self.interval = interval
        self.burst = max(1, burst ?? messages)
    }

    /// Tokens regained per second.
    var refillPerSecond: Double { Double(messages) / interval.inSeconds }
}

/// Telegram's flood limits for sending messages, each switchable: `nil` lifts that limit.
///
/// Telegram documents about one message per second in a private chat (short bursts pass), twenty per
/// minute in a group and about thirty per second overall; beyond them it answers 429 with `retry_after`.
public struct RateLimits: Sendable, Hashable {
    public var privateChat: RateLimit?
    public var groupChat: RateLimit?
    public var global: RateLimit?

    public init(privateChat: RateLimit? = nil, groupChat: RateLimit? = nil, global: RateLimit? = nil) {
        self.privateChat = privateChat
        self.groupChat = groupChat
        self.global = global
    }

    /// Telegram's limits as documented, with a burst of three in private chats.
    public static let telegram = RateLimits(
        privateChat: RateLimit(messages: 1, per: .seconds(1), burst: 3),
        groupChat: RateLimit(messages: 20, per: .seconds(60)),
        global: RateLimit(messages: 30, per: .seconds(1))
    )

    /// No limits: for benchmarks and tests that send in volume.
    public static let off = RateLimits()
}

/// Token buckets per chat and one for the bot, checked together for every message the bot sends.
struct RateLimiter {
    var limits: RateLimits {
        didSet { if limits != oldValue { buckets.removeAll() } }
    }

    private enum Scope: Hashable {
        case chat(Int)
        case bot
    }

    private struct Bucket {
        var tokens: Double
        var updatedAt: ContinuousClock.Instant

        mutating func refill(_ limit: RateLimit, now: ContinuousClock.Instant) {
            let elapsed = max(.zero, now - updatedAt)
            tokens = min(Double(limit.burst), tokens + elapsed.inSeconds * limit.refillPerSecond)
            updatedAt = now
        }

        /// How long until a whole token is back.
        func wait(_ limit: RateLimit) -> Duration {
            tokens >= 1 ? .zero : .seconds((1 - tokens) / limit.refillPerSecond)
        }
    }

    private var buckets: [Scope: Bucket] = [:]

    init(limits: RateLimits) {
        self.limits = limits
    }

    /// Takes one message's token from every scope that applies, or none when any is empty.
    /// - Returns: `nil` when the message may go, else how long the sender must wait.
    mutating func admit(chatID: Int, isPrivate: Bool, now: ContinuousClock.Instant) -> Duration? {
        let scopes: [(Scope, RateLimit)] = [
            limits.global.map { (.bot, $0) },
            (isPrivate ? limits.privateChat : limits.groupChat).map { (.chat(chatID), $0) },
        ].compactMap { $0 }

        var longestWait = Duration.zero
        for (scope, limit) in scopes {
            var bucket = buckets[scope] ?? Bucket(tokens: Double(limit.burst), updatedAt: now)
            bucket.refill(limit, now: now)
            buckets[scope] = bucket
            longestWait = max(longestWait, bucket.wait(limit))
        }
        guard longestWait == .zero else { return longestWait }
        for (scope, _) in scopes { buckets[scope]?.tokens -= 1 }
        return nil
    }
}

extension Duration {
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
