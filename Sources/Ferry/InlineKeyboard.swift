public import TelegramBotAPI

/// Builds an inline keyboard row by row:
/// `InlineKeyboard().button("Yes", data: "y").button("No", data: "n").row().url("Help", "https://...")`.
public struct InlineKeyboard: Sendable, Hashable, InlineKeyboardConvertible {
    public private(set) var rows: [[InlineKeyboardButton]] = []
    private var currentRow: [InlineKeyboardButton] = []

    public init() {}

    public func button(_ text: String, data: String) -> InlineKeyboard {
        adding(InlineKeyboardButton(text: text, callbackData: data))
    }

    /// A button carrying typed callback data; throws ``CallbackDataTooLong`` when it does not fit.
    public func button(_ text: String, payload: some Encodable, prefix: String = "") throws -> InlineKeyboard {
        adding(InlineKeyboardButton(text: text, callbackData: try CallbackData.encode(payload, prefix: prefix)))
    }

    public func url(_ text: String, _ url: String) -> InlineKeyboard {
        adding(InlineKeyboardButton(text: text, url: url))
    }

    /// Any button the helpers above do not cover (web app, login, pay, ...).
    public func adding(_ button: InlineKeyboardButton) -> InlineKeyboard {
        var copy = self
        copy.currentRow.append(button)
        return copy
    }

    /// Ends the current row; the next button starts a new one.
    public func row() -> InlineKeyboard {
        guard !currentRow.isEmpty else { return self }
        var copy = self
        copy.rows.append(copy.currentRow)
        copy.currentRow = []
        return copy
    }

    public var markup: InlineKeyboardMarkup {
        InlineKeyboardMarkup(inlineKeyboard: currentRow.isEmpty ? rows : rows + [currentRow])
    }

    public var asReplyMarkup: ReplyMarkup { .inlineKeyboardMarkup(markup) }
    public var asInlineKeyboardMarkup: InlineKeyboardMarkup { markup }
}
