import TelegramBotAPI

/// `sendMessage`, `editMessageText`, `deleteMessage`, `sendChatAction`, and what every sending method shares.
extension SimulatorWorld {
    static let maximumTextLength = 4096
    static let maximumCaptionLength = 1024
    static let chatActions: Set<String> = [
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
    ]

    mutating func sendMessage(_ call: SendMessage, at moment: Moment) throws(BotAPIFailure) -> Message {
        // Parameters are parsed before the chat is looked up, as on Telegram.
        let keyboard = try Self.inlineKeyboard(in: call.replyMarkup)
        let chatID = try writableChat(call.chatID)
        try Self.validateText(call.text)
        let replyTo = try repliedMessage(call.replyParameters, in: chatID)
        try admitMessage(to: chatID, at: moment)

        var message = botMessage(in: chatID, at: moment)
        message.messageThreadID = call.messageThreadID
        message.text = call.text
        message.entities = call.entities
        message.linkPreviewOptions = call.linkPreviewOptions
        message.hasProtectedContent = call.protectContent == true ? true : nil
        message.replyToMessage = replyTo
        message.replyMarkup = keyboard
        return deliver(message, to: chatID)
    }

    mutating func editMessageText(_ call: EditMessageText, at moment: Moment) throws(BotAPIFailure) -> MessageOrTrue {
        // The simulator has no inline messages (those sent via inline mode into other chats).
        guard call.inlineMessageID == nil else { throw .badRequest("MESSAGE_ID_INVALID") }
        guard let chatReference = call.chatID else { throw .badRequest("chat_id is empty") }
        guard let messageID = call.messageID else { throw .badRequest("message_id is empty") }
        guard let text = call.text else { throw .badRequest("message text is empty") }
        let chatID = try existingChat(chatReference)
        try Self.validateText(text)
        let keyboard = try Self.inlineKeyboard(in: call.replyMarkup.map(ReplyMarkup.inlineKeyboardMarkup))
        guard var message = self.message(messageID, in: chatID) else { throw .badRequest("message to edit not found") }
        guard message.from?.id == bot.id else { throw .badRequest("message can't be edited") }
        guard message.text != nil else { throw .badRequest("there is no text in the message to edit") }
        guard message.text != text || message.entities != call.entities || message.replyMarkup != keyboard else {
            throw .badRequest(
                "message is not modified: specified new message content and reply markup are exactly the same "
                    + "as a current content and reply markup of the message"
            )
        }
        message.text = text
        message.entities = call.entities
        message.linkPreviewOptions = call.linkPreviewOptions
        message.replyMarkup = keyboard
        message.editDate = moment.unixTime
        chats[chatID]?.messages[messageID] = message
        log.record(.editedMessage(message))
        return .message(message)
    }

    mutating func deleteMessage(_ call: DeleteMessage) throws(BotAPIFailure) -> Bool {
        let chatID = try existingChat(call.chatID)
        guard let message = self.message(call.messageID, in: chatID) else { throw .badRequest("message to delete not found") }
        // A bot deletes its own messages anywhere and anyone's in a private chat; in groups others' need admin rights.
        guard message.from?.id == bot.id || chats[chatID]?.isPrivate == true else {
            throw .badRequest("message can't be deleted")
        }
        chats[chatID]?.messages[call.messageID] = nil
        log.record(.deletedMessage(chatID: chatID, messageID: call.messageID))
        return true
    }

    mutating func sendChatAction(_ call: SendChatAction) throws(BotAPIFailure) -> Bool {
        let chatID = try writableChat(call.chatID)
        guard Self.chatActions.contains(call.action) else { throw .badRequest("wrong parameter action in request") }
        log.record(.sentChatAction(chatID: chatID, action: call.action))
        return true
    }

    // MARK: Shared by the sending methods

    /// A message from the bot in `chatID`, without content yet.
    func botMessage(in chatID: Int, at moment: Moment) -> Message {
        // `writableChat` ran first, so the chat exists.
        Message(messageID: 0, from: bot, date: moment.unixTime, chat: chats[chatID]!.chat)
    }

