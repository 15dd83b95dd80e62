public import TelegramBotAPI

/// A `Context` helper was called on an update that lacks what it needs: `reply` on an inline
/// query, `answerCallbackQuery` on a message. A programming error in the handler's filter, so
/// it names the update kind to make the mismatch obvious.
public struct ContextError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case noChat
        case noMessage
        case noCallbackQuery
        case noInlineQuery
        case noPreCheckoutQuery
    }

    public var reason: Reason
    public var helper: String
    public var updateKind: UpdateKind

    public init(_ reason: Reason, helper: String, updateKind: UpdateKind) {
        self.reason = reason
        self.helper = helper
        self.updateKind = updateKind
    }

    public var description: String {
        let missing = switch reason {
        case .noChat: "a chat"
        case .noMessage: "a message"
        case .noCallbackQuery: "a callback query"
        case .noInlineQuery: "an inline query"
        case .noPreCheckoutQuery: "a pre-checkout query"
        }
        return "ctx.\(helper) needs \(missing), but this update (\(updateKind)) has none"
    }
}
