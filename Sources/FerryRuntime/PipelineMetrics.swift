public import Metrics

/// The pipeline's counters, gauges and timers, through swift-metrics: whatever backend the host
/// bootstraps (Prometheus in `serve`) sees them; without one they cost nothing.
public struct PipelineMetrics: Sendable {
    public enum Rejection: String, Sendable {
        case unauthorized, tooLarge = "too_large", malformed, storageFailed = "storage_failed"
        /// Sent by a web browser (cross-site, or not JSON), never by Telegram.
        case browserShaped = "browser_shaped"
    }

    private let factory: any MetricsFactory
    private let receivedCounter: Counter
    private let enqueuedCounter: Counter
    private let duplicateCounter: Counter
    private let handledCounter: Counter
    private let retriedCounter: Counter
    private let rateLimitedCounter: Counter
    private let deadLetteredCounter: Counter
    private let depthGauge: Gauge
    private let deadLetterGauge: Gauge
    private let handlerTimer: Timer
    private let refusingGauge: Gauge
    private let diskFullGauge: Gauge

    /// - Parameter factory: where the metrics go; by default the process's bootstrapped backend.
    public init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        receivedCounter = Counter(label: "ferry_updates_received_total", factory: factory)
        enqueuedCounter = Counter(label: "ferry_updates_enqueued_total", factory: factory)
        duplicateCounter = Counter(label: "ferry_updates_duplicate_total", factory: factory)
        handledCounter = Counter(label: "ferry_updates_handled_total", factory: factory)
        retriedCounter = Counter(label: "ferry_updates_retried_total", factory: factory)
        rateLimitedCounter = Counter(label: "ferry_updates_rate_limited_total", factory: factory)
        deadLetteredCounter = Counter(label: "ferry_updates_dead_lettered_total", factory: factory)
        depthGauge = Gauge(label: "ferry_queue_depth", factory: factory)
        deadLetterGauge = Gauge(label: "ferry_dead_letters", factory: factory)
        handlerTimer = Timer(label: "ferry_handler_duration_seconds", factory: factory)
        refusingGauge = Gauge(label: "ferry_storage_refusing_updates", factory: factory)
        diskFullGauge = Gauge(label: "ferry_storage_disk_full", factory: factory)
    }

    func received() { receivedCounter.increment() }
    func enqueued() { enqueuedCounter.increment() }
    func duplicate() { duplicateCounter.increment() }
    func handled() { handledCounter.increment() }
    func retried() { retriedCounter.increment() }
    func rateLimited() { rateLimitedCounter.increment() }
    func deadLettered() { deadLetteredCounter.increment() }
    func rejected(_ reason: Rejection) {
        Counter(label: "ferry_updates_rejected_total", dimensions: [("reason", reason.rawValue)], factory: factory).increment()
    }
    func handlerDuration(_ duration: Duration) {
        handlerTimer.recordNanoseconds(duration.nanoseconds)
    }
    public func queueDepth(_ depth: Int) { depthGauge.record(depth) }
    public func deadLetters(_ count: Int) { deadLetterGauge.record(count) }
    /// 1 while the store refuses updates (webhooks answered 503), and `diskFull` says whether for lack of space.
    public func storageRefusing(_ refusing: Bool, diskFull: Bool) {
        refusingGauge.record(refusing ? 1 : 0)
        diskFullGauge.record(diskFull ? 1 : 0)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
