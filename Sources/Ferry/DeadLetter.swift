public import TelegramBotAPI

/// An update that failed every handling attempt and was set aside, so that the chat's later
/// updates are not held up behind it. The runtime hands it to ``Bot/runDeadLetterHook(update:reason:attempts:)``.
public struct DeadLetter: Sendable, Hashable {
    public var update: Update
    /// Why the last attempt failed, as the queue recorded it: text, since a dead letter crosses process
    /// boundaries (a queue, a dead-letter Lambda) where the error value itself is gone.
    public var reason: String
    public var attempts: Int

    public init(update: Update, reason: String, attempts: Int) {
        self.update = update
        self.reason = reason
        self.attempts = attempts
    }

    /// What the default hook tells the user.
    public static let defaultApology = "Sorry, I couldn't process your last message. Our team has been notified."
}
