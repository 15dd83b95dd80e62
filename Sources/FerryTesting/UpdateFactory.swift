public import TelegramBotAPI
import Synchronization

/// Builds updates as Telegram would send them, with every field a handler usually reads filled in
/// and update ids counting up, so tests state only what matters to them:
/// `UpdateFactory.message(text: "/start ref-1")`, `UpdateFactory.callbackQuery(data: "yes")`.
public enum UpdateFactory {
    /// The user updates come from unless a test says otherwise.
    public static let user = User(id: 4242, isBot: false, firstName: "Ada", lastName: "Lovelace", username: "ada", languageCode: "en")
    /// A fixed date (2023-11-14), so tests are reproducible.
    public static let date = 1_700_000_000

    private static let ids = Atomic<Int>(0)

    /// A fresh update id (and message id), unique within the test process.
    public static func nextID() -> Int {
        ids.add(1, ordering: .relaxed).newValue
    }

    /// A message; `chatID` defaults to the sender's private chat. Text starting with "/" gets the
    /// `bot_command` entity Telegram would add. `configure` sets anything else.
    public static func makeMessage(
        text: String? = nil,
        chatID: Int? = nil,
        chatType: String = "private",
        from: User? = user,
        threadID: Int? = nil,
        configure: (inout Message) -> Void = { _ in }
    ) -> Message {
        let chatID = chatID ?? from?.id ?? 1
        let chat = Chat(
            id: chatID,
            type: chatType,
            title: chatType == "private" ? nil : "Test \(chatType)",
            firstName: chatType == "private" ? from?.firstName : nil,
            isForum: threadID != nil ? true : nil
        )
        var message = Message(messageID: nextID(), messageThreadID: threadID, from: from, date: date, chat: chat, isTopicMessage: threadID != nil ? true : nil, text: text)
        if let text, text.hasPrefix("/") {
            let command = text.prefix { !$0.isWhitespace }
            message.entities = [MessageEntity(type: "bot_command", offset: 0, length: command.utf16.count)]
        }
        configure(&message)
        return message
    }

    public static func message(
        text: String? = nil,
        chatID: Int? = nil,
        chatType: String = "private",
        from: User? = user,
        threadID: Int? = nil,
        configure: (inout Message) -> Void = { _ in }
    ) -> Update {
        Update(updateID: nextID(), message: makeMessage(text: text, chatID: chatID, chatType: chatType, from: from, threadID: threadID, configure: configure))
    }

    public static func editedMessage(text: String, chatID: Int? = nil, from: User? = user) -> Update {
        Update(updateID: nextID(), editedMessage: makeMessage(text: text, chatID: chatID, from: from) { $0.editDate = date + 60 })
    }

    public static func channelPost(text: String, chatID: Int = -100_123) -> Update {
        Update(updateID: nextID(), channelPost: makeMessage(text: text, chatID: chatID, chatType: "channel", from: nil))
    }

    /// A photo message with two sizes (small first, as Telegram sends them).
    public static func photo(caption: String? = nil, chatID: Int? = nil, from: User? = user) -> Update {
        message(chatID: chatID, from: from) { message in
            message.photo = [
                PhotoSize(fileID: "photo-small", fileUniqueID: "ps", width: 90, height: 60),
                PhotoSize(fileID: "photo-large", fileUniqueID: "pl", width: 1280, height: 853),
            ]
            message.caption = caption
        }
    }

    /// An album of `count` photos as Telegram delivers it: one update per photo, all with the same
    /// `media_group_id`, the caption on the first. Hand each to the bot in turn.
    public static func album(photos count: Int, caption: String? = nil, chatID: Int? = nil, from: User? = user) -> [Update] {
        let group = "album-\(nextID())"
        return (0..<count).map { index in
            message(chatID: chatID, from: from) { message in
                message.mediaGroupID = group
                message.photo = [
                    PhotoSize(fileID: "\(group)-\(index)-small", fileUniqueID: "\(group)-\(index)s", width: 90, height: 60),
                    PhotoSize(fileID: "\(group)-\(index)", fileUniqueID: "\(group)-\(index)l", width: 1280, height: 853),
                ]
                message.caption = index == 0 ? caption : nil
            }
        }
    }

    public static func document(fileName: String = "report.pdf", caption: String? = nil, chatID: Int? = nil, from: User? = user) -> Update {
        message(chatID: chatID, from: from) { message in
            message.document = Document(fileID: "document-1", fileUniqueID: "d1", fileName: fileName, mimeType: "application/pdf")
            message.caption = caption
        }
    }

    public static func location(latitude: Double, longitude: Double, chatID: Int? = nil, from: User? = user) -> Update {
        message(chatID: chatID, from: from) { $0.location = Location(latitude: latitude, longitude: longitude) }
    }

    /// A press on a button with `data`, attached to a message the bot sent in `chatID`.
    public static func callbackQuery(
        data: String,
        chatID: Int? = nil,
        from: User = user,
        messageText: String = "Choose:"
    ) -> Update {
        var botMessage = makeMessage(text: messageText, chatID: chatID ?? from.id, from: User(id: 1_000_000, isBot: true, firstName: "Test Bot", username: "TestBot"))
        botMessage.chat = Chat(id: chatID ?? from.id, type: (chatID ?? from.id) > 0 ? "private" : "supergroup")
        return Update(updateID: nextID(), callbackQuery: CallbackQuery(
            id: "cbq-\(nextID())", from: from, message: .message(botMessage), chatInstance: "instance-1", data: data
        ))
    }

    /// A press on the inline button labelled `buttonText` of `message`, a message the bot sent
    /// (from ``BotAPIRecorder/sentMessages``): the update carries that message and the button's
    /// callback data, as Telegram would send it. Throws when the message has no such button.
    public static func callbackQuery(pressing buttonText: String, on message: Message, from: User = user) throws -> Update {
        let buttons: [InlineKeyboardButton] = message.replyMarkup.map { Array($0.inlineKeyboard.joined()) } ?? []
        guard let button = buttons.first(where: { $0.text == buttonText }) else {
            throw UpdateFactoryError.noSuchButton(buttonText, available: buttons.map(\.text))
        }
        guard let data = button.callbackData else {
            throw UpdateFactoryError.buttonHasNoCallbackData(buttonText)
        }
        return Update(updateID: nextID(), callbackQuery: CallbackQuery(
            id: "cbq-\(nextID())", from: from, message: .message(message), chatInstance: "instance-1", data: data
        ))
    }

    public static func inlineQuery(query: String, from: User = user, offset: String = "") -> Update {
        Update(updateID: nextID(), inlineQuery: InlineQuery(id: "iq-\(nextID())", from: from, query: query, offset: offset))
    }

    public static func preCheckoutQuery(payload: String, currency: String = "XTR", totalAmount: Int = 100, from: User = user) -> Update {
        Update(updateID: nextID(), preCheckoutQuery: PreCheckoutQuery(
            id: "pcq-\(nextID())", from: from, currency: currency, totalAmount: totalAmount, invoicePayload: payload
        ))
    }
}

public enum UpdateFactoryError: Error, Sendable, Hashable, CustomStringConvertible {
    case noSuchButton(String, available: [String])
    case buttonHasNoCallbackData(String)

    public var description: String {
        switch self {
        case .noSuchButton(let text, let available):
            "the message has no inline button \"\(text)\"; its buttons: \(available)"
        case .buttonHasNoCallbackData(let text):
            "the inline button \"\(text)\" carries no callback data (a URL or other kind of button)"
        }
    }
}
