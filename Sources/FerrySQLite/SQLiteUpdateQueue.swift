public import FerryQueue
import NIOCore
import SQLiteNIO
import Synchronization

/// The embedded ``UpdateQueue``: FIFO per group, visibility timeouts, attempts, 24-hour
/// deduplication by `update_id` and a dead-letter table, in the bot's SQLite file.
///
/// Obtain it from ``SQLiteStorage/queue``.
public final class SQLiteUpdateQueue: UpdateQueue, DeadLetterStore {
    /// How long an `update_id` is remembered: Telegram's redelivery never reaches this far.
    public static let deduplicationWindowMilliseconds: Int64 = 24 * 60 * 60 * 1000

    private let database: SQLiteTransactions
    private let now: @Sendable () -> Int64
    /// Rows per statement for batch inserts and deletes: well under SQLite's variable limit.
    private let rowsPerStatement = 200
    /// When expired ids were last forgotten, and how often to look for more.
    private let lastPrune = Mutex<Int64?>(nil)
    private static let pruneInterval: Int64 = 60_000

    init(database: SQLiteTransactions, now: @escaping @Sendable () -> Int64) {
        self.database = database
        self.now = now
    }

    // MARK: UpdateQueue

    public func enqueue(_ updates: [QueuedUpdate]) async throws -> [EnqueueOutcome] {
        guard !updates.isEmpty else { return [] }
        let now = self.now()
        let chunkSize = rowsPerStatement
        let prunesNow = lastPrune.withLock { last in
            if let previous = last, now - previous < Self.pruneInterval { return false }
            last = now
            return true
        }
        return try await database.run { db in
            var outcomes: [EnqueueOutcome] = []
            outcomes.reserveCapacity(updates.count)
            for chunk in updates.chunks(of: chunkSize) {
                // One statement per chunk: insert what was not seen in the window; a trigger remembers
                // each inserted id. A repeat inside the chunk is a duplicate, as a redelivery would be.
                var firstInChunk = Set<Int>()
                var rows: [SQLiteData] = []
                for update in chunk where firstInChunk.insert(update.updateID).inserted {
                    rows += [.integer(update.updateID), .text(update.groupID), .blob(ByteBuffer(bytes: update.body)), .integer(Int(now))]
                }
                let inserted = try await db.query(
                    """
                    INSERT INTO updates (update_id, group_id, body, enqueued_at)
                    SELECT column1, column2, column3, column4 FROM (VALUES \(placeholders(rows: rows.count / 4, columns: 4))) AS incoming
                    WHERE NOT EXISTS (
                        SELECT 1 FROM seen_updates WHERE seen_updates.update_id = incoming.column1 AND seen_updates.seen_at >= ?
                    )
                    RETURNING update_id
                    """,
                    rows + [.integer(Int(now - Self.deduplicationWindowMilliseconds))]
                )
                var newIDs = Set(inserted.compactMap { $0.column("update_id")?.integer })
                for update in chunk {
                    outcomes.append(newIDs.remove(update.updateID) != nil ? .enqueued : .duplicate)
                }
            }
            if prunesNow {
                // Ids past the window no longer count (see the insert); forget them now and then so the
                // table stays small.
                _ = try await db.query(
                    "DELETE FROM seen_updates WHERE seen_at < ?",
                    [.integer(Int(now - Self.deduplicationWindowMilliseconds))]
                )
            }
            return outcomes
        }
    }

    public func receive(maximumCount: Int, visibilityTimeout: Duration) async throws -> [ReceivedUpdate] {
        guard maximumCount > 0 else { return [] }
        let now = self.now()
        let visibleAgainAt = now + visibilityTimeout.milliseconds
        return try await database.run { db in
            // A group's head is its lowest seq; a row is deliverable when it is its group's head and
            // visible. A head in flight (or waiting for a retry) is invisible, so its group waits.
            let rows = try await db.query(
                """
                UPDATE updates
                SET visible_at = ?1, attempts = attempts + 1, deliveries = deliveries + 1,
                    receipt = seq || '.' || (deliveries + 1)
                WHERE seq IN (
                    SELECT u.seq FROM updates AS u
                    WHERE u.visible_at <= ?2
                      AND NOT EXISTS (SELECT 1 FROM updates AS o WHERE o.group_id = u.group_id AND o.seq < u.seq)
                    ORDER BY u.seq
                    LIMIT ?3
                )
                RETURNING seq, update_id, group_id, body, attempts, receipt, last_error
                """,
                [.integer(Int(visibleAgainAt)), .integer(Int(now)), .integer(maximumCount)]
            )
            return try rows
                .map { row -> (Int, ReceivedUpdate) in
                    guard let seq = row.column("seq")?.integer, let receipt = row.column("receipt")?.string,
                          let attempts = row.column("attempts")?.integer
                    else { throw SQLiteStorageError.corruptRow(table: "updates") }
                    let lastError = row.column("last_error").flatMap { $0.isNull ? nil : $0.string }
                    return (seq, ReceivedUpdate(receipt: QueueReceipt(receipt), update: try queuedUpdate(row), attempts: attempts, lastError: lastError))
                }
                .sorted { $0.0 < $1.0 }
                .map(\.1)
        }
    }

    public func acknowledge(_ receipts: [QueueReceipt]) async throws {
        guard !receipts.isEmpty else { return }
        let chunkSize = rowsPerStatement
        try await database.run { db in
            for chunk in receipts.chunks(of: chunkSize) {
                // A stale receipt (delivered again since) matches no row: the newer delivery owns it.
                _ = try await db.query(
                    "DELETE FROM updates WHERE receipt IN \(placeholders(rows: 1, columns: chunk.count))",
                    chunk.map { .text($0.rawValue) }
                )
            }
        }
    }

