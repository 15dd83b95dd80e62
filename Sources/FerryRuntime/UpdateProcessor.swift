public import Ferry
public import Logging
import TelegramBotAPI

/// Runs the bot on one queued update and decides what the queue should do with it. Hosts apply
/// the decision their own way: the local dispatcher through ``UpdateQueue``, the Lambda consumer
/// through its batch response and the dead-letter queue.
public struct UpdateProcessor: Sendable {
    public struct Policy: Sendable {
        /// Deliveries before an update is dead-lettered: 3, as the design says.
        public var maximumAttempts: Int
        /// How long to wait before attempt `n + 1` after attempt `n` failed.
        public var retryDelay: @Sendable (_ failedAttempt: Int) -> Duration

        public init(maximumAttempts: Int = 3, retryDelay: @escaping @Sendable (Int) -> Duration = Policy.exponentialBackoff) {
            self.maximumAttempts = max(1, maximumAttempts)
            self.retryDelay = retryDelay
        }

        /// 1 s, 2 s, 4 s, ... at most 60 s.
        @Sendable
        public static func exponentialBackoff(_ failedAttempt: Int) -> Duration {
            .seconds(min(60, 1 << min(max(failedAttempt - 1, 0), 6)))
        }
    }

    public enum Outcome: Sendable, Hashable {
        case handled
        /// Try again after `delay`; `countsAsAttempt` is false for flood control (429), which is
        /// Telegram pacing the bot, not the update failing.
        case retry(after: Duration, reason: String, countsAsAttempt: Bool)
        /// Set the update aside: it used its attempts, cannot succeed (a 403 from a user who
        /// blocked the bot), or is not an update at all.
        case deadLetter(reason: String)
        /// Telegram refused the bot's token (401): no update can be handled until someone fixes it, so this
        /// one is kept for later (without using an attempt) and the host reports an error its operator sees,
        /// instead of dead-lettering it with an apology Telegram would refuse too.
        case tokenRefused(reason: String)

        /// How long a host keeps an update back after Telegram refused the token: long enough not to flood
        /// the log (and the Bot API) while the token is wrong, short enough to go on soon after it is fixed.
        public static let tokenRefusedDelay = Duration.seconds(60)
    }

    public let bot: Bot
    public let policy: Policy
    public let logger: Logger
    private let metrics: PipelineMetrics

    public init(bot: Bot, policy: Policy = Policy(), metrics: PipelineMetrics = PipelineMetrics(), logger: Logger = Logger(label: "ferry.dispatcher")) {
        self.bot = bot
        self.policy = policy
        self.metrics = metrics
        self.logger = logger
    }

    /// Handles the update in `body`, delivered for the `attempt`-th time.
    public func process(body: [UInt8], attempt: Int) async -> Outcome {
        let update: Update
        do {
            update = try BotAPIDecoder().decode(Update.self, from: body)
        } catch {
            // Ingress checked it was JSON with an update_id; a body that still does not decode will
            // not decode next time either.
            return .deadLetter(reason: "the update does not decode: \(error)")
        }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await bot.handle(update)
            metrics.handlerDuration(clock.now - start)
            metrics.handled()
            return .handled
        } catch {
            metrics.handlerDuration(clock.now - start)
            return decide(after: error, attempt: attempt, updateID: update.updateID)
        }
    }

    func decide(after error: any Error, attempt: Int, updateID: Int) -> Outcome {
        let reason = String(describing: error)
        var metadata: Logger.Metadata = ["update_id": "\(updateID)", "attempt": "\(attempt)", "error": "\(reason)"]
        if let apiError = error as? TelegramAPIError {
            if apiError.isRateLimit {
                metrics.rateLimited()
                let wait = Duration.seconds(max(1, apiError.retryAfter ?? 1))
                metadata["retry_after"] = "\(wait)"
                logger.notice("Bot API flood control; the update waits without using an attempt", metadata: metadata)
                return .retry(after: wait, reason: reason, countsAsAttempt: false)
            }
            if apiError.refusesToken {
                logger.error(
                    "Telegram refused the bot token (401): set the token @BotFather issued for the bot; the update waits",
                    metadata: metadata
                )
                return .tokenRefused(reason: reason)
            }
            if apiError.isPermanent {
                logger.warning("permanent Bot API error; dead-lettering at once", metadata: metadata)
                return .deadLetter(reason: reason)
            }
        }
        if error is CancellationError {
            // The host is stopping: the update was not at fault.
            return .retry(after: .zero, reason: reason, countsAsAttempt: false)
        }
        if attempt >= policy.maximumAttempts {
            logger.error("update failed its last attempt; dead-lettering", metadata: metadata)
            return .deadLetter(reason: reason)
        }
        metrics.retried()
        let delay = policy.retryDelay(attempt)
        metadata["retry_in"] = "\(delay)"
        logger.warning("handler failed; will retry", metadata: metadata)
        return .retry(after: delay, reason: reason, countsAsAttempt: true)
    }

    /// Runs the bot's `onDeadLetter` hook once for a dead-lettered update. A failing hook is
    /// logged and never retried, so a broken notification cannot loop.
    public func notifyDeadLetter(body: [UInt8], reason: String, attempts: Int) async {
        metrics.deadLettered()
        guard let update = try? BotAPIDecoder().decode(Update.self, from: body) else { return }
        do {
            try await bot.runDeadLetterHook(update: update, reason: reason, attempts: attempts)
        } catch {
            logger.error(
                "the dead-letter hook failed; not retried",
                metadata: ["update_id": "\(update.updateID)", "error": "\(error)"]
            )
        }
    }
}
