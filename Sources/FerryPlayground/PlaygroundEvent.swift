#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FerrySimulator
import TelegramBotAPI

/// What the page hears about on its event stream. Telegram's objects travel in their Bot API shape.
enum PlaygroundEvent: Sendable {
    /// A new message in a chat, from a user or from the bot.
    case message(Message)
    /// A message as it reads after the bot edited it: the page replaces it in place.
    case edited(Message)
    case deleted(chatID: Int, messageID: Int)
    /// The bot answered a button press; `text` is the notification Telegram would show.
    case callbackAnswer(text: String?, showAlert: Bool)
    case chatAction(chatID: Int, action: String)
    /// Users or chats were added: the page reloads its lists.
    case worldChanged
    case pipeline(PipelineState)

    /// The bot's action as the page shows it, or `nil` for actions the page does not show.
    init?(_ action: BotAction) {
        switch action {
        case .sentMessage(let message): self = .message(message)
        case .editedMessage(let message): self = .edited(message)
        case .deletedMessage(let chatID, let messageID): self = .deleted(chatID: chatID, messageID: messageID)
        case .answeredCallbackQuery(let answer): self = .callbackAnswer(text: answer.text, showAlert: answer.showAlert ?? false)
        case .sentChatAction(let chatID, let action): self = .chatAction(chatID: chatID, action: action)
        case .setCommands: self = .worldChanged
        case .answeredInlineQuery: return nil
        }
    }

    /// `event: <name>` and one `data:` line of JSON (the encoder writes no line breaks), then a blank line.
    func serverSentEvent() -> String {
        let (name, data): (String, [UInt8]) =
            switch self {
            case .message(let message): ("message", Self.encode(message))
            case .edited(let message): ("edited", Self.encode(message))
            case .deleted(let chatID, let messageID): ("deleted", Self.encode(Deleted(chatID: chatID, messageID: messageID)))
            case .callbackAnswer(let text, let showAlert): ("callbackAnswer", Self.encode(CallbackAnswer(text: text, showAlert: showAlert)))
            case .chatAction(let chatID, let action): ("chatAction", Self.encode(ChatAction(chatID: chatID, action: action)))
            case .worldChanged: ("world", Array("{}".utf8))
            case .pipeline(let state): ("pipeline", Self.encode(state))
            }
        return "event: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n"
    }

    private struct Deleted: Encodable {
        var chatID: Int
        var messageID: Int
    }

    private struct CallbackAnswer: Encodable {
        var text: String?
        var showAlert: Bool
    }

    private struct ChatAction: Encodable {
        var chatID: Int
        var action: String
    }

    private static func encode(_ value: some Encodable) -> [UInt8] {
        // The payloads are the generated Bot API types and plain structs of strings and numbers.
        (try? PlaygroundJSON.encode(value)) ?? Array("{}".utf8)
    }
}

enum PlaygroundJSON {
    static func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    static func decode<Value: Decodable>(_ type: Value.Type, from bytes: [UInt8]) throws -> Value {
        try JSONDecoder().decode(type, from: Data(bytes))
    }
}
