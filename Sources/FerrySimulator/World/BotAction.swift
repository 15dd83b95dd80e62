public import TelegramBotAPI

/// Something the bot did through the simulated Bot API that a user would see or a test asserts on.
public enum BotAction: Sendable, Hashable {
    /// A message the bot sent (`sendMessage`, `sendPhoto`, `sendDocument`), as the Bot API answered it.
    case sentMessage(Message)
    /// A message as it reads after the bot edited it.
    case editedMessage(Message)
    case deletedMessage(chatID: Int, messageID: Int)
    case answeredCallbackQuery(AnswerCallbackQuery)
    case answeredInlineQuery(AnswerInlineQuery)
    case sentChatAction(chatID: Int, action: String)
    case setCommands([BotCommand])

    /// The message sent or edited, if this action is one of those.
    public var message: Message? {
        switch self {
        case .sentMessage(let message), .editedMessage(let message): message
        default: nil
        }
    }

    /// The chat the action happened in, if it happened in one.
    public var chatID: Int? {
        switch self {
        case .sentMessage(let message), .editedMessage(let message): message.chat.id
        case .deletedMessage(let chatID, _), .sentChatAction(let chatID, _): chatID
        case .answeredCallbackQuery, .answeredInlineQuery, .setCommands: nil
        }
    }
}

/// The bot's actions in order, the oldest dropped beyond `limit`, plus those not yet announced to observers.
struct ActionLog {
    let limit: Int
    private(set) var actions: [BotAction] = []
    private var unannounced: [BotAction] = []

    init(limit: Int) {
        self.limit = limit
    }

    mutating func record(_ action: BotAction) {
        actions.append(action)
        unannounced.append(action)
        // Trimming in batches keeps appends amortized O(1).
        if actions.count > limit + limit / 4 { actions.removeFirst(actions.count - limit) }
    }

    /// The actions recorded since the last call, to hand to observers outside the world's lock.
    mutating func takeUnannounced() -> [BotAction] {
        defer { unannounced.removeAll(keepingCapacity: true) }
        return unannounced
    }
}
