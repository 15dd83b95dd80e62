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
    // Computed: setting metadata makes the default log handler re-render all of it, which cost more
    // than routing the update; most updates log nothing, so only those that do pay.
    public var logger: Logger {
        var logger = baseLogger
        logger[metadataKey: "update_id"] = "\(update.updateID)"
        return logger
    }
    private let baseLogger: Logger
    /// The message the update is about: a new, edited, channel or business message, or the message
    /// a callback query's button is attached to (when the bot can still see it).
    // Stored, not computed: the Bot API getters hand out a copy of the whole `Message` (close to
    // 200 fields), and every filter asks, so computing it per call cost microseconds per update.
    public let message: Message?
    /// Whether ``message`` is new (a message, channel post or business message): not an edit, not a
    /// callback query's message. Message content filters read fields of `message` only then; a flag
    /// rather than a second stored copy, since copying a `Message` is most of what routing costs.
    let messageIsIncoming: Bool
    /// The incoming message's text, which most filters test: reading `message?.text` moves the
    /// whole (kilobytes large) message onto the stack first, once per filter.
    let incomingText: String?
    /// The command the incoming message starts with, parsed once for all command handlers.
    let incomingCommand: IncomingCommand?
    /// The button press the update carries. Stored, like `message`: each of a bot's callback
    /// handlers asks, and every `Update` getter call copies its payload out of its box.
    public let callbackQuery: CallbackQuery?
    /// The pressed button's data, which callback filters test first: reading it from
    /// `callbackQuery` moves the whole query, message included, onto the stack.
    let callbackData: String?
    /// The chat the update happened in, for every kind of update that has one (for an anonymous poll
    /// answer, the chat that voted): the chat the queue orders the update by, so a session keyed by it
    /// is never used by two updates at once. Stored: filters and session keys ask for it several times per update.
    public let chat: Chat?

    private let storage = Mutex<[ObjectIdentifier: any Sendable]>([:])

    public init(update: Update, api: any BotAPI, botUsername: String? = nil, logger: Logger? = nil) {
        self.update = update
        self.api = api
        self.botUsername = botUsername
        // Bound once and moved, rather than chained with `??`, which copied the message (~1 µs each).
        let message: Message?
        let callbackQuery = update.callbackQuery
        var isIncoming = true
        if let sent = update.message {
            message = sent
        } else if let post = update.channelPost {
            message = post
        } else if let business = update.businessMessage {
            message = business
        } else {
            isIncoming = false
            message = Self.otherMessage(of: update, callbackQuery: callbackQuery)
        }
        self.callbackQuery = callbackQuery
        self.callbackData = callbackQuery?.data
        self.chat = message?.chat ?? Self.chatWithoutMessage(of: update, callbackQuery: callbackQuery)
        self.messageIsIncoming = isIncoming
        self.incomingText = isIncoming ? message?.text : nil
        self.incomingCommand = incomingText.flatMap { IncomingCommand(text: $0, botUsername: botUsername) }
        self.message = message
        self.baseLogger = logger ?? Logger(label: "ferry")
    }

    /// State attached by middleware, one value per key type: `ctx[RequestStart.self] = .now`.
    public subscript<Key: ContextKey>(key: Key.Type) -> Key.Value? {
        get { storage.withLock { $0[ObjectIdentifier(key)] as? Key.Value } }
        set { storage.withLock { $0[ObjectIdentifier(key)] = newValue } }
    }

    /// State attached under an object's identity rather than a type's, so two instances of one
    /// generic type (two conversations with the same step and data types) keep theirs apart.
    /// The object outlives the update (it is registered on the bot), so its identity stays unique.
    subscript(owner owner: AnyObject) -> (any Sendable)? {
        get { storage.withLock { $0[ObjectIdentifier(owner)] } }
        set { storage.withLock { $0[ObjectIdentifier(owner)] = newValue } }
    }
}

/// Names a piece of state attached to a ``Context``; the key type's identity is the key, so two
/// modules cannot clash by picking the same string.
public protocol ContextKey {
    associatedtype Value: Sendable
}

extension Context {
    /// ``message`` for updates without an incoming message: an edit, a guest message or a button's message.
    private static func otherMessage(of update: Update, callbackQuery: CallbackQuery?) -> Message? {
        let edited: Message? = update.editedMessage ?? update.editedChannelPost ?? update.editedBusinessMessage
        if let edited { return edited }
        if let guest = update.guestMessage { return guest }
        if case .message(let message) = callbackQuery?.message { return message }
        return nil
    }

    /// ``chat`` for updates without a message.
    private static func chatWithoutMessage(of update: Update, callbackQuery: CallbackQuery?) -> Chat? {
        if case .inaccessibleMessage(let message) = callbackQuery?.message { return message.chat }
        let members: Chat? = update.myChatMember?.chat ?? update.chatMember?.chat ?? update.chatJoinRequest?.chat
        if let members { return members }
        let reactions: Chat? = update.messageReaction?.chat ?? update.messageReactionCount?.chat
        if let reactions { return reactions }
        let boosts: Chat? = update.chatBoost?.chat ?? update.removedChatBoost?.chat
        if let boosts { return boosts }
        // An anonymous vote is cast on behalf of a chat: the queue orders it with that chat's updates, so its
        // chat session is the one it may use.
        return update.deletedBusinessMessages?.chat ?? update.pollAnswer?.voterChat
    }

    /// The user who caused the update. For `managed_bot` that is the managed bot's owner, while the queue
    /// orders the update by the managed bot (`user:<bot id>`), so a change of owner cannot overtake it.
    public var from: User? {
        let queries: User? = callbackQuery?.from ?? update.inlineQuery?.from
            ?? update.chosenInlineResult?.from ?? update.shippingQuery?.from ?? update.preCheckoutQuery?.from
        if let queries { return queries }
        let members: User? = update.myChatMember?.from ?? update.chatMember?.from ?? update.chatJoinRequest?.from
        if let members { return members }
        let others: User? = update.messageReaction?.user ?? update.pollAnswer?.user
            ?? update.businessConnection?.user ?? update.purchasedPaidMedia?.from ?? update.managedBot?.user
        return others ?? message?.from
    }

    public var inlineQuery: InlineQuery? { update.inlineQuery }
    public var preCheckoutQuery: PreCheckoutQuery? { update.preCheckoutQuery }
}
