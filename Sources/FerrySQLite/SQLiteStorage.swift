public import Logging
import FoundationEssentials

/// The embedded storage of a bot: one SQLite file holding the update queue, the dead letters and
/// the sessions.
///
/// Several processes may open the same file (the `dlq` commands run beside `serve`); SQLite's
/// write-ahead log lets readers go on while one writer commits, and writers wait for each other.
///
/// ```swift
/// let storage = try await SQLiteStorage.open(directory: "/var/lib/mybot")
/// let bot = Bot(api: client)
/// bot.use(session(initial: Counter(), store: storage.sessions))
/// ```
public final class SQLiteStorage: Sendable {
    /// The file's name inside the data directory.
    public static let fileName = "ferry.sqlite"

    public let path: String
    public let queue: SQLiteUpdateQueue
    public let sessions: SQLiteSessionStore
    private let database: SQLiteTransactions

    private init(
        path: String, database: SQLiteTransactions, logger: Logger, deadLetterRetention: Duration,
        deduplicationWindow: Duration, now: @escaping @Sendable () -> Int64
    ) {
        self.path = path
        self.database = database
        self.queue = SQLiteUpdateQueue(
            database: database, path: path, logger: logger, deadLetterRetention: deadLetterRetention,
            deduplicationWindow: deduplicationWindow, now: now
        )
        self.sessions = SQLiteSessionStore(database: database, now: now)
    }

    /// How long a dead letter is kept unless redriven or purged first: 30 days, as long as a deployed
    /// stage keeps its dead letters.
    public static let defaultDeadLetterRetention: Duration = .seconds(30 * 24 * 60 * 60)

    /// How long an `update_id` is remembered to drop Telegram's redeliveries: 24 hours, longer than
    /// Telegram keeps an update. The table holds one row per update of the window, so a bot taking
    /// 1,000 updates a second keeps about 86 million; a shorter window trades that disk for the risk
    /// of handling twice an update redelivered after it.
    public static let defaultDeduplicationWindow: Duration = .milliseconds(SQLiteUpdateQueue.defaultDeduplicationWindowMilliseconds)

    /// Opens (creating when missing) the storage in `directory`, creating the directory too, private to
    /// the user running the bot (see ``DataDirectory``).
    ///
    /// - Parameter deadLetterRetention: how long a dead letter is kept; older ones are deleted by a
    ///   receiving process, a bounded number at a time.
    /// - Parameter deduplicationWindow: how long an `update_id` is remembered (see
    ///   ``defaultDeduplicationWindow``).
    /// - Parameter now: milliseconds since 1970; tests move time forward with it.
    public static func open(
        directory: String,
        logger: Logger = Logger(label: "ferry.sqlite"),
        deadLetterRetention: Duration = defaultDeadLetterRetention,
        deduplicationWindow: Duration = defaultDeduplicationWindow,
        now: @escaping @Sendable () -> Int64 = SQLiteStorage.wallClockMilliseconds
    ) async throws -> SQLiteStorage {
        try DataDirectory.prepare(directory)
        return try await open(
            path: directory + "/" + fileName, logger: logger, deadLetterRetention: deadLetterRetention,
            deduplicationWindow: deduplicationWindow, now: now
        )
    }

    /// Opens (creating when missing) the storage at `path`: the file and SQLite's log beside it readable
    /// and writable by their owner only, whatever the umask.
    ///
    /// Opening reads the file's header and replays a write-ahead log a crash left behind: quick
    /// enough to run on the caller's thread, once, at startup.
    public static func open(
        path: String,
        logger: Logger = Logger(label: "ferry.sqlite"),
        deadLetterRetention: Duration = defaultDeadLetterRetention,
        deduplicationWindow: Duration = defaultDeduplicationWindow,
        now: @escaping @Sendable () -> Int64 = SQLiteStorage.wallClockMilliseconds
    ) async throws -> SQLiteStorage {
        try protectFiles(path)
        let file = try SQLiteFile(path: path)
        let checkpointer: WALCheckpointer
        do {
            try SQLiteSchema.prepare(file)
            checkpointer = try WALCheckpointer(path: path)
        } catch {
            file.close()
            throw error
        }
        logger.debug("opened the storage", metadata: ["path": "\(path)"])
        return SQLiteStorage(
            path: path, database: SQLiteTransactions(file: file, checkpointer: checkpointer), logger: logger,
            deadLetterRetention: deadLetterRetention, deduplicationWindow: deduplicationWindow, now: now
        )
    }

