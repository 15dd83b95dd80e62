public import TelegramBotAPI

/// Anything that can be sent as a message's `reply_markup`, so helpers take a keyboard builder,
/// a generated markup type or a `ReplyMarkup` alike.
public protocol ReplyMarkupConvertible: Sendable {
    var asReplyMarkup: ReplyMarkup { get }
}

extension ReplyMarkup: ReplyMarkupConvertible {
    public var asReplyMarkup: ReplyMarkup { self }
}

extension InlineKeyboardMarkup: ReplyMarkupConvertible {
    public var asReplyMarkup: ReplyMarkup { .inlineKeyboardMarkup(self) }
}

extension ReplyKeyboardMarkup: ReplyMarkupConvertible {
    public var asReplyMarkup: ReplyMarkup { .replyKeyboardMarkup(self) }
}

extension ReplyKeyboardRemove: ReplyMarkupConvertible {
    public var asReplyMarkup: ReplyMarkup { .replyKeyboardRemove(self) }
}

extension ForceReply: ReplyMarkupConvertible {
    public var asReplyMarkup: ReplyMarkup { .forceReply(self) }
}

/// An inline keyboard in any of its forms: what Telegram allows where only an inline keyboard may go (an
/// edited message's markup). Every inline keyboard is also a ``ReplyMarkupConvertible``.
public protocol InlineKeyboardConvertible: ReplyMarkupConvertible {
    var asInlineKeyboardMarkup: InlineKeyboardMarkup { get }
}

extension InlineKeyboardMarkup: InlineKeyboardConvertible {
    public var asInlineKeyboardMarkup: InlineKeyboardMarkup { self }
}
