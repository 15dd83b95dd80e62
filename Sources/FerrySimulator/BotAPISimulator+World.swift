public import TelegramBotAPI

/// Building the world and acting in it as its users: what a test or the playground does.
extension BotAPISimulator {
    // MARK: Users and chats

    /// A new user with a fresh id. Users write to the bot with ``sendText(from:in:_:replyingTo:)``.
    public func createUser(firstName: String, lastName: String? = nil, username: String? = nil, languageCode: String? = "en") -> User {
        engine.mutate { $0.createUser(firstName: firstName, lastName: lastName, username: username, languageCode: languageCode) }
    }

    /// The user's private chat with the bot, opened as when the user presses Start (without sending `/start`).
    /// Until a user opens it or writes, the bot cannot write to the user (403, as on Telegram).
    @discardableResult
    public func openPrivateChat(with user: User) throws -> Chat {
        try engine.mutate { world in try world.openPrivateChat(with: user.id) }
    }

    /// A group with the bot and `members` in it; `supergroup` gives it a -100... id as Telegram's supergroups have.
    public func createGroup(title: String, members: [User], supergroup: Bool = true, username: String? = nil) throws -> Chat {
        try engine.mutate { world in
            try world.createGroup(title: title, memberIDs: members.map(\.id), supergroup: supergroup, username: username)
        }
    }

    /// The user blocks the bot: the bot's messages to them fail with 403 until they write again.
    public func block(by user: User) throws {
        try engine.mutate { world in try world.setBlocked(true, userID: user.id) }
    }

    // MARK: User actions

    /// `user` writes `text` in `chat` (their private chat with the bot when `nil`), and the bot receives
    /// the message as an update. Commands in the text get their `bot_command` entities, as Telegram adds them.
    /// - Returns: the message as the bot receives it.
    @discardableResult
    public func sendText(from user: User, in chat: Chat? = nil, _ text: String, replyingTo original: Message? = nil) throws -> Message {
        let moment = Moment.now
        return try engine.mutate { world in
            try world.userSendsText(text, from: user.id, in: chat?.id ?? user.id, replyingTo: original?.messageID, at: moment).message
        }
    }

    /// `user` sends `/command payload`; in a group the command is addressed to the bot (`/command@BotName`),
    /// as Telegram's clients do when several bots are present.
    @discardableResult
    public func sendCommand(_ command: String, payload: String? = nil, from user: User, in chat: Chat? = nil) throws -> Message {
        let name = command.hasPrefix("/") ? String(command.dropFirst()) : command
        let inGroup = chat.map { $0.type != "private" } ?? false
        let addressed = inGroup ? "\(name)@\(configuration.botUsername)" : name
        let text = "/" + addressed + (payload.map { " " + $0 } ?? "")
        return try sendText(from: user, in: chat, text)
    }

    /// `user` presses the inline button labelled `label` under `message` (as the chat shows it now, edits
    /// included); the bot receives a `callback_query` with the button's data.
    @discardableResult
    public func pressButton(_ label: String, on message: Message, by user: User) throws -> CallbackQuery {
        try pressButton(on: message, by: user, describedAs: "\"\(label)\"") { $0.text == label }
    }

    /// `user` presses the inline button whose callback data is `data`.
    @discardableResult
    public func pressButton(withCallbackData data: String, on message: Message, by user: User) throws -> CallbackQuery {
        try pressButton(on: message, by: user, describedAs: "with data \"\(data)\"") { $0.callbackData == data }
    }

    private func pressButton(
        on message: Message,
        by user: User,
        describedAs description: String,
        matching matches: (InlineKeyboardButton) -> Bool
    ) throws -> CallbackQuery {
        try engine.mutate { world in
            try world.userPressesButton(from: user.id, in: message.chat.id, messageID: message.messageID, describedAs: description, matching: matches).query
        }
    }

    /// `user` types `@bot query`; the bot receives an `inline_query` to answer with `answerInlineQuery`.
    @discardableResult
    public func sendInlineQuery(_ query: String, from user: User, chatType: String? = "sender") throws -> InlineQuery {
        try engine.mutate { world in try world.userTypesInlineQuery(query, from: user.id, chatType: chatType).query }
    }

    // MARK: Settings

    /// The flood limits in force; ``RateLimits/off`` lifts them. Changing them starts every bucket afresh.
    public var rateLimits: RateLimits {
        get { engine.read { $0.rateLimiter.limits } }
        set { engine.mutate { $0.rateLimiter.limits = newValue } }
    }

    /// Makes the next `times` calls of `method` fail with `failure`, without effect.
    public func failNext(_ method: String, times: Int = 1, with failure: BotAPIFailure) {
        engine.inject(.failure(failure), into: method, times: times)
    }

    public func failNext<Method: TelegramMethod>(_ method: Method.Type, times: Int = 1, with failure: BotAPIFailure) {
        failNext(Method.name, times: times, with: failure)
    }

    /// Makes the next `times` calls of `method` take effect but answer only after `delay`.
    public func delayNext(_ method: String, times: Int = 1, by delay: Duration) {
        engine.inject(.delay(delay), into: method, times: times)
    }

    public func delayNext<Method: TelegramMethod>(_ method: Method.Type, times: Int = 1, by delay: Duration) {
        delayNext(Method.name, times: times, by: delay)
    }

    /// Forgets every fault not yet used.
    public func removeFaults() {
        engine.removeFaults()
    }
}