    /// Creates the database file (mode 0600) before SQLite does, since SQLite gives its log (`-wal`) and
    /// shared-memory index (`-shm`) the database file's mode when it creates them; makes the ones an
    /// earlier run left with looser modes private too.
    private static func protectFiles(_ path: String) throws {
        try DataDirectory.createPrivateFile(path)
        for suffix in ["-wal", "-shm", "-journal"] {
            try DataDirectory.protectFileIfPresent(path + suffix)
        }
    }

    /// A PRAGMA's integer value on the writer's connection: tests pin `synchronous` with it.
    func pragma(_ name: String) async throws -> Int {
        try await database.run { db in try db.count("PRAGMA \(name)") }
    }

    /// Waits for pending writes, then closes the file.
    public func close() async throws {
        try await database.close()
    }

    @Sendable
    public static func wallClockMilliseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}

/// Why the store refused the last update it was given: the disk is full, or another write error.
/// ``SQLiteUpdateQueue/writeRefusal`` holds it from the enqueue that failed until one succeeds.
public struct StorageWriteRefusal: Sendable, Hashable, CustomStringConvertible {
    /// SQLite's `SQLITE_FULL`: no space left for the file or its write-ahead log.
    public var diskFull: Bool
    /// The error, in words.
    public var error: String
    /// Milliseconds since 1970 when the store first refused.
    public var since: Int64
    /// The SQLite file that refused.
    public var path: String

    public var description: String {
        diskFull
            ? "the disk is full: the store at \(path) cannot take updates (\(error)); free space on its disk"
            : "the store at \(path) cannot take updates: \(error)"
    }
}

public enum SQLiteStorageError: Error, Sendable, Hashable, CustomStringConvertible {
    case closed
    case corruptRow(table: String)
    /// SQLite refused: its result code and message.
    case sqlite(code: Int32, message: String)

    public var description: String {
        switch self {
        case .closed: "the SQLite storage is closed"
        case .corruptRow(let table): "a row of table \(table) has an unexpected shape"
        case .sqlite(let code, let message): "SQLite error \(code): \(message)"
        }
    }

    /// `SQLITE_FULL` (13), whatever its extended code: the disk, or the file's size limit, is full.
    var isDiskFull: Bool {
        if case .sqlite(let code, _) = self { code & 0xff == 13 } else { false }
    }
}

enum SQLiteSchema {
    static func prepare(_ file: SQLiteFile) throws {
        // WAL lets the `dlq` commands read while `serve` writes; synchronous=FULL makes every commit
        // durable (fsync of the log) before a webhook is answered 200. The busy timeout makes a
        // writer wait (at most 10 s) for another process's transaction instead of failing at once.
        try file.executeUncached("PRAGMA busy_timeout = 10000", [])
        try file.executeUncached("PRAGMA journal_mode = WAL", [])
        try file.executeUncached("PRAGMA synchronous = FULL", [])
        // Deleted rows (handled updates, dead letters, old session values: users' messages) are overwritten
        // with zeros instead of lingering in free space of the file. Set here rather than trusted to how the
        // SQLite library was compiled; it costs ingress nothing measurable (docs/security.md).
        try file.executeUncached("PRAGMA secure_delete = ON", [])
        for statement in statements {
            try file.executeUncached(statement, [])
        }
        try renameLastErrorColumn(file)
    }

