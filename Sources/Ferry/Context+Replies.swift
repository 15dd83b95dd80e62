public import TelegramBotAPI

/// Answers addressed by the update itself: its chat, its forum topic, its query id.
extension Context {
    /// Sends `text` to the update's chat, in the same forum topic when the update came from one.
    /// `quote` makes it a reply to the update's message.
    ///
    /// `split` sends a text longer than Telegram's 4,096 characters as several messages, cut at line breaks
    /// (else spaces; see ``FormattedText/split(maximumLength:)``): the first quotes, the last carries the keyboard
    /// and is returned. Without it, such a text is refused (400 "message is too long"), which can never succeed
    /// and is dead-lettered at once. Text with a `parseMode` is sent whole whatever `split` says: its markup
    /// could be cut in two, and Telegram measures it after parsing. Use ``FormattedText`` to split formatted text.
    @discardableResult
    public func reply(
        _ text: String,
        parseMode: ParseMode? = nil,
        replyMarkup: (any ReplyMarkupConvertible)? = nil,
        quote: Bool = false,
        disableNotification: Bool? = nil,
        split: Bool = false
    ) async throws -> Message {
        let target = try replyTarget(helper: "reply")
        let parts = Self.parts(of: FormattedText(text), split: split && parseMode == nil)
        return try await send(parts, parseMode: parseMode, to: target, replyMarkup: replyMarkup, quote: quote, disableNotification: disableNotification)
    }

    /// Sends formatted text (entities: nothing to escape) to the update's chat, like ``reply(_:parseMode:replyMarkup:quote:disableNotification:split:)``:
    /// `ctx.reply("Hello, \(bold: name)!")`.
    @discardableResult
    public func reply(
        _ text: FormattedText,
        replyMarkup: (any ReplyMarkupConvertible)? = nil,
        quote: Bool = false,
        disableNotification: Bool? = nil,
        split: Bool = false
    ) async throws -> Message {
        let target = try replyTarget(helper: "reply")
        let parts = Self.parts(of: text, split: split)
        return try await send(parts, parseMode: nil, to: target, replyMarkup: replyMarkup, quote: quote, disableNotification: disableNotification)
    }

    /// The messages `text` goes out as: one, or as many as ``FormattedText/split(maximumLength:)`` makes. A blank
    /// text (which has no parts) goes out whole, for Telegram to refuse in words.
    private static func parts(of text: FormattedText, split: Bool) -> [FormattedText] {
        guard split else { return [text] }
        let parts = text.split()
        return parts.isEmpty ? [text] : parts
    }

    /// Sends `parts` (at least one) in order as messages: the first quoting, the last with the keyboard; returns the last.
    private func send(
        _ parts: [FormattedText],
        parseMode: ParseMode?,
        to target: ReplyTarget,
        replyMarkup: (any ReplyMarkupConvertible)?,
        quote: Bool,
        disableNotification: Bool?
    ) async throws -> Message {
        var sent: [Message] = []
        for (index, part) in parts.enumerated() {
            sent.append(try await api.send(SendMessage(
                businessConnectionID: target.businessConnectionID,
                chatID: target.chatID,
                messageThreadID: target.threadID,
                text: part.text,
                parseMode: parseMode?.rawValue,
                entities: part.entities.isEmpty ? nil : part.entities,
                disableNotification: disableNotification,
                replyParameters: quote && index == 0 ? target.replyParameters : nil,
                replyMarkup: index == parts.count - 1 ? replyMarkup?.asReplyMarkup : nil
            )))
        }
        return sent[sent.count - 1]
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
        try await edit(text: text, parseMode: parseMode, entities: nil, replyMarkup: replyMarkup)
    }

    /// ``editMessageText(_:parseMode:replyMarkup:)`` with formatted text (entities: nothing to escape).
    @discardableResult
    public func editMessageText(_ text: FormattedText, replyMarkup: (any InlineKeyboardConvertible)? = nil) async throws -> MessageOrTrue {
        try await edit(text: text.text, parseMode: nil, entities: text.entities.isEmpty ? nil : text.entities, replyMarkup: replyMarkup)
    }

    private func edit(
        text: String, parseMode: ParseMode?, entities: [MessageEntity]?, replyMarkup: (any InlineKeyboardConvertible)?
    ) async throws -> MessageOrTrue {
        if let inlineMessageID = callbackQuery?.inlineMessageID {
            return try await api.send(EditMessageText(
                inlineMessageID: inlineMessageID, text: text, parseMode: parseMode?.rawValue, entities: entities,
                replyMarkup: replyMarkup?.asInlineKeyboardMarkup
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
            entities: entities,
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
