// The SQLite library SQLiteNIO compiles in (its symbols carry a `sqlite_nio_` prefix). Ferry calls it
// directly: SQLiteNIO runs each statement as a round trip through a thread pool and an event loop, and
// hands every result row to the event loop separately, which cost more than the statements themselves.
import VaporCSQLite

/// A value bound to a statement parameter.
enum SQLiteValue {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case null
}

/// One open SQLite connection with its prepared statements, used by one thread at a time.
///
/// Not `Sendable`: ``SQLiteTransactions`` owns the only instance and lends it to the units of
/// work it runs, one after another, on its writer thread.
final class SQLiteFile {
    private var handle: OpaquePointer?
    /// Statements prepared once and reset after each use; keyed by their SQL text, which is a
    /// literal for every cached statement, so the cache stays small.
    private var cache: [String: OpaquePointer] = [:]

    init(path: String) throws {
        // NOMUTEX: SQLite's own locking is redundant, since a connection is never used by two threads at once.
        // NOFOLLOW: a database reached through a symbolic link is refused (see `DataDirectory`).
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK else {
            let error = SQLiteStorageError.sqlite(code: status, message: handle.map(Self.message) ?? "cannot open \(path)")
            sqlite_nio_sqlite3_close(handle)
            handle = nil
            throw error
        }
    }

    deinit { close() }

    /// Finalizes the statements and closes the connection; the file is unusable afterwards.
    func close() {
        for statement in cache.values { sqlite_nio_sqlite3_finalize(statement) }
        cache = [:]
        sqlite_nio_sqlite3_close(handle)
        handle = nil
    }

    /// Has SQLite report the log's length after each commit instead of checkpointing the log itself
    /// (which it would do inside the commit that crosses 1,000 frames, holding that commit's callers).
    func reportLogLength(to length: WALCheckpointer.LogLength) {
        guard let handle else { return }
        // `length` outlives the connection: the writer's transactions hold the checkpointer that owns it.
        let context = Unmanaged.passUnretained(length).toOpaque()
        sqlite_nio_sqlite3_wal_hook(handle, { context, _, _, frames in
            guard let context else { return SQLITE_OK }
            Unmanaged<WALCheckpointer.LogLength>.fromOpaque(context).takeUnretainedValue().frames.store(Int(frames), ordering: .relaxed)
            return SQLITE_OK
        }, context)
    }

    /// Whether a transaction is open; SQLite ends one by itself on some errors (a full disk, an I/O error).
    var inTransaction: Bool { handle.map { sqlite_nio_sqlite3_get_autocommit($0) == 0 } ?? false }

    /// Runs a statement and returns how many rows it changed (not counting changes made by triggers).
    @discardableResult
    func execute(_ sql: String, _ values: [SQLiteValue] = []) throws -> Int {
        try withStatement(sql, values) { statement in
            while try step(statement) {}
        }
        return Int(sqlite_nio_sqlite3_changes(handle))
    }

    /// Runs a statement and hands each result row, at most `maximumRows`, to `eachRow`; the row is
    /// valid only during the call.
    ///
    /// Limit rows here rather than with `LIMIT ?`: SQLite reads a bound LIMIT while planning, so a
    /// statement bound with a different limit each time is prepared again on every run.
    func query(_ sql: String, _ values: [SQLiteValue] = [], maximumRows: Int = .max, _ eachRow: (SQLiteRow) throws -> Void) throws {
        try withStatement(sql, values) { statement in
            var rows = 0
            while rows < maximumRows, try step(statement) {
                try eachRow(SQLiteRow(statement: statement))
                rows += 1
            }
        }
    }

    /// Runs SQL that is used once (the schema, pragmas) without caching it.
    @discardableResult
    func executeUncached(_ sql: String, _ values: [SQLiteValue]) throws -> Int {
        let statement = try prepare(sql, persistent: false)
        defer { sqlite_nio_sqlite3_finalize(statement) }
        try bind(values, to: statement)
        while try step(statement) {}
        return Int(sqlite_nio_sqlite3_changes(handle))
    }

    private func withStatement<Result>(_ sql: String, _ values: [SQLiteValue], _ body: (OpaquePointer) throws -> Result) throws -> Result {
        let statement: OpaquePointer
        if let cached = cache[sql] {
            statement = cached
        } else {
            statement = try prepare(sql, persistent: true)
            cache[sql] = statement
        }
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        try bind(values, to: statement)
        return try body(statement)
    }

    private func prepare(_ sql: String, persistent: Bool) throws -> OpaquePointer {
        guard let handle else { throw SQLiteStorageError.closed }
        var statement: OpaquePointer?
        let flags = persistent ? UInt32(SQLITE_PREPARE_PERSISTENT) : 0
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, flags, &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        return statement
    }

    private func bind(_ values: [SQLiteValue], to statement: OpaquePointer) throws {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .integer(let value):
                status = sqlite_nio_sqlite3_bind_int64(statement, index, value)
            case .text(let value):
                status = sqlite_nio_sqlite3_bind_text64(statement, index, value, UInt64(value.utf8.count), transient, UInt8(SQLITE_UTF8))
            case .blob(let value):
                // An empty array has no storage, and a null pointer would bind NULL: bind an empty blob.
                status = value.isEmpty
                    ? sqlite_nio_sqlite3_bind_zeroblob(statement, index, 0)
                    : value.withUnsafeBytes { sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient) }
            case .null:
                status = sqlite_nio_sqlite3_bind_null(statement, index)
            }
            guard status == SQLITE_OK else { throw error(status) }
        }
    }

    /// Advances to the next row: true when there is one, false when the statement is done.
    private func step(_ statement: OpaquePointer) throws -> Bool {
        switch sqlite_nio_sqlite3_step(statement) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let status: throw error(status)
        }
    }

    private func error(_ status: Int32) -> SQLiteStorageError {
        .sqlite(code: status, message: handle.map(Self.message) ?? "the connection is closed")
    }

    private static func message(_ handle: OpaquePointer) -> String {
        sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown error"
    }
}

/// The current row of a running statement: columns are read by position, in the order the
/// statement names them.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    func isNull(_ column: Int32) -> Bool {
        sqlite_nio_sqlite3_column_type(statement, column) == SQLITE_NULL
    }

    func integer(_ column: Int32) -> Int {
        Int(sqlite_nio_sqlite3_column_int64(statement, column))
    }

    func text(_ column: Int32) -> String? {
        guard let characters = sqlite_nio_sqlite3_column_text(statement, column) else { return nil }
        let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: characters, count: count), as: UTF8.self)
    }

    func blob(_ column: Int32) -> [UInt8]? {
        guard sqlite_nio_sqlite3_column_type(statement, column) == SQLITE_BLOB else { return nil }
        let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
        guard count > 0, let bytes = sqlite_nio_sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}

/// Tells SQLite to copy a bound value before the call returns (the C macro `SQLITE_TRANSIENT`).
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
