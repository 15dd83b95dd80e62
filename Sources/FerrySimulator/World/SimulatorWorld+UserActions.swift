import TelegramBotAPI

/// What users do: each action changes the world like Telegram would and queues the update the bot receives.
extension SimulatorWorld {
    /// A text message from `userID` in `chatID`. Commands (`/start`, `/help@bot`) get their `bot_command` entities.
    /// - Returns: the message, and the update the bot will receive for it (`nil` when the bot does not get
    ///   it: privacy mode in groups, or `allowed_updates` without `message`).
    mutating func userSendsText(
        _ text: String,
        from userID: Int,
        in chatID: Int,
        replyingTo replyID: Int?,
        at moment: Moment
    ) throws(SimulatorError) -> (message: Message, update: Update?) {
        guard let sender = users[userID] else { throw .unknownUser(userID) }
        // Everything is checked before anything changes, so a refused action leaves no trace.
        var original: Message?
        if let replyID {
            original = self.message(replyID, in: chatID)
            guard original != nil else { throw .messageNotFound(chatID: chatID, messageID: replyID) }
        }
        let chat: Chat
        if chatID == userID {
            chat = try openPrivateChat(with: userID)
            // Writing to a bot unblocks it.
            users[userID]?.hasBlockedBot = false
        } else {
            // Only the parts needed are read: holding the whole record would make storing the message copy its history.
            guard let group = chats[chatID]?.chat else { throw .unknownChat(chatID) }
            guard chats[chatID]?.memberIDs.contains(userID) == true else { throw .notAMember(userID: userID, chatID: chatID) }
            chat = group
        }
        var message = Message(messageID: 0, from: sender.user, date: moment.unixTime, chat: chat, text: text)
        let entities = Self.commandEntities(in: text)
        message.entities = entities.isEmpty ? nil : entities
        message.replyToMessage = original
        store(&message, in: chatID)

        guard isVisibleToBot(message) else { return (message, nil) }
        let stored = message
        return (message, inbox.enqueue(.message) { Update(updateID: $0, message: stored) })
    }

    /// A press on the inline button of a bot message that `matches`; the bot receives a `callback_query`.
    mutating func userPressesButton(
        from userID: Int,
        in chatID: Int,
        messageID: Int,
        describedAs description: String,
        matching matches: (InlineKeyboardButton) -> Bool
    ) throws(SimulatorError) -> (query: CallbackQuery, update: Update?) {
        guard let presser = users[userID] else { throw .unknownUser(userID) }
        guard chats[chatID] != nil else { throw .unknownChat(chatID) }
        guard chats[chatID]?.memberIDs.contains(userID) == true else { throw .notAMember(userID: userID, chatID: chatID) }
        guard let message = self.message(messageID, in: chatID) else { throw .messageNotFound(chatID: chatID, messageID: messageID) }
        let buttons = message.replyMarkup.map { Array($0.inlineKeyboard.joined()) } ?? []
        guard let button = buttons.first(where: matches), let data = button.callbackData else {
            throw .buttonNotFound(chatID: chatID, messageID: messageID, button: description)
        }
        let query = CallbackQuery(
            id: nextQueryID(),
            from: presser.user,
            message: .message(message),
            chatInstance: chatInstance(for: chatID),
            data: data
        )
        callbackQueries.insert(query.id)
        return (query, inbox.enqueue(.callbackQuery) { Update(updateID: $0, callbackQuery: query) })
    }

    /// `@bot query` typed by `userID` in a chat of `chatType`; the bot receives an `inline_query`.
    mutating func userTypesInlineQuery(
        _ text: String,
        from userID: Int,
        chatType: String?
    ) throws(SimulatorError) -> (query: InlineQuery, update: Update?) {
        guard let user = users[userID] else { throw .unknownUser(userID) }
        let query = InlineQuery(id: nextQueryID(), from: user.user, query: text, offset: "", chatType: chatType)
        inlineQueries.insert(query.id)
        return (query, inbox.enqueue(.inlineQuery) { Update(updateID: $0, inlineQuery: query) })
    }

    /// Whether the bot receives `message`: always in private chats; in groups under privacy mode only
    /// commands, replies to the bot's messages and mentions of the bot.
    private func isVisibleToBot(_ message: Message) -> Bool {
        guard groupPrivacy, message.chat.type != "private" else { return true }
        if message.entities?.contains(where: { $0.type == "bot_command" }) == true { return true }
        if message.replyToMessage?.from?.id == bot.id { return true }
        if let username = bot.username, message.text?.lowercased().contains("@" + username.lowercased()) == true { return true }
        return false
    }

    /// A `bot_command` entity for every `/command` (optionally `@botname`) that starts a word, measured in
    /// UTF-16 code units as Telegram measures offsets.
    static func commandEntities(in text: String) -> [MessageEntity] {
        var entities: [MessageEntity] = []
        let units = Array(text.utf16)
        var index = 0
        while index < units.count {
            let startsWord = index == 0 || Self.isWhitespace(units[index - 1])
            guard startsWord, units[index] == UInt16(ascii: "/") else {
                index += 1
                continue
            }
            var end = index + 1
            while end < units.count, Self.isCommandCharacter(units[end]) || units[end] == UInt16(ascii: "@") { end += 1 }
            if end > index + 1 {
                entities.append(MessageEntity(type: "bot_command", offset: index, length: end - index))
            }
            index = end
        }
        return entities
    }

    private static func isWhitespace(_ unit: UInt16) -> Bool {
        unit == 0x20 || unit == 0x0A || unit == 0x09 || unit == 0x0D
    }

    private static func isCommandCharacter(_ unit: UInt16) -> Bool {
        switch unit {
        case UInt16(ascii: "a")...UInt16(ascii: "z"), UInt16(ascii: "A")...UInt16(ascii: "Z"),
            UInt16(ascii: "0")...UInt16(ascii: "9"), UInt16(ascii: "_"):
            true
        default:
            false
        }
    }
}

private extension UInt16 {
    init(ascii scalar: Unicode.Scalar) { self = UInt16(UInt8(ascii: scalar)) }
}
