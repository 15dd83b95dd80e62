public import FerryQueue
import Logging
import Synchronization

/// The embedded ``UpdateQueue``: FIFO per group, visibility timeouts, attempts, 24-hour (by default)
/// deduplication by `update_id` and a dead-letter table, in the bot's SQLite file.
///
/// One process receives from a file (`serve` holds the data directory's lock); others may enqueue,
/// list, redrive and purge beside it. The receiving process keeps the groups' heads in memory
/// (``GroupHeads``).
///
/// Obtain it from ``SQLiteStorage/queue``.
public final class SQLiteUpdateQueue: UpdateQueue, DeadLetterStore {
    /// How long an `update_id` is remembered unless the host says otherwise: Telegram's redelivery never
    /// reaches this far.
    public static let defaultDeduplicationWindowMilliseconds: Int64 = 24 * 60 * 60 * 1000
    /// How long an `update_id` is remembered here (see ``SQLiteStorage/defaultDeduplicationWindow``).
    public let deduplicationWindowMilliseconds: Int64

    private let database: SQLiteTransactions
    private let now: @Sendable () -> Int64
    /// Touched only inside units of work, on the writer thread (``knownDepth`` only reads a count); the
    /// mutex is uncontended and makes that checkable.
    private let heads = Mutex(GroupHeads())
    /// Any failure of a unit that read or changed `heads` leaves it unknown how far it matches the file.
    private var forgetHeads: @Sendable () -> Void { { [self] in heads.withLock { $0.invalidate() } } }
    /// When expired ids were last forgotten, and how many updates arrived since.
    private let pruning = Mutex<(last: Int64?, enqueuedSince: Int)>((nil, 0))
    private static let pruneInterval: Int64 = 1_000
    /// How long a dead letter is kept (see ``SQLiteStorage/defaultDeadLetterRetention``).
    public let deadLetterRetentionMilliseconds: Int64
    /// When expired dead letters were last looked for, and how many were dead-lettered since.
    private let deadLetterPruning = Mutex<(last: Int64?, deadLetteredSince: Int)>((nil, 0))

    private let path: String
    private let logger: Logger
    private let refusal = Mutex<StorageWriteRefusal?>(nil)

    init(
        database: SQLiteTransactions, path: String, logger: Logger, deadLetterRetention: Duration,
        deduplicationWindow: Duration, now: @escaping @Sendable () -> Int64
    ) {
        self.database = database
        self.path = path
        self.logger = logger
        self.deadLetterRetentionMilliseconds = max(0, deadLetterRetention.milliseconds)
        self.deduplicationWindowMilliseconds = max(0, deduplicationWindow.milliseconds)
        self.now = now
    }

    /// Set while the store refuses updates: from an enqueue that failed (a full disk, above all) until
    /// one succeeds. `/healthz` answers 503 with it and `/metrics` shows it, so a full disk is seen
    /// before Telegram gives up redelivering.
    public var writeRefusal: StorageWriteRefusal? { refusal.withLock { $0 } }

    /// Keeps ``writeRefusal`` and logs when the store starts and stops refusing.
    private func noteEnqueue(failedWith error: (any Error)?) {
        guard let error else {
            if let ended = refusal.withLock({ state in defer { state = nil }; return state }) {
                logger.notice("the store takes updates again", metadata: ["path": "\(path)", "refused_since_ms": "\(ended.since)"])
            }
            return
        }
        // Only the store's own failures: a closed store is a host stopping, not a disk refusing.
        guard let storageError = error as? SQLiteStorageError, case .sqlite = storageError else { return }
        let started = refusal.withLock { state -> StorageWriteRefusal? in
            guard state == nil else { return nil }
            state = StorageWriteRefusal(diskFull: storageError.isDiskFull, error: "\(storageError)", since: now(), path: path)
            return state
        }
        guard let started else { return }
        if started.diskFull {
            logger.critical(
                "the disk is full: updates are refused (503, Telegram delivers them again) until space returns",
                metadata: ["path": "\(path)", "error": "\(storageError)"]
            )
        } else {
            logger.error("the store refuses updates (503, Telegram delivers them again)", metadata: ["path": "\(path)", "error": "\(storageError)"])
        }
    }

    // MARK: UpdateQueue

