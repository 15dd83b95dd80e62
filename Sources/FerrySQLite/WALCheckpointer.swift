import NIOPosix
import Synchronization

/// Copies the write-ahead log back into the database file, mostly on a connection and thread of its own.
///
/// SQLite checkpoints by itself inside the commit that takes the log past 1,000 frames: that commit then
/// copies every page back and fsyncs the database file before its callers hear back, which made about one
/// webhook in a hundred wait 10 ms or more. Here a passive checkpoint from another connection does that
/// copying beside the writer (WAL lets them overlap). It cannot finish the job alone: the writer appends
/// while it copies, and SQLite starts the log over only once every frame is copied. So when it is done,
/// the writer copies the few frames committed meanwhile itself, between two transactions, and its next
/// commit starts the log over.
final class WALCheckpointer: Sendable {
    /// The log's length in frames after the latest commit, as SQLite reports it to the writer's connection.
    final class LogLength: Sendable {
        let frames = Atomic<Int>(0)
    }

    /// A quarter of SQLite's own threshold (1,000): the copy I/O of a checkpoint shares the disk with the
    /// log's fsyncs, and smaller, more frequent rounds delay those less. Ingress at half load, p99:
    /// 8.7-10.6 ms with 1,000 frames, 6.8-8.3 with 500, 5.3-6.5 with 250, 15-17 with 4,000.
    static let thresholdFrames = 256
    /// A handful of commits' frames: the writer copies these itself, between two transactions.
    static let framesLeftForTheWriter = 64
    static let maximumPasses = 4

    private enum Phase: Int {
        case idle = 0, copying = 1, copied = 2
    }

    let logLength = LogLength()
    /// The checkpointing connection, only used on `thread`; the mutex makes that checkable.
    private let file: Mutex<SQLiteFile>
    private let thread: NIOThreadPool
    private let phase = Atomic<Int>(Phase.idle.rawValue)

    init(path: String) throws {
        let file = try SQLiteFile(path: path)
        try file.executeUncached("PRAGMA busy_timeout = 10000", [])
        self.file = Mutex(file)
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    /// Called on the writer thread after each commit, with the writer's connection and no transaction open.
    func commitFinished(writer: SQLiteFile) {
        if phase.load(ordering: .acquiring) == Phase.copied.rawValue {
            // PASSIVE never waits for readers or writers. A failure leaves the log for the next round.
            _ = try? writer.executeUncached("PRAGMA wal_checkpoint(PASSIVE)", [])
            phase.store(Phase.idle.rawValue, ordering: .releasing)
            return
        }
        guard logLength.frames.load(ordering: .relaxed) >= Self.thresholdFrames,
            phase.compareExchange(
                expected: Phase.idle.rawValue, desired: Phase.copying.rawValue, ordering: .acquiringAndReleasing
            ).exchanged
        else { return }
        thread.submit { [self] _ in
            file.withLock { file in
                // Again while the writer appended much during the last pass, so that what is left for the
                // writer's own pass (and its fsync) is small. A failure (a `dlq` command checkpointing at the
                // same moment) leaves the log for the next round.
                for _ in 0..<Self.maximumPasses {
                    var uncopied = 0
                    try? file.query("PRAGMA wal_checkpoint(PASSIVE)") { row in uncopied = row.integer(1) - row.integer(2) }
                    if uncopied <= Self.framesLeftForTheWriter { break }
                }
            }
            phase.store(Phase.copied.rawValue, ordering: .releasing)
        }
    }

    /// Lets a running checkpoint finish, then closes the connection.
    func close() async throws {
        try await thread.shutdownGracefully()
        file.withLock { $0.close() }
    }
}
