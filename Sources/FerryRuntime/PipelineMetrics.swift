import Metrics

/// The pipeline's counters, gauges and timers, through swift-metrics: whatever backend the host
/// bootstraps (Prometheus in `serve`) sees them; without one they cost nothing.
public struct PipelineMetrics: Sendable {
    public enum Rejection: String, Sendable {
        case unauthorized, tooLarge = "too_large", malformed, storageFailed = "storage_failed"
    }

    private let receivedCounter = Counter(label: "ferry_updates_received_total")
    private let enqueuedCounter = Counter(label: "ferry_updates_enqueued_total")
    private let duplicateCounter = Counter(label: "ferry_updates_duplicate_total")
    private let handledCounter = Counter(label: "ferry_updates_handled_total")
    private let retriedCounter = Counter(label: "ferry_updates_retried_total")
    private let rateLimitedCounter = Counter(label: "ferry_updates_rate_limited_total")
    private let deadLetteredCounter = Counter(label: "ferry_updates_dead_lettered_total")
    private let depthGauge = Gauge(label: "ferry_queue_depth")
    private let deadLetterGauge = Gauge(label: "ferry_dead_letters")
    private let handlerTimer = Timer(label: "ferry_handler_duration_seconds", preferredDisplayUnit: .seconds)

    public init() {}

    func received() { receivedCounter.increment() }
    func enqueued() { enqueuedCounter.increment() }
    func duplicate() { duplicateCounter.increment() }
    func handled() { handledCounter.increment() }
    func retried() { retriedCounter.increment() }
    func rateLimited() { rateLimitedCounter.increment() }
    func deadLettered() { deadLetteredCounter.increment() }
    func rejected(_ reason: Rejection) {
        Counter(label: "ferry_updates_rejected_total", dimensions: [("reason", reason.rawValue)]).increment()
    }
    func handlerDuration(_ duration: Duration) {
        handlerTimer.recordNanoseconds(duration.nanoseconds)
    }
    public func queueDepth(_ depth: Int) { depthGauge.record(depth) }
    public func deadLetters(_ count: Int) { deadLetterGauge.record(count) }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