    /// Attempts are counted when an update is claimed and given back by a release that does not count.
    public var countsOnlyAttemptsUsed: Bool { true }

    public func enqueue(_ updates: [QueuedUpdate]) async throws -> [EnqueueOutcome] {
        guard !updates.isEmpty else { return [] }
        let now = self.now()
        // Ids expire as fast as they arrived a day before. Forgetting up to twice as many as arrived
        // since the last round keeps up at any rate, and no round is ever large: removing a whole
        // minute's ids at once held the writer (and every webhook) for as long as that took.
        let pruneLimit = pruning.withLock { state -> Int? in
            state.enqueuedSince += updates.count
            if let previous = state.last, now - previous < Self.pruneInterval { return nil }
            defer { state = (now, 0) }
            return 2 * state.enqueuedSince + 256
        }
        do {
            let outcomes = try await insert(updates, now: now, pruneLimit: pruneLimit)
            noteEnqueue(failedWith: nil)
            return outcomes
        } catch {
            noteEnqueue(failedWith: error)
            throw error
        }
    }

    private func insert(_ updates: [QueuedUpdate], now: Int64, pruneLimit: Int?) async throws -> [EnqueueOutcome] {
        let windowStart = now - deduplicationWindowMilliseconds
        // One webhook's update is one INSERT (its trigger included): no savepoint needed.
        return try await database.run(changesInOneStatement: updates.count == 1 && pruneLimit == nil) { [self] db in
            let outcomes = try updates.map { update -> EnqueueOutcome in
                // Inserted unless its id was seen in the window; a trigger remembers each inserted id, so
                // a repeat later in the same transaction is a duplicate, as a redelivery would be.
                let inserted = try db.execute(
                    """
                    INSERT INTO updates (update_id, group_id, body, enqueued_at)
                    SELECT ?1, ?2, ?3, ?4
                    WHERE NOT EXISTS (SELECT 1 FROM seen_updates WHERE update_id = ?1 AND seen_at >= ?5)
                    """,
                    [.integer(Int64(update.updateID)), .text(update.groupID), .blob(update.body), .integer(now), .integer(windowStart)]
                )
                return inserted == 1 ? .enqueued : .duplicate
            }
            if let pruneLimit {
                // Ids past the window no longer count (see the insert); forgetting them keeps the table small.
                try db.execute(
                    """
                    DELETE FROM seen_updates WHERE update_id IN
                        (SELECT update_id FROM seen_updates WHERE seen_at < ?1 ORDER BY seen_at LIMIT ?2)
                    """,
                    [.integer(windowStart), .integer(Int64(pruneLimit))]
                )
            }
            let inserted = outcomes.count { $0 == .enqueued }
            if inserted > 0 { heads.withLock { $0.noteInserted(inserted) } }
            return outcomes
        }
    }

    public func receive(maximumCount: Int, visibilityTimeout: Duration) async throws -> [ReceivedUpdate] {
        try await acknowledge([], thenReceive: maximumCount, visibilityTimeout: visibilityTimeout)
    }

    public func acknowledge(_ receipts: [QueueReceipt]) async throws {
        guard !receipts.isEmpty else { return }
        try await database.run(rolledBack: forgetHeads) { [self] db in
            try heads.withLock { heads in try Self.delete(receipts, in: db, heads: &heads) }
        }
    }

    /// One unit of work for both, so a dispatcher's round costs one hop to the writer thread.
    public func acknowledge(
        _ receipts: [QueueReceipt], thenReceive maximumCount: Int, visibilityTimeout: Duration
    ) async throws -> [ReceivedUpdate] {
        guard maximumCount > 0 || !receipts.isEmpty else { return [] }
        let now = self.now()
        let visibleAgainAt = now + visibilityTimeout.milliseconds
        let deadLetterPruneLimit = deadLetterPruneLimit(now: now)
        return try await database.run(rolledBack: forgetHeads) { [self] db in
            if let deadLetterPruneLimit {
                try Self.deleteExpiredDeadLetters(before: now - deadLetterRetentionMilliseconds, limit: deadLetterPruneLimit, in: db)
            }
            return try heads.withLock { heads in
                try Self.delete(receipts, in: db, heads: &heads)
                return try Self.receiveHeads(maximumCount, now: now, visibleAgainAt: visibleAgainAt, in: db, heads: &heads)
            }
        }
    }

