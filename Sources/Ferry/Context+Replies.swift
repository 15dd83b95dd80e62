public import TelegramBotAPI

/// Answers addressed by the update itself: its chat, its forum topic, its query id.
extension Context {
    /// Sends `text` to the update's chat, in the same forum topic when the update came from one.
    /// `quote` makes it a reply to the update's message.
    @discardableResult
    public func reply(
        _ text: String,
        parseMode: ParseMode? = nil,
        replyMarkup: (any ReplyMarkupConvertible)? = nil,
        quote: Bool = false,
        disableNotification: Bool? = nil
    ) async throws -> Message {
        let target = try replyTarget(helper: "reply")
        return try await api.send(SendMessage(
            businessConnectionID: target.businessConnectionID,
            chatID: target.chatID,
            messageThreadID: target.threadID,
            text: text,
            parseMode: parseMode?.rawValue,
            disableNotification: disableNotification,
            replyParameters: quote ? target.replyParameters : nil,
            replyMarkup: replyMarkup?.asReplyMarkup
        ))
    }

    @discardableResult
    public func replyWithPhoto(
        _ photo: InputFile,
        caption: String? = nil,
        parseMode: ParseMode? = nil,
        replyMarkup: (any ReplyMarkupConvertible)? = nil,
        quote: Bool = false
    ) async throws -> Message {
        let target = try replyTarget(helper: "replyWithPhoto")
        return try await api.send(SendPhoto(
            businessConnectionID: target.businessConnectionID,
            chatID: target.chatID,
            messageThreadID: target.threadID,
            photo: photo,
            caption: caption,
            parseMode: parseMode?.rawValue,
            replyParameters: quote ? target.replyParameters : nil,
            replyMarkup: replyMarkup?.asReplyMarkup
        ))
    }

    @discardableResult
    public func replyWithDocument(
        _ document: InputFile,
        caption: String? = nil,
        parseMode: ParseMode? = nil,
        replyMarkup: (any ReplyMarkupConvertible)? = nil,
        quote: Bool = false
    ) async throws -> Message {
        let target = try replyTarget(helper: "replyWithDocument")
        return try await api.send(SendDocument(
            businessConnectionID: target.businessConnectionID,
            chatID: target.chatID,
            messageThreadID: target.threadID,
            document: document,
            caption: caption,
            parseMode: parseMode?.rawValue,
            replyParameters: quote ? target.replyParameters : nil,
            replyMarkup: replyMarkup?.asReplyMarkup
        ))
    }

    /// Stops the loading animation on the pressed button; optionally shows `text` as a toast or alert.
    /// Telegram expects this for every callback query, even with no text.
    @discardableResult
    public func answerCallbackQuery(
        text: String? = nil,
        showAlert: Bool? = nil,
        url: String? = nil,
        cacheTime: Int? = nil
    ) async throws -> Bool {
        guard let query = callbackQuery else {
            throw ContextError(.noCallbackQuery, helper: "answerCallbackQuery", updateKind: update.kind)
        }
        return try await api.send(AnswerCallbackQuery(
            callbackQueryID: query.id, text: text, showAlert: showAlert, url: url, cacheTime: cacheTime
        ))
    }

    /// Edits the text of the update's message: for a callback query, the message carrying the button
    /// (sent by the bot, or inline); otherwise the update's own message. Telegram allows only an inline
    /// keyboard on an edited message: an ``InlineKeyboard`` or an `InlineKeyboardMarkup`.
    @discardableResult
    public func editMessageText(
        _ text: String,
        parseMode: ParseMode? = nil,
        replyMarkup: (any InlineKeyboardConvertible)? = nil
    ) async throws -> MessageOrTrue {
        if let inlineMessageID = callbackQuery?.inlineMessageID {
            return try await api.send(EditMessageText(
                inlineMessageID: inlineMessageID, text: text, parseMode: parseMode?.rawValue, replyMarkup: replyMarkup?.asInlineKeyboardMarkup
            ))
        }
        guard let message else {
            throw ContextError(.noMessage, helper: "editMessageText", updateKind: update.kind)
        }
        return try await api.send(EditMessageText(
            businessConnectionID: message.businessConnectionID,
            chatID: .id(message.chat.id),
            messageID: message.messageID,
            text: text,
            parseMode: parseMode?.rawValue,
            replyMarkup: replyMarkup?.asInlineKeyboardMarkup
        ))
    }

    @discardableResult
    public func answerInlineQuery(
        _ results: [InlineQueryResult],
        cacheTime: Int? = nil,
        isPersonal: Bool? = nil,
        nextOffset: String? = nil
    ) async throws -> Bool {
        guard let query = update.inlineQuery else {
            throw ContextError(.noInlineQuery, helper: "answerInlineQuery", updateKind: update.kind)
        }
        return try await api.send(AnswerInlineQuery(
            inlineQueryID: query.id, results: results, cacheTime: cacheTime, isPersonal: isPersonal, nextOffset: nextOffset
        ))
    }

    /// Must be called within 10 seconds of the query, or Telegram cancels the payment.
    @discardableResult
    public func answerPreCheckoutQuery(ok: Bool, errorMessage: String? = nil) async throws -> Bool {
        guard let query = update.preCheckoutQuery else {
            throw ContextError(.noPreCheckoutQuery, helper: "answerPreCheckoutQuery", updateKind: update.kind)
        }
        return try await api.send(AnswerPreCheckoutQuery(preCheckoutQueryID: query.id, ok: ok, errorMessage: errorMessage))
    }

    private struct ReplyTarget {
        var chatID: ChatID
        var threadID: Int?
        var businessConnectionID: String?
        var replyParameters: ReplyParameters?
    }

    private func replyTarget(helper: String) throws -> ReplyTarget {
        guard let chat else { throw ContextError(.noChat, helper: helper, updateKind: update.kind) }
        // A reply to a forum topic message without the thread id would land in the "General" topic.
        let threadID = message.flatMap { $0.isTopicMessage == true ? $0.messageThreadID : nil }
        return ReplyTarget(
            chatID: .id(chat.id),
            threadID: threadID,
            businessConnectionID: message?.businessConnectionID,
            replyParameters: message.map { ReplyParameters(messageID: $0.messageID) }
        )
    }
}
