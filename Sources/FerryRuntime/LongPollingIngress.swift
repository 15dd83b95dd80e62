public import FerryQueue
public import Logging
public import TelegramBotAPI
import FoundationEssentials

/// Ingress without a public URL: asks Telegram for updates with `getUpdates` and queues them.
/// The offset moves past an update only after it is stored, so a crash between the two loses
/// nothing: Telegram hands the same updates out again and the queue drops the repeats.
public struct LongPollingIngress: Sendable {
    public struct Configuration: Sendable {
        /// Seconds Telegram holds a `getUpdates` call open when there is nothing to deliver.
        public var timeout: Int
        public var limit: Int
        /// The kinds to receive; `nil` keeps what was set before (Telegram's default leaves some out).
        public var allowedUpdates: [String]?
        /// Wait after a failed call before the next one.
        public var errorBackoff: Duration

        public init(timeout: Int = 25, limit: Int = 100, allowedUpdates: [String]? = nil, errorBackoff: Duration = .seconds(2)) {
            self.timeout = timeout
            self.limit = limit
            self.allowedUpdates = allowedUpdates
            self.errorBackoff = errorBackoff
        }
    }

    private let api: any BotAPI
    private let queue: any UpdateQueue
    private let configuration: Configuration
    private let metrics: PipelineMetrics
    private let logger: Logger
    private let onEnqueued: @Sendable () -> Void

    public init(
        api: any BotAPI, queue: any UpdateQueue, configuration: Configuration = Configuration(),
        metrics: PipelineMetrics = PipelineMetrics(), logger: Logger = Logger(label: "ferry.polling"),
        onEnqueued: @escaping @Sendable () -> Void = {}
    ) {
        self.api = api
        self.queue = queue
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.onEnqueued = onEnqueued
    }

    /// Polls until the task is cancelled, or until Telegram refuses the bot in a way no retry mends: then it
    /// throws the ``Refusal``.
    public func run() async throws(Refusal) {
        var offset: Int?
        while !Task.isCancelled {
            do {
                offset = try await pollOnce(offset: offset)
            } catch is CancellationError {
                return
            } catch {
                if let refusal = Refusal(error) { throw refusal }
                logger.warning("getUpdates failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: configuration.errorBackoff)
            }
        }
    }

    /// Telegram's answers that mean polling cannot work until someone changes something: retrying them
    /// only fills the log.
    public enum Refusal: Error, Sendable, Hashable, CustomStringConvertible {
        /// 401 (or 404, Telegram's answer to a token that is not one): the token is wrong or was revoked.
        case tokenRefused(TelegramAPIError)
        /// 409 while a webhook is set: Telegram sends the updates there, and refuses `getUpdates`.
        case webhookIsSet(TelegramAPIError)

        public init?(_ error: any Error) {
            guard let apiError = error as? TelegramAPIError else { return nil }
            if apiError.refusesToken {
                self = .tokenRefused(apiError)
            } else if apiError.errorCode == 409, apiError.description.lowercased().contains("webhook") {
                self = .webhookIsSet(apiError)
            } else {
                return nil
            }
        }

        public var description: String {
            switch self {
            case .tokenRefused(let error): "Telegram refused the bot token: \(error.description)"
            case .webhookIsSet(let error): "Telegram refused getUpdates while a webhook is set: \(error.description)"
            }
        }
    }

    /// One `getUpdates` round: returns the offset to ask with next.
    public func pollOnce(offset: Int?) async throws -> Int? {
        let raw = try await api.send(
            RawGetUpdates(offset: offset, limit: configuration.limit, timeout: configuration.timeout, allowedUpdates: configuration.allowedUpdates)
        )
        guard !raw.isEmpty else { return offset }
        var updates: [QueuedUpdate] = []
        var nextOffset = offset
        for value in raw {
            // Telegram's own bytes are gone once decoded; the update is stored as an equivalent
            // JSON object, unknown fields included.
            let body = Array(try JSONEncoder().encode(value))
            metrics.received()
            do {
                let keys = try UpdateRoutingKeys.extract(from: body)
                updates.append(QueuedUpdate(updateID: keys.updateID, groupID: keys.group.id, body: body))
                nextOffset = max(nextOffset ?? 0, keys.updateID + 1)
            } catch {
                metrics.rejected(.malformed)
                logger.error("getUpdates returned something that is not an update; skipped", metadata: ["error": "\(error)"])
            }
        }
        let outcomes = try await queue.enqueue(updates)
        for (update, outcome) in zip(updates, outcomes) {
            if outcome == .enqueued {
                metrics.enqueued()
            } else {
                metrics.duplicate()
                logger.notice(
                    "update dropped: an update with this update_id was stored before (a redelivery)",
                    metadata: ["update_id": "\(update.updateID)"]
                )
            }
        }
        if outcomes.contains(.enqueued) { onEnqueued() }
        return nextOffset
    }
}

/// `getUpdates` answered as JSON values rather than `Update`s, so nothing the bot does not know
/// yet is dropped before it is queued.
struct RawGetUpdates: TelegramMethod {
    typealias Result = [JSONValue]
    static let name = "getUpdates"

    var offset: Int?
    var limit: Int?
    var timeout: Int?
    var allowedUpdates: [String]?

    enum CodingKeys: String, CodingKey {
        case offset, limit, timeout
        case allowedUpdates = "allowed_updates"
    }
}