    /// How many expired dead letters this round may delete, or `nil` when the last round was too recent.
    /// The receiving process's rounds (the dispatcher's, which go on while no update arrives) do it, once a
    /// second at most, as `enqueue` forgets expired ids: up to twice as many as were dead-lettered since the
    /// last round, so it keeps up at any rate without a round ever being large.
    private func deadLetterPruneLimit(now: Int64) -> Int? {
        deadLetterPruning.withLock { state -> Int? in
            if let previous = state.last, now - previous < Self.pruneInterval { return nil }
            defer { state = (now, 0) }
            return 2 * state.deadLetteredSince + 256
        }
    }

    /// Deletes up to `limit` of the oldest dead letters that were dead-lettered before `cutoff`.
    private static func deleteExpiredDeadLetters(before cutoff: Int64, limit: Int, in db: SQLiteFile) throws {
        // The oldest first, by id, which is the order they came in: when the oldest has not expired,
        // nothing has, and the round costs one row's read.
        var oldest: Int64?
        try db.query("SELECT dead_lettered_at FROM dead_letters ORDER BY id LIMIT 1") { oldest = Int64($0.integer(0)) }
        guard let oldest, oldest < cutoff else { return }
        try db.execute(
            """
            DELETE FROM dead_letters WHERE id IN
                (SELECT id FROM dead_letters WHERE dead_lettered_at < ?1 ORDER BY id LIMIT ?2)
            """,
            [.integer(cutoff), .integer(Int64(limit))]
        )
    }

    private static func delete(_ receipts: [QueueReceipt], in db: SQLiteFile, heads: inout GroupHeads) throws {
        for receipt in receipts {
            // A stale receipt (delivered again since) matches no row: the newer delivery owns it.
            if try db.execute("DELETE FROM updates WHERE seq = ? AND receipt = ?", receipt.row) == 1, !heads.removeHead(receipt.seq) {
                heads.invalidate()
            }
        }
    }

    private static func receiveHeads(
        _ maximumCount: Int, now: Int64, visibleAgainAt: Int64, in db: SQLiteFile, heads: inout GroupHeads
    ) throws -> [ReceivedUpdate] {
        guard maximumCount > 0 else { return [] }
        try readNewRows(in: db, into: &heads)
        // A group's head is its lowest seq; a row is deliverable when it is its group's head and
        // visible. A head in flight (or waiting for a retry) is invisible, so its group waits.
        var received: [ReceivedUpdate] = []
        var claimed: Set<Int64> = []
        while received.count < maximumCount, let seq = heads.popDeliverable(now: now) {
            guard claimed.insert(seq).inserted else { continue }
            // The table decides: were the heads out of date, the row would not be visible there, and
            // nothing is handed out twice.
            let changed = try db.execute(
                """
                UPDATE updates SET visible_at = ?1, attempts = attempts + 1, deliveries = deliveries + 1,
                    receipt = seq || '.' || (deliveries + 1)
                WHERE seq = ?2 AND visible_at <= ?3
                """,
                [.integer(visibleAgainAt), .integer(seq), .integer(now)]
            )
            guard changed == 1 else {
                heads.invalidate()
                break
            }
            if !heads.setVisibleAt(visibleAgainAt, ofHead: seq) { heads.invalidate() }
            received.append(try read(seq, in: db))
        }
        return received
    }

    /// Brings `heads` up to the table: every row when it is not current, else the rows added since
    /// (by this process's enqueues or another's redrive; `seq` only grows).
    private static func readNewRows(in db: SQLiteFile, into heads: inout GroupHeads) throws {
        if !heads.isCurrent { heads.startRebuild() }
        try db.query("SELECT seq, group_id, visible_at FROM updates WHERE seq > ? ORDER BY seq", [.integer(heads.readThrough)]) { row in
            guard let group = row.text(1) else { throw SQLiteStorageError.corruptRow(table: "updates") }
            heads.append(seq: Int64(row.integer(0)), group: group, visibleAt: Int64(row.integer(2)))
        }
        heads.finishedReading()
    }

