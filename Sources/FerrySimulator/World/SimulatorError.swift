/// A test or playground asked the simulator for something its world does not allow: a user who does not
/// exist, a button that is not there, a wait that ran out. Bot API calls never throw this; they get Telegram's errors.
public enum SimulatorError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownUser(Int)
    case unknownChat(Int)
    case notAMember(userID: Int, chatID: Int)
    case messageNotFound(chatID: Int, messageID: Int)
    /// The message has no inline keyboard button that matches, or the button sends no callback data.
    case buttonNotFound(chatID: Int, messageID: Int, button: String)
    case timedOut(waitingFor: String, after: Duration)
    case notRunning
    case alreadyStarted
    case serverFailedToStart(String)
    /// ``BotAPISimulator/Configuration/worldFile`` exists but does not hold a world this version can read.
    case unreadableWorldFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownUser(let id): "no simulated user has id \(id)"
        case .unknownChat(let id): "no simulated chat has id \(id)"
        case .notAMember(let userID, let chatID): "user \(userID) is not a member of chat \(chatID)"
        case .messageNotFound(let chatID, let messageID): "chat \(chatID) has no message \(messageID)"
        case .buttonNotFound(let chatID, let messageID, let button):
            "message \(messageID) in chat \(chatID) has no inline button \(button) with callback data"
        case .timedOut(let waitingFor, let after): "timed out after \(after) waiting for \(waitingFor)"
        case .notRunning: "the simulator is not running"
        case .alreadyStarted: "the simulator was already started"
        case .serverFailedToStart(let reason): "the simulator's HTTP server did not start: \(reason)"
        case .unreadableWorldFile(let path, let reason):
            "the simulated world saved in \(path) cannot be read: \(reason). Move that file away to start with a new "
                + "world; the bot's queue and sessions are stored apart from it and are kept"
        }
    }
}
