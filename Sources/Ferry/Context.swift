public import Logging
public import TelegramBotAPI
import Synchronization

/// One update being handled, with the client to answer it and room for middleware to attach state
/// (the session, for one). Handlers and middleware of one update share the same `Context`.
///
/// A class, so middleware can attach state that later handlers see; `Sendable` because a handler
/// may hand it to child tasks. All mutable state sits behind a `Mutex`.
public final class Context: Sendable {
    public let update: Update
    /// The Bot API client: `ctx.api.sendChatAction(...)` reaches every method the helpers below do not cover.
    public let api: any BotAPI
    /// The bot's username without "@", when known; `/start@ThisBot` commands are matched against it.
    public let botUsername: String?
    /// Carries the update id as metadata, so every line logged for this update can be found together.
    public let logger: Logger

    private let storage = Mutex<[ObjectIdentifier: any Sendable]>([:])

    public init(update: Update, api: any BotAPI, botUsername: String? = nil, logger: Logger? = nil) {
        self.update = update
        self.api = api
        self.botUsername = botUsername
        var logger = logger ?? Logger(label: "ferry")
        logger[metadataKey: "update_id"] = "\(update.updateID)"
        self.logger = logger
    }

    /// State attached by middleware, one value per key type: `ctx[RequestStart.self] = .now`.
    public subscript<Key: ContextKey>(key: Key.Type) -> Key.Value? {
        get { storage.withLock { $0[ObjectIdentifier(key)] as? Key.Value } }
        set { storage.withLock { $0[ObjectIdentifier(key)] = newValue } }
    }
}

/// Names a piece of state attached to a ``Context``; the key type's identity is the key, so two
/// modules cannot clash by picking the same string.
public protocol ContextKey {
    associatedtype Value: Sendable
}

extension Context {
    /// The message the update is about: a new, edited, channel or business message, or the message
    /// a callback query's button is attached to (when the bot can still see it).
    public var message: Message? {
        let sent: Message? = update.message ?? update.editedMessage ?? update.channelPost ?? update.editedChannelPost
        if let sent { return sent }
        let business: Message? = update.businessMessage ?? update.editedBusinessMessage ?? update.guestMessage
        if let business { return business }
        if case .message(let message) = update.callbackQuery?.message { return message }
        return nil
    }

    /// The chat the update happened in, for every kind of update that has one.
    public var chat: Chat? {
        if let message { return message.chat }
        if case .inaccessibleMessage(let message) = update.callbackQuery?.message { return message.chat }
        let members: Chat? = update.myChatMember?.chat ?? update.chatMember?.chat ?? update.chatJoinRequest?.chat
        if let members { return members }
        let reactions: Chat? = update.messageReaction?.chat ?? update.messageReactionCount?.chat
        if let reactions { return reactions }
        return update.chatBoost?.chat ?? update.removedChatBoost?.chat ?? update.deletedBusinessMessages?.chat
    }

    /// The user who caused the update.
    public var from: User? {
        let queries: User? = update.callbackQuery?.from ?? update.inlineQuery?.from
            ?? update.chosenInlineResult?.from ?? update.shippingQuery?.from ?? update.preCheckoutQuery?.from
        if let queries { return queries }
        let members: User? = update.myChatMember?.from ?? update.chatMember?.from ?? update.chatJoinRequest?.from
        if let members { return members }
        let others: User? = update.messageReaction?.user ?? update.pollAnswer?.user
            ?? update.businessConnection?.user ?? update.purchasedPaidMedia?.from
        return others ?? message?.from
    }

    public var callbackQuery: CallbackQuery? { update.callbackQuery }
    public var inlineQuery: InlineQuery? { update.inlineQuery }
    public var preCheckoutQuery: PreCheckoutQuery? { update.preCheckoutQuery }
}