    /// The delivery just claimed: its row by primary key.
    private static func read(_ seq: Int64, in db: SQLiteFile) throws -> ReceivedUpdate {
        var received: ReceivedUpdate?
        try db.query(
            "SELECT receipt, attempts, last_reason, update_id, group_id, body FROM updates WHERE seq = ?", [.integer(seq)]
        ) { row in
            guard let receipt = row.text(0) else { throw SQLiteStorageError.corruptRow(table: "updates") }
            received = ReceivedUpdate(
                receipt: QueueReceipt(receipt), update: try queuedUpdate(row, from: 3), attempts: row.integer(1),
                lastReason: row.isNull(2) ? nil : row.text(2)
            )
        }
        guard let received else { throw SQLiteStorageError.corruptRow(table: "updates") }
        return received
    }

    public func release(_ receipt: QueueReceipt, after delay: Duration, reason: String, countingAttempt: Bool) async throws {
        let visibleAt = now() + max(0, delay.milliseconds)
        let released = try await database.run(rolledBack: forgetHeads) { [self] db in
            let released = try db.execute(
                "UPDATE updates SET visible_at = ?, last_reason = ?, receipt = NULL, attempts = attempts - ? WHERE seq = ? AND receipt = ?",
                [.integer(visibleAt), .text(reason), .integer(countingAttempt ? 0 : 1)] + receipt.row
            )
            if released == 1 {
                heads.withLock { heads in
                    if !heads.setVisibleAt(visibleAt, ofHead: receipt.seq) { heads.invalidate() }
                }
            }
            return released
        }
        if released == 0 { throw StaleReceiptError(receipt: receipt) }
    }

    public func deadLetter(_ receipt: QueueReceipt, reason: String) async throws {
        let now = self.now()
        let moved = try await database.run(rolledBack: forgetHeads) { [self] db in
            let moved = try db.execute(
                """
                INSERT INTO dead_letters (update_id, group_id, body, attempts, reason, enqueued_at, dead_lettered_at)
                SELECT update_id, group_id, body, attempts, ?, enqueued_at, ? FROM updates WHERE seq = ? AND receipt = ?
                """,
                [.text(reason), .integer(now)] + receipt.row
            )
            try heads.withLock { heads in try Self.delete([receipt], in: db, heads: &heads) }
            return moved
        }
        if moved == 0 { throw StaleReceiptError(receipt: receipt) }
        deadLetterPruning.withLock { $0.deadLetteredSince += 1 }
    }

    /// Makes every update in flight deliverable now: for a host starting on storage that only it
    /// consumes, whose previous run ended (perhaps by a crash) with updates in flight. Their
    /// attempts stay counted, and their last error says the bot stopped while handling them
    /// (``ReceivedUpdate/previousDeliveryStoppedTheBot``). Returns how many there were.
    @discardableResult
    public func recoverInFlight() async throws -> Int {
        try await database.run(rolledBack: forgetHeads) { [self] db in
            let recovered = try db.execute(
                "UPDATE updates SET visible_at = 0, receipt = NULL, last_reason = ? WHERE receipt IS NOT NULL",
                [.text(ReceivedUpdate.stoppedWhileHandling)]
            )
            heads.withLock { $0.invalidate() }
            return recovered
        }
    }

    /// The highest `update_id` this file holds or remembers (queued, dead-lettered, or seen within the
    /// deduplication window); `nil` when it has none. A simulated Telegram starts its ids above it, so
    /// none of its updates is dropped as a duplicate of an earlier run's.
    public func highestUpdateID() async throws -> Int? {
        try await database.run { db in
            var highest: Int?
            try db.query(
                """
                SELECT MAX(id) FROM (SELECT MAX(update_id) AS id FROM seen_updates UNION ALL SELECT MAX(update_id) FROM updates
                    UNION ALL SELECT MAX(update_id) FROM dead_letters)
                """
            ) { row in highest = row.isNull(0) ? nil : row.integer(0) }
            return highest
        }
    }

    /// Updates waiting or in flight.
    public func depth() async throws -> Int {
        try await database.run { db in try db.count("SELECT COUNT(*) FROM updates") }
    }

    /// Updates waiting or in flight as the receiving process knows them, from memory: what `/metrics`
    /// shows, at no cost to the writer (a `COUNT(*)` scan per scrape held every webhook behind it).
    /// Nil before this process first received, and after a failure until it receives again.
    public var knownDepth: Int? { heads.withLock { $0.depth } }

    // MARK: DeadLetterStore

