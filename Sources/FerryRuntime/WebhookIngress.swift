public import FerryQueue
import FoundationEssentials
public import Logging
import TelegramBotAPI

/// The front door of every host: checks one webhook request and queues its update durably. The
/// local HTTP server and the webhook Lambda both answer Telegram with what this decides, so the
/// rules are the same everywhere:
///
/// | request | answer |
/// | --- | --- |
/// | shaped like a browser's: a cross-site `Origin` or `Sec-Fetch-Site` | 403 |
/// | a content type other than JSON | 415 |
/// | secret configured and header missing or different | 401 |
/// | body larger than the limit (1 MiB) | 413 |
/// | not JSON, or no integer `update_id` | 400 |
/// | queue failed to store it | `storageFailureStatus` (503 locally, 500 on Lambda): Telegram redelivers |
/// | stored (or a duplicate of an update stored before) | 200 |
public struct WebhookIngress: Sendable {
    public struct Configuration: Sendable {
        /// The value Telegram sends in `X-Telegram-Bot-Api-Secret-Token` (set with setWebhook).
        public var secretToken: String?
        /// The secret a rotation replaced, still accepted for a while (see ``RetiringSecret``).
        public var retiringSecret: RetiringSecret?
        public var maximumBodySize: Int
        public var storageFailureStatus: Int

        public init(
            secretToken: String? = nil, retiringSecret: RetiringSecret? = nil, maximumBodySize: Int = 1 << 20, storageFailureStatus: Int = 503
        ) {
            self.secretToken = secretToken.flatMap { $0.isEmpty ? nil : $0 }
            self.retiringSecret = retiringSecret.flatMap { $0.token.isEmpty ? nil : $0 }
            self.maximumBodySize = maximumBodySize
            self.storageFailureStatus = storageFailureStatus
        }
    }

    /// A webhook secret on its way out: after a rotation, Telegram may still send the old one until it has the
    /// new one, and for deliveries it retries; it is accepted until `acceptedUntil`, then refused.
    public struct RetiringSecret: Sendable, Hashable {
        public var token: String
        /// Seconds since 1970.
        public var acceptedUntil: Int

        public init(token: String, acceptedUntil: Int) {
            self.token = token
            self.acceptedUntil = acceptedUntil
        }

        /// Parses `<secret> <unix seconds>`, as the deploy step stores it; `nil` for anything else.
        public init?(stored: String) {
            let parts = stored.split(separator: " ")
            guard parts.count == 2, let until = Int(parts[1]) else { return nil }
            self.init(token: String(parts[0]), acceptedUntil: until)
        }

        func accepts(_ given: [UInt8], now: Int) -> Bool {
            // Compared even when expired, so timing does not tell whether a rotation is under way.
            let matches = constantTimeEquals(given, Array(token.utf8))
            return matches && now < acceptedUntil
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

    /// Whether a request may be read at all, from its headers: checked before its body is, so an
    /// unauthenticated caller cannot make the server buffer a megabyte.
    ///
    /// Telegram posts JSON from its servers, never from a browser. A web page the bot's owner visits can
    /// still reach a webhook on their own machine or anywhere else; without a preflight it can only send
    /// `text/plain`, form or multipart bodies, and a browser marks the request with `Origin` and
    /// `Sec-Fetch-Site`. Refusing those shapes keeps pages out even where no secret is checked.
    public func screen(_ head: WebhookRequestHead) -> IngressResponse? {
        if let refusal = head.browserRefusal {
            metrics.rejected(.browserShaped)
            return refusal
        }
        return authorize(secretHeader: head.secret)
    }

    /// Whether the secret header is the configured one (any request passes when none is configured), or the
    /// retiring one while it is still accepted.
    public func authorize(secretHeader: String?) -> IngressResponse? {
        guard let expected = configuration.secretToken else { return nil }
        if let given = secretHeader.map({ Array($0.utf8) }) {
            let current = constantTimeEquals(given, Array(expected.utf8))
            let retiring = configuration.retiringSecret?.accepts(given, now: Int(Date().timeIntervalSince1970)) ?? false
            if current || retiring { return nil }
        }
        metrics.rejected(.unauthorized)
        return .unauthorized
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
        let update = QueuedUpdate(updateID: keys.updateID, groupID: keys.group.id, body: body)
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
    public static let crossSite = IngressResponse(status: 403, message: "webhook requests come from Telegram, not from web pages")
    public static let notJSON = IngressResponse(status: 415, message: "a webhook update is sent as application/json")
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

/// The headers of a webhook request that decide whether it is read at all.
public struct WebhookRequestHead: Sendable {
    /// `X-Telegram-Bot-Api-Secret-Token`.
    public var secret: String?
    public var contentType: String?
    public var origin: String?
    public var secFetchSite: String?
    /// `Host`, for telling a same-origin `Origin` from a cross-site one.
    public var host: String?

    public init(secret: String?, contentType: String?, origin: String? = nil, secFetchSite: String? = nil, host: String? = nil) {
        self.secret = secret
        self.contentType = contentType
        self.origin = origin
        self.secFetchSite = secFetchSite
        self.host = host
    }

    /// The refusal for a request a browser sent from another site, or one whose body is not JSON.
    var browserRefusal: IngressResponse? {
        if let site = secFetchSite?.trimmingASCIIWhitespace().lowercased(), site != "same-origin", site != "none" {
            return .crossSite
        }
        if let origin = origin?.trimmingASCIIWhitespace().lowercased(), !isSameOrigin(origin) {
            return .crossSite
        }
        let mediaType = contentType?.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingASCIIWhitespace().lowercased() }
        guard mediaType == "application/json" else { return .notJSON }
        return nil
    }

    /// An `Origin` of `scheme://host[:port]` naming the host the request was sent to.
    private func isSameOrigin(_ origin: String) -> Bool {
        guard let host = host?.trimmingASCIIWhitespace().lowercased(), !host.isEmpty,
              let separator = origin.firstRange(of: "://")
        else { return false }
        return origin[separator.upperBound...] == host[...]
    }
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
