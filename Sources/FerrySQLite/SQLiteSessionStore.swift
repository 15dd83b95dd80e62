public import Ferry

/// Sessions in the bot's SQLite file: they survive restarts, and a conversation halfway through
/// goes on where it stopped. Obtain it from ``SQLiteStorage/sessions``.
///
/// Saves share the storage's group commit with the queue, so a busy bot pays one fsync for many.
public final class SQLiteSessionStore: SessionStore {
    private let database: SQLiteTransactions
    private let now: @Sendable () -> Int64

    init(database: SQLiteTransactions, now: @escaping @Sendable () -> Int64) {
        self.database = database
        self.now = now
    }

    public func load(key: String) async throws -> [UInt8]? {
        try await database.run { db in
            var value: [UInt8]?
            try db.query("SELECT value FROM sessions WHERE key = ?", [.text(key)]) { value = $0.blob(0) }
            return value
        }
    }

    public func save(_ data: [UInt8], key: String) async throws {
        let now = self.now()
        try await database.run { db in
            try db.execute(
                "INSERT INTO sessions (key, value, updated_at) VALUES (?, ?, ?) "
                    + "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                [.text(key), .blob(data), .integer(now)]
            )
        }
    }

    public func delete(key: String) async throws {
        try await database.run { db in
            try db.execute("DELETE FROM sessions WHERE key = ?", [.text(key)])
        }
    }
}