    /// Files written before December 2026 call the last failure's reason `last_error`; one name for it
    /// everywhere (`reason`, `lastReason`) needs the column renamed. A file that has the new name (every file
    /// but the old ones) is only read; an old one is checked again and renamed in one immediate transaction,
    /// so two processes opening it at once cannot both try.
    private static func renameLastErrorColumn(_ file: SQLiteFile) throws {
        guard try updatesHasColumn("last_error", file) else { return }
        try file.executeUncached("BEGIN IMMEDIATE", [])
        do {
            if try updatesHasColumn("last_error", file) {
                try file.executeUncached("ALTER TABLE updates RENAME COLUMN last_error TO last_reason", [])
            }
            try file.executeUncached("COMMIT", [])
        } catch {
            _ = try? file.executeUncached("ROLLBACK", [])
            throw error
        }
    }

    private static func updatesHasColumn(_ name: String, _ file: SQLiteFile) throws -> Bool {
        var found = false
        try file.query("SELECT 1 FROM pragma_table_info('updates') WHERE name = ?", [.text(name)]) { _ in found = true }
        return found
    }

    static let statements = [
        """
        CREATE TABLE IF NOT EXISTS updates (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            update_id INTEGER NOT NULL,
            group_id TEXT NOT NULL,
            body BLOB NOT NULL,
            enqueued_at INTEGER NOT NULL,
            visible_at INTEGER NOT NULL DEFAULT 0,
            attempts INTEGER NOT NULL DEFAULT 0,
            deliveries INTEGER NOT NULL DEFAULT 0,
            receipt TEXT,
            last_reason TEXT
        )
        """,
        // Earlier versions kept two indexes here: (group_id, seq), now in memory (`GroupHeads`), which cost
        // every update a B-tree insert at a random place; and (visible_at, seq), which no query used.
        "DROP INDEX IF EXISTS updates_by_group",
        "DROP INDEX IF EXISTS updates_by_visibility",
        """
        CREATE TABLE IF NOT EXISTS seen_updates (
            update_id INTEGER PRIMARY KEY,
            seen_at INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
        "CREATE INDEX IF NOT EXISTS seen_updates_by_time ON seen_updates (seen_at)",
        // Every update that enters the queue is remembered for deduplication, however it entered.
        """
        CREATE TRIGGER IF NOT EXISTS remember_update_id AFTER INSERT ON updates BEGIN
            INSERT OR REPLACE INTO seen_updates (update_id, seen_at) VALUES (NEW.update_id, NEW.enqueued_at);
        END
        """,
        """
        CREATE TABLE IF NOT EXISTS dead_letters (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            update_id INTEGER NOT NULL,
            group_id TEXT NOT NULL,
            body BLOB NOT NULL,
            attempts INTEGER NOT NULL,
            reason TEXT NOT NULL,
            enqueued_at INTEGER NOT NULL,
            dead_lettered_at INTEGER NOT NULL
        )
        """,
        // The dead letters' count, kept by triggers (they fire only when a dead letter comes or goes), so that
        // `/metrics` reads one row instead of scanning a table that may hold millions. Counted once, when a
        // file from before the counter is opened; the triggers come first, so no dead letter slips between.
        "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID",
        """
        CREATE TRIGGER IF NOT EXISTS count_dead_letter_added AFTER INSERT ON dead_letters BEGIN
            UPDATE counters SET value = value + 1 WHERE name = 'dead_letters';
        END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS count_dead_letter_removed AFTER DELETE ON dead_letters BEGIN
            UPDATE counters SET value = value - 1 WHERE name = 'dead_letters';
        END
        """,
        """
        INSERT INTO counters (name, value) SELECT 'dead_letters', (SELECT COUNT(*) FROM dead_letters)
        WHERE NOT EXISTS (SELECT 1 FROM counters WHERE name = 'dead_letters')
        """,
        """
        CREATE TABLE IF NOT EXISTS sessions (
            key TEXT PRIMARY KEY,
            value BLOB NOT NULL,
            updated_at INTEGER NOT NULL
        ) WITHOUT ROWID
        """,
    ]
}
