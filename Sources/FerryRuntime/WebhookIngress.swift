public import FerryQueue
public import Logging
import TelegramBotAPI

/// The front door of every host: checks one webhook request and queues its update durably. The
/// local HTTP server and the webhook Lambda both answer Telegram with what this decides, so the
/// rules are the same everywhere:
///
/// | request | answer |
/// | --- | --- |
/// | secret configured and header missing or different | 401 |
/// | body larger than the limit (1 MiB) | 413 |
/// | not JSON, or no integer `update_id` | 400 |
/// | queue failed to store it | `storageFailureStatus` (503 locally, 500 on Lambda): Telegram redelivers |
/// | stored (or a duplicate of an update stored before) | 200 |
public struct WebhookIngress: Sendable {
    public struct Configuration: Sendable {
        /// The value Telegram sends in `X-Telegram-Bot-Api-Secret-Token` (set with setWebhook).
        public var secretToken: String?
        public var maximumBodySize: Int
        public var storageFailureStatus: Int

        public init(secretToken: String? = nil, maximumBodySize: Int = 1 << 20, storageFailureStatus: Int = 503) {
            self.secretToken = secretToken.flatMap { $0.isEmpty ? nil : $0 }
            self.maximumBodySize = maximumBodySize
            self.storageFailureStatus = storageFailureStatus
        }
    }

    /// The header Telegram puts the secret in.
    public static let secretHeaderName = "X-Telegram-Bot-Api-Secret-Token"

    public let configuration: Configuration
    private let queue: any UpdateQueue
    private let metrics: PipelineMetrics
    private let onEnqueued: @Sendable () -> Void
    private let logger: Logger

    /// - Parameter onEnqueued: called after an update is stored, so a dispatcher in the same
    ///   process starts at once instead of at its next poll.
    public init(
        configuration: Configuration, queue: any UpdateQueue, metrics: PipelineMetrics = PipelineMetrics(),
        logger: Logger = Logger(label: "ferry.ingress"), onEnqueued: @escaping @Sendable () -> Void = {}
    ) {
        self.configuration = configuration
        self.queue = queue
        self.metrics = metrics
        self.logger = logger
        self.onEnqueued = onEnqueued
    }

    /// Whether a request may be read at all: checked before its body is, so an unauthenticated
    /// caller cannot make the server buffer a megabyte.
    public func authorize(secretHeader: String?) -> IngressResponse? {
        guard let expected = configuration.secretToken else { return nil }
        guard let given = secretHeader, constantTimeEquals(Array(given.utf8), Array(expected.utf8)) else {
            metrics.rejected(.unauthorized)
            return .unauthorized
        }
        return nil
    }

    /// Checks and queues one webhook body.
    public func accept(body: [UInt8], secretHeader: String?) async -> IngressResponse {
        if let refusal = authorize(secretHeader: secretHeader) { return refusal }
        guard body.count <= configuration.maximumBodySize else {
            metrics.rejected(.tooLarge)
            return .tooLarge(limit: configuration.maximumBodySize)
        }
        let keys: UpdateRoutingKeys
        do {
            keys = try UpdateRoutingKeys.extract(from: body)
        } catch {
            metrics.rejected(.malformed)
            return .malformed("\(error)")
        }
        metrics.received()
        let update = QueuedUpdate(updateID: keys.updateID, groupID: keys.orderingKey.groupID, body: body)
        do {
            let outcome = try await queue.enqueue([update])
            if outcome == [.enqueued] {
                metrics.enqueued()
                onEnqueued()
            } else {
                metrics.duplicate()
                // Said out loud: an update that is silently not handled looks like a broken bot.
                logger.notice(
                    "update dropped: an update with this update_id was stored before (a redelivery)",
                    metadata: ["update_id": "\(keys.updateID)"]
                )
            }
            return .accepted
        } catch {
            metrics.rejected(.storageFailed)
            return IngressResponse(status: configuration.storageFailureStatus, message: "the update could not be stored; retry later")
        }
    }
}

/// What ingress answers: a status and a short plain-text reason (never the request's content).
public struct IngressResponse: Sendable, Hashable {
    public var status: Int
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public static let accepted = IngressResponse(status: 200, message: "ok")
    public static let unauthorized = IngressResponse(status: 401, message: "missing or wrong secret token")
    public static func tooLarge(limit: Int) -> IngressResponse {
        IngressResponse(status: 413, message: "the update is larger than \(limit) bytes")
    }
    public static func malformed(_ reason: String) -> IngressResponse {
        IngressResponse(status: 400, message: "not a Telegram update: \(reason)")
    }
}

/// Compares secrets in time that depends only on their lengths, so response timing does not
/// reveal how much of a guess was right.
public func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count)
    let count = max(lhs.count, rhs.count)
    for index in 0..<count {
        let a = index < lhs.count ? lhs[index] : 0
        let b = index < rhs.count ? rhs[index] : 0
        difference |= a ^ b
    }
    return difference == 0
}
