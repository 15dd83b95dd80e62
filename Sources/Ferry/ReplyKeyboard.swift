public import TelegramBotAPI

/// Builds a reply keyboard (buttons replacing the user's keyboard) row by row:
/// `ReplyKeyboard().text("Yes").text("No").row().requestLocation("Share location").resized()`.
public struct ReplyKeyboard: Sendable, Hashable, ReplyMarkupConvertible {
    public private(set) var rows: [[KeyboardButton]] = []
    private var currentRow: [KeyboardButton] = []
    public var isPersistent: Bool?
    public var resizeKeyboard: Bool?
    public var oneTimeKeyboard: Bool?
    public var inputFieldPlaceholder: String?

    public init() {}

    public func text(_ text: String) -> ReplyKeyboard { adding(KeyboardButton(text: text)) }
    public func requestContact(_ text: String) -> ReplyKeyboard { adding(KeyboardButton(text: text, requestContact: true)) }
    public func requestLocation(_ text: String) -> ReplyKeyboard { adding(KeyboardButton(text: text, requestLocation: true)) }

    public func adding(_ button: KeyboardButton) -> ReplyKeyboard {
        var copy = self
        copy.currentRow.append(button)
        return copy
    }

    public func row() -> ReplyKeyboard {
        guard !currentRow.isEmpty else { return self }
        var copy = self
        copy.rows.append(copy.currentRow)
        copy.currentRow = []
        return copy
    }

    /// Fits the keyboard's height to its buttons instead of the default tall one.
    public func resized() -> ReplyKeyboard { with { $0.resizeKeyboard = true } }
    /// Hides the keyboard once a button is pressed.
    public func oneTime() -> ReplyKeyboard { with { $0.oneTimeKeyboard = true } }
    public func persistent() -> ReplyKeyboard { with { $0.isPersistent = true } }
    public func placeholder(_ text: String) -> ReplyKeyboard { with { $0.inputFieldPlaceholder = text } }

    private func with(_ change: (inout ReplyKeyboard) -> Void) -> ReplyKeyboard {
        var copy = self
        change(&copy)
        return copy
    }

    public var markup: ReplyKeyboardMarkup {
        ReplyKeyboardMarkup(
            keyboard: currentRow.isEmpty ? rows : rows + [currentRow],
            isPersistent: isPersistent,
            resizeKeyboard: resizeKeyboard,
            oneTimeKeyboard: oneTimeKeyboard,
            inputFieldPlaceholder: inputFieldPlaceholder
        )
    }

    public var asReplyMarkup: ReplyMarkup { .replyKeyboardMarkup(markup) }

    /// Removes a reply keyboard shown earlier.
    public static var remove: ReplyKeyboardRemove { ReplyKeyboardRemove(removeKeyboard: true) }
}
