public import FerryQueue
public import FerrySQLite
import FerryRuntime

/// The queue a ``LocalHost`` runs over, with what the host may do with it beyond ``UpdateQueue``.
///
/// Two queues differ in who else consumes them. The data directory's SQLite queue has this host as its only
/// consumer (`serve` holds the directory's lock): what a previous run left in flight was cut off by its end, and
/// the host knows its depth, its dead letters and whether the disk refuses writes. A queue several machines share
/// (SQS FIFO through `serve --queue sqs`) is not this host's alone: updates another machine holds are not this
/// one's, a stopped machine's come back by themselves when their visibility timeout ends, and Telegram lets only
/// one `getUpdates` caller in at a time, so there is no long polling over it.
public struct HostedQueue: Sendable {
    public let queue: any UpdateQueue
    /// Takes back what a previous run left in flight; nil when the host is not the queue's only consumer.
    let takeBackInFlight: (@Sendable () async throws -> Int)?
    /// Sets the queue's own figures on the pipeline metrics before a scrape.
    let reportFigures: @Sendable (PipelineMetrics) async -> Void
    /// Why the queue cannot take updates now, for `/healthz`; nil when it can.
    let unhealthy: @Sendable () -> String?
    /// Whether long polling may feed this queue.
    let allowsPolling: Bool

    /// The embedded queue of the data directory, whose only consumer is this host.
    public static func embedded(_ storage: SQLiteStorage) -> HostedQueue {
        HostedQueue(
            queue: storage.queue,
            takeBackInFlight: { try await storage.queue.recoverInFlight() },
            // From memory and one counter row: a scrape never scans a table on the writer, which every
            // webhook waits for (with a million dead letters, two COUNT(*) per scrape stalled webhooks for seconds).
            reportFigures: { metrics in
                if let depth = storage.queue.knownDepth { metrics.queueDepth(depth) }
                if let count = try? await storage.queue.deadLetterCount() { metrics.deadLetters(count) }
                let refusal = storage.queue.writeRefusal
                metrics.storageRefusing(refusal != nil, diskFull: refusal?.diskFull == true)
            },
            unhealthy: { storage.queue.writeRefusal.map(\.description) },
            allowsPolling: true
        )
    }

    /// This queue with every call the host's ingress and dispatcher make to it going through the queue
    /// `decorate` returns, which forwards them to the one it is given (to observe what the pipeline does
    /// with each update, as FerryTesting's pipeline harness does). What only the queue's owner does (taking
    /// back updates in flight, its figures, its health) still goes to the queue itself.
    public func decorated(by decorate: (any UpdateQueue) -> any UpdateQueue) -> HostedQueue {
        HostedQueue(
            queue: decorate(queue), takeBackInFlight: takeBackInFlight, reportFigures: reportFigures, unhealthy: unhealthy,
            allowsPolling: allowsPolling
        )
    }

    /// A queue other machines take updates from too.
    public static func shared(_ queue: any UpdateQueue) -> HostedQueue {
        HostedQueue(queue: queue, takeBackInFlight: nil, reportFigures: { _ in }, unhealthy: { nil }, allowsPolling: false)
    }
}
