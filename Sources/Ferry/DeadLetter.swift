public import TelegramBotAPI

/// An update that failed every handling attempt and was set aside, so that the chat's later
/// updates are not held up behind it. The runtime hands it to ``Bot/runDeadLetterHook(update:error:attempts:)``.
public struct DeadLetter: Sendable {
    public var update: Update
    /// The last attempt's error; a ``RecordedError`` when it was read back from a queue.
    public var error: any Error
    public var attempts: Int

    public init(update: Update, error: any Error, attempts: Int) {
        self.update = update
        self.error = error
        self.attempts = attempts
    }

    /// What the default hook tells the user.
    public static let defaultApology = "Sorry, I couldn't process your last message. Our team has been notified."
}

/// An error known only by its description: dead letters cross process boundaries (a queue, a
/// dead-letter Lambda), where the original error value is gone.
public struct RecordedError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
