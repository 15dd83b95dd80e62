/// The three functions of a deployed stage. One code package serves all three: the function's handler
/// setting (`_HANDLER`) names the role the bot binary plays.
public enum FunctionRole: String, Sendable, Hashable, CaseIterable {
    /// Receives Telegram's webhook calls through the function URL and enqueues each update.
    case webhook
    /// Handles queued updates in batches, per chat in order.
    case consumer
    /// Handles updates that used up their attempts: parks them and tells the user.
    case deadLetter = "dead-letter"

    /// The handler name the template gives the function and the bot binary dispatches on; also the last
    /// part of the function's name.
    public var handler: String { rawValue }

    /// The role a handler name selects; `nil` for a name that is none of the three.
    public init?(handler: String) {
        self.init(rawValue: handler)
    }
}