    /// Stores the bot's new message, records it as sent, and returns it as the Bot API answers it.
    mutating func deliver(_ message: Message, to chatID: Int) -> Message {
        var message = message
        store(&message, in: chatID)
        log.record(.sentMessage(message))
        return message
    }

    /// The chat `reference` names, if the simulator knows it.
    func existingChat(_ reference: ChatID) throws(BotAPIFailure) -> Int {
        switch reference {
        case .id(let id):
            guard chats[id] != nil else { throw .chatNotFound }
            return id
        case .username(let username):
            // Only public groups and channels are addressed by username; users never are.
            let name = username.hasPrefix("@") ? username.dropFirst() : username[...]
            guard let record = chats.values.first(where: { !$0.isPrivate && $0.chat.username?.lowercased() == name.lowercased() }) else {
                throw .chatNotFound
            }
            return record.chat.id
        }
    }

    /// The chat `reference` names, if the bot may write there: the user opened the chat and has not blocked the bot.
    func writableChat(_ reference: ChatID) throws(BotAPIFailure) -> Int {
        if case .id(let id) = reference, chats[id] == nil, users[id] != nil {
            throw .forbidden("bot can't initiate conversation with a user")
        }
        let chatID = try existingChat(reference)
        if chats[chatID]?.isPrivate == true, users[chatID]?.hasBlockedBot == true {
            throw .forbidden("bot was blocked by the user")
        }
        return chatID
    }

    /// Flood control: every message the bot sends takes a token from its chat's bucket and the global one.
    mutating func admitMessage(to chatID: Int, at moment: Moment) throws(BotAPIFailure) {
        let isPrivate = chats[chatID]?.isPrivate ?? true
        if let wait = rateLimiter.admit(chatID: chatID, isPrivate: isPrivate, now: moment.instant) {
            // Telegram counts whole seconds and never asks for less than one.
            throw .tooManyRequests(retryAfter: max(1, Int(wait.inSeconds.rounded(.up))))
        }
    }

    static func validateText(_ text: String) throws(BotAPIFailure) {
        guard text.contains(where: { !$0.isWhitespace }) else { throw .badRequest("message text is empty") }
        guard text.utf16.count <= maximumTextLength else { throw .badRequest("message is too long") }
    }

    static func validateCaption(_ caption: String?) throws(BotAPIFailure) {
        guard let caption, caption.utf16.count > maximumCaptionLength else { return }
        throw .badRequest("message caption is too long")
    }

    /// The inline keyboard the message will carry, checked as Telegram checks it. Other markups (reply
    /// keyboards, force reply) act on the user's client and do not appear in the sent `Message`.
    static func inlineKeyboard(in markup: ReplyMarkup?) throws(BotAPIFailure) -> InlineKeyboardMarkup? {
        if case .unknown = markup { throw .badRequest("can't parse reply keyboard markup JSON object") }
        guard case .inlineKeyboardMarkup(let keyboard) = markup else { return nil }
        for button in keyboard.inlineKeyboard.joined() {
            if let data = button.callbackData, data.utf8.isEmpty || data.utf8.count > 64 {
                throw .badRequest("BUTTON_DATA_INVALID")
            }
            let hasAction = [
                button.url != nil, button.callbackData != nil, button.webApp != nil, button.loginURL != nil,
                button.switchInlineQuery != nil, button.switchInlineQueryCurrentChat != nil,
                button.switchInlineQueryChosenChat != nil, button.copyText != nil, button.callbackGame != nil,
                button.pay != nil,
            ].contains(true)
            guard hasAction else {
                throw .badRequest("text buttons are unallowed in the inline keyboard")
            }
        }
        return keyboard
    }

    /// The message a reply refers to; by default in the same chat.
    func repliedMessage(_ parameters: ReplyParameters?, in chatID: Int) throws(BotAPIFailure) -> Message? {
        guard let parameters else { return nil }
        var replyChatID = chatID
        if let reference = parameters.chatID { replyChatID = try existingChat(reference) }
        // A reply to another chat's message shows as an external reply, which the simulator does not build.
        if let message = message(parameters.messageID, in: replyChatID) { return replyChatID == chatID ? message : nil }
        guard parameters.allowSendingWithoutReply == true else { throw .badRequest("message to be replied not found") }
        return nil
    }
}