    public func release(_ receipt: QueueReceipt, after delay: Duration, error: String, countingAttempt: Bool) async throws {
        let visibleAt = now() + max(0, delay.milliseconds)
        let released = try await database.run { db in
            try await db.query(
                """
                UPDATE updates SET visible_at = ?, last_error = ?, receipt = NULL,
                    attempts = attempts - ?
                WHERE receipt = ? RETURNING seq
                """,
                [.integer(Int(visibleAt)), .text(error), .integer(countingAttempt ? 0 : 1), .text(receipt.rawValue)]
            ).count
        }
        if released == 0 { throw StaleReceiptError(receipt: receipt) }
    }

    public func deadLetter(_ receipt: QueueReceipt, reason: String) async throws {
        let now = self.now()
        let moved = try await database.run { db in
            let rows = try await db.query(
                """
                INSERT INTO dead_letters (update_id, group_id, body, attempts, reason, enqueued_at, dead_lettered_at)
                SELECT update_id, group_id, body, attempts, ?, enqueued_at, ? FROM updates WHERE receipt = ?
                RETURNING id
                """,
                [.text(reason), .integer(Int(now)), .text(receipt.rawValue)]
            )
            _ = try await db.query("DELETE FROM updates WHERE receipt = ?", [.text(receipt.rawValue)])
            return rows.count
        }
        if moved == 0 { throw StaleReceiptError(receipt: receipt) }
    }

    /// Makes every update in flight deliverable now: for a host starting on storage that only it
    /// consumes, whose previous run ended (perhaps by a crash) with updates in flight. Their
    /// attempts stay counted. Returns how many there were.
    @discardableResult
    public func recoverInFlight() async throws -> Int {
        try await database.run { db in
            try await db.query("UPDATE updates SET visible_at = 0, receipt = NULL WHERE receipt IS NOT NULL RETURNING seq").count
        }
    }

    /// Updates waiting or in flight.
    public func depth() async throws -> Int {
        try await database.run { db in
            try await db.query("SELECT COUNT(*) AS n FROM updates").first?.column("n")?.integer ?? 0
        }
    }

    // MARK: DeadLetterStore

    public func deadLetters(limit: Int) async throws -> [DeadLetterRecord] {
        try await database.run { db in
            try await db.query("SELECT * FROM dead_letters ORDER BY id LIMIT ?", [.integer(max(0, limit))]).map(deadLetterRecord)
        }
    }

    public func deadLetter(id: String) async throws -> DeadLetterRecord? {
        guard let rowID = Int(id) else { return nil }
        return try await database.run { db in
            try await db.query("SELECT * FROM dead_letters WHERE id = ?", [.integer(rowID)]).first.map(deadLetterRecord)
        }
    }

    public func deadLetterCount() async throws -> Int {
        try await database.run { db in
            try await db.query("SELECT COUNT(*) AS n FROM dead_letters").first?.column("n")?.integer ?? 0
        }
    }

    @discardableResult
    public func redrive(ids: [String]) async throws -> Int {
        let rowIDs = ids.compactMap { Int($0) }
        guard !rowIDs.isEmpty else { return 0 }
        return try await moveBack(where: "id IN \(placeholders(rows: 1, columns: rowIDs.count))", rowIDs.map { .integer($0) })
    }

    @discardableResult
    public func redriveAll() async throws -> Int {
        try await moveBack(where: "1", [])
    }

    @discardableResult
    public func purgeDeadLetters() async throws -> Int {
        try await database.run { db in
            try await db.query("DELETE FROM dead_letters RETURNING id").count
        }
    }

    /// Redrive: back at the end of their groups, in the order they were dead-lettered, with fresh
    /// attempts. They skip deduplication: their ids are known on purpose.
    private func moveBack(where condition: String, _ binds: [SQLiteData]) async throws -> Int {
        try await database.run { db in
            let moved = try await db.query(
                """
                INSERT INTO updates (update_id, group_id, body, enqueued_at)
                SELECT update_id, group_id, body, enqueued_at FROM dead_letters WHERE \(condition) ORDER BY id
                RETURNING seq
                """,
                binds
            )
            _ = try await db.query("DELETE FROM dead_letters WHERE \(condition)", binds)
            return moved.count
        }
    }
}

// MARK: - Rows

private func placeholders(rows: Int, columns: Int) -> String {
    let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
    return Array(repeating: row, count: rows).joined(separator: ", ")
}

private func queuedUpdate(_ row: SQLiteRow) throws -> QueuedUpdate {
    guard let updateID = row.column("update_id")?.integer, let groupID = row.column("group_id")?.string,
          case .blob(let body)? = row.column("body")
    else { throw SQLiteStorageError.corruptRow(table: "updates") }
    return QueuedUpdate(updateID: updateID, groupID: groupID, body: Array(body.readableBytesView))
}

private func deadLetterRecord(_ row: SQLiteRow) throws -> DeadLetterRecord {
    guard let id = row.column("id")?.integer, let attempts = row.column("attempts")?.integer,
          let reason = row.column("reason")?.string, let enqueuedAt = row.column("enqueued_at")?.integer,
          let deadLetteredAt = row.column("dead_lettered_at")?.integer
    else { throw SQLiteStorageError.corruptRow(table: "dead_letters") }
    return DeadLetterRecord(
        id: String(id), update: try queuedUpdate(row), attempts: attempts, reason: reason,
        enqueuedAt: Int64(enqueuedAt), deadLetteredAt: Int64(deadLetteredAt)
    )
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

extension Array {
    func chunks(of size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
