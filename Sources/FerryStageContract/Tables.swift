/// What the stage's two DynamoDB tables have in common.
public enum StageTables {
    /// The time-to-live attribute of both tables: a number of seconds since 1970 after which DynamoDB
    /// deletes the item by itself.
    public static let expiresAt = "expiresAt"
}

/// The attributes of the stage's sessions table (`SESSIONS_TABLE`). Besides sessions it holds the
/// consumer's bookkeeping (idempotency records, uncounted receives), under prefixed keys.
public enum SessionsTable {
    /// The partition key (a string): the session's key, as the bot's session key function gives it.
    public static let key = "key"
    /// The encoded session (binary).
    public static let value = "value"
    /// Milliseconds since 1970.
    public static let updatedAt = "updatedAt"
    public static let expiresAt = StageTables.expiresAt
}

/// The attributes of the stage's table of parked dead letters (`DEAD_LETTER_TABLE`), one item per
/// update that used up its attempts.
public enum DeadLetterTable {
    /// The partition key (a string): the dead-letter message's id, stable across its redeliveries.
    public static let id = "id"
    public static let updateID = "updateId"
    /// The update's FIFO group (`chat:<id>`, `user:<id>`…).
    public static let groupID = "groupId"
    /// The update as Telegram sent it.
    public static let body = "body"
    /// Why the update failed. Stored as `error`, the name items parked before have.
    public static let reason = "error"
    public static let attempts = "attempts"
    /// Milliseconds since 1970.
    public static let deadLetteredAt = "deadLetteredAt"
    /// Milliseconds since 1970 when the update first entered the queue; absent when the queue's redrive
    /// policy moved it rather than the consumer.
    public static let enqueuedAt = "enqueuedAt"
    public static let expiresAt = StageTables.expiresAt
}