    public func deadLetters(limit: Int) async throws -> [DeadLetterRecord] {
        try await database.run { db in
            var records: [DeadLetterRecord] = []
            try db.query("SELECT \(deadLetterColumns) FROM dead_letters ORDER BY id LIMIT ?", [.integer(Int64(max(0, limit)))]) { row in
                records.append(try deadLetterRecord(row))
            }
            return records
        }
    }

    public func deadLetter(id: String) async throws -> DeadLetterRecord? {
        guard let rowID = Int64(id) else { return nil }
        return try await database.run { db in
            var record: DeadLetterRecord?
            try db.query("SELECT \(deadLetterColumns) FROM dead_letters WHERE id = ?", [.integer(rowID)]) { record = try deadLetterRecord($0) }
            return record
        }
    }

    /// Read from the count that triggers keep (see `SQLiteSchema`): one row, however many dead letters.
    public func deadLetterCount() async throws -> Int {
        try await database.run { db in try db.count("SELECT value FROM counters WHERE name = 'dead_letters'") }
    }

    @discardableResult
    public func redrive(ids: [String]) async throws -> Int {
        // In the order they were dead-lettered, whatever order the ids came in.
        let rowIDs = Set(ids.compactMap { Int64($0) }).sorted()
        guard !rowIDs.isEmpty else { return 0 }
        return try await database.run { db in
            try rowIDs.reduce(0) { moved, id in moved + (try moveBack(db, where: "id = ?", [.integer(id)])) }
        }
    }

    @discardableResult
    public func redriveAll() async throws -> Int {
        try await database.run { db in try moveBack(db, where: "1", []) }
    }

    @discardableResult
    public func purgeDeadLetters() async throws -> Int {
        try await database.run { db in try db.execute("DELETE FROM dead_letters") }
    }
}

/// Redrive: back at the end of their groups, in the order they were dead-lettered, with fresh
/// attempts. They skip deduplication: their ids are known on purpose.
private func moveBack(_ db: SQLiteFile, where condition: StaticString, _ binds: [SQLiteValue]) throws -> Int {
    let moved = try db.execute(
        """
        INSERT INTO updates (update_id, group_id, body, enqueued_at)
        SELECT update_id, group_id, body, enqueued_at FROM dead_letters WHERE \(condition) ORDER BY id
        """,
        binds
    )
    try db.execute("DELETE FROM dead_letters WHERE \(condition)", binds)
    return moved
}

// MARK: - Rows

extension QueueReceipt {
    /// Binds `seq = ? AND receipt = ?`: the receipt names its row (`seq.delivery`, see `receive`), so
    /// finding it is a primary-key lookup instead of a scan of the queue. A receipt that is not
    /// this queue's matches no row, as a stale one does.
    fileprivate var row: [SQLiteValue] { [.integer(seq), .text(rawValue)] }

    /// The `seq` of the row the receipt names; -1, which no row has, for one that is not this queue's.
    fileprivate var seq: Int64 { rawValue.split(separator: ".", maxSplits: 1).first.flatMap { Int64($0) } ?? -1 }
}

/// Reads `update_id, group_id, body` starting at `column`.
private func queuedUpdate(_ row: SQLiteRow, from column: Int32) throws -> QueuedUpdate {
    guard let groupID = row.text(column + 1), let body = row.blob(column + 2) else { throw SQLiteStorageError.corruptRow(table: "updates") }
    return QueuedUpdate(updateID: row.integer(column), groupID: groupID, body: body)
}

private let deadLetterColumns = "id, attempts, reason, enqueued_at, dead_lettered_at, update_id, group_id, body"

private func deadLetterRecord(_ row: SQLiteRow) throws -> DeadLetterRecord {
    guard let reason = row.text(2) else { throw SQLiteStorageError.corruptRow(table: "dead_letters") }
    return DeadLetterRecord(
        id: String(row.integer(0)), update: try queuedUpdate(row, from: 5), attempts: row.integer(1), reason: reason,
        enqueuedAt: Int64(row.integer(3)), deadLetteredAt: Int64(row.integer(4))
    )
}

extension SQLiteFile {
    /// The single integer a `SELECT COUNT(*)` answers.
    func count(_ sql: String) throws -> Int {
        var count = 0
        try query(sql) { count = $0.integer(0) }
        return count
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
