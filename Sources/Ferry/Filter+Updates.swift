public import TelegramBotAPI

// Message content filters look at the incoming message only (new message, channel post or
// business message), never at edits, so an edited message does not run a handler twice;
// filter edits with `.editedMessage`.
extension Context {
    /// The new message the update carries, if any: not an edit, not a callback query's message.
    var incomingMessage: Message? {
        messageIsIncoming ? message : nil
    }

    // Content filters read fields of `message` directly (`incomingText` is stored, see Context):
    // going through `incomingMessage` or a key path copies the whole message, for every handler.
}

extension Filter where Value == Message {
    public static var message: Filter<Message> { Filter(updateKinds: [.message]) { $0.update.message } }
    public static var editedMessage: Filter<Message> { Filter(updateKinds: [.editedMessage]) { $0.update.editedMessage } }
    public static var channelPost: Filter<Message> { Filter(updateKinds: [.channelPost]) { $0.update.channelPost } }
    public static var editedChannelPost: Filter<Message> { Filter(updateKinds: [.editedChannelPost]) { $0.update.editedChannelPost } }
    public static var businessMessage: Filter<Message> { Filter(updateKinds: [.businessMessage]) { $0.update.businessMessage } }
    /// A new message of any origin: a message, a channel post or a business message.
    public static var incomingMessage: Filter<Message> { Filter(updateKinds: .incomingMessages) { $0.incomingMessage } }
}

extension Filter where Value == String {
    public static var text: Filter<String> { Filter(updateKinds: .incomingMessages) { $0.incomingText } }
    public static var caption: Filter<String> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.caption : nil } }
}

extension Filter where Value: LosslessStringConvertible {
    /// A text message that parses as `Value`, ignoring surrounding whitespace:
    /// `.text(as: Int.self)` takes "42" and hands over `42`, and lets "forty-two" go by.
    public static func text(as type: Value.Type) -> Filter<Value> {
        Filter(updateKinds: .incomingMessages) { ctx in ctx.incomingText.flatMap { Value(String($0.trimmingWhitespace)) } }
    }
}

extension StringProtocol {
    var trimmingWhitespace: SubSequence {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}

extension Filter where Value == [PhotoSize] {
    /// The sizes of the photo, smallest first (the last one is the original).
    public static var photo: Filter<[PhotoSize]> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.photo : nil } }
}

extension Filter where Value == Document { public static var document: Filter<Document> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.document : nil } } }
extension Filter where Value == Voice { public static var voice: Filter<Voice> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.voice : nil } } }
extension Filter where Value == Audio { public static var audio: Filter<Audio> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.audio : nil } } }
extension Filter where Value == Video { public static var video: Filter<Video> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.video : nil } } }
extension Filter where Value == VideoNote { public static var videoNote: Filter<VideoNote> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.videoNote : nil } } }
extension Filter where Value == Animation { public static var animation: Filter<Animation> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.animation : nil } } }
extension Filter where Value == Sticker { public static var sticker: Filter<Sticker> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.sticker : nil } } }
extension Filter where Value == Location { public static var location: Filter<Location> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.location : nil } } }
extension Filter where Value == Venue { public static var venue: Filter<Venue> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.venue : nil } } }
extension Filter where Value == Contact { public static var contact: Filter<Contact> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.contact : nil } } }
extension Filter where Value == Dice { public static var dice: Filter<Dice> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.dice : nil } } }

extension Filter where Value == Poll {
    /// A message carrying a poll.
    public static var poll: Filter<Poll> { Filter(updateKinds: .incomingMessages) { $0.messageIsIncoming ? $0.message?.poll : nil } }
    /// A poll's state changed (an update of kind `poll`, not a message).
    public static var pollUpdate: Filter<Poll> { Filter(updateKinds: [.poll]) { $0.update.poll } }
}

extension Filter where Value == CallbackQuery {
    public static var callbackQuery: Filter<CallbackQuery> { Filter(updateKinds: [.callbackQuery]) { $0.callbackQuery } }

    /// A button press whose callback data is exactly `data`.
    public static func callbackQuery(data: String) -> Filter<CallbackQuery> {
        Filter(updateKinds: [.callbackQuery]) { ctx in ctx.callbackData == data ? ctx.callbackQuery : nil }
    }
}

extension Filter {
    /// A button press whose callback data matches `pattern`; hands over the regex captures.
    public static func callbackQuery<Output: Sendable>(pattern: sending Regex<Output>) -> Filter<Output> {
        let matcher = RegexMatcher(pattern)
        return Filter<Output>(updateKinds: [.callbackQuery]) { ctx in ctx.callbackData.flatMap { matcher.wholeMatch(in: $0) } }
    }

    /// A message whose text matches `pattern` anywhere; hands over the regex captures.
    public static func text<Output: Sendable>(matching pattern: sending Regex<Output>) -> Filter<Output> {
        let matcher = RegexMatcher(pattern)
        return Filter<Output>(updateKinds: .incomingMessages) { ctx in ctx.incomingText.flatMap { matcher.firstMatch(in: $0) } }
    }
}

extension Filter where Value == InlineQuery {
    public static var inlineQuery: Filter<InlineQuery> { Filter(updateKinds: [.inlineQuery]) { $0.update.inlineQuery } }
}

extension Filter where Value == ChosenInlineResult {
    public static var chosenInlineResult: Filter<ChosenInlineResult> { Filter(updateKinds: [.chosenInlineResult]) { $0.update.chosenInlineResult } }
}

extension Filter where Value == ShippingQuery {
    public static var shippingQuery: Filter<ShippingQuery> { Filter(updateKinds: [.shippingQuery]) { $0.update.shippingQuery } }
}

extension Filter where Value == PreCheckoutQuery {
    public static var preCheckoutQuery: Filter<PreCheckoutQuery> { Filter(updateKinds: [.preCheckoutQuery]) { $0.update.preCheckoutQuery } }
}

extension Filter where Value == ChatMemberUpdated {
    /// The bot's own membership changed: added to a group, blocked or unblocked by a user.
    public static var myChatMember: Filter<ChatMemberUpdated> { Filter(updateKinds: [.myChatMember]) { $0.update.myChatMember } }
    /// Another member's status changed (a kind Telegram sends only to bots that ask for it, as
    /// ``Bot/allowedUpdates`` does when a handler uses this filter).
    public static var chatMember: Filter<ChatMemberUpdated> { Filter(updateKinds: [.chatMember]) { $0.update.chatMember } }
}

extension Filter where Value == ChatJoinRequest {
    public static var chatJoinRequest: Filter<ChatJoinRequest> { Filter(updateKinds: [.chatJoinRequest]) { $0.update.chatJoinRequest } }
}

extension Filter where Value == Chat {
    /// Updates from a chat of one of `types`; hands over the chat.
    public static func chatType(_ types: ChatType...) -> Filter<Chat> {
        // An array: for the handful of types there are, comparing strings beats hashing one.
        let types = types.map(\.rawValue)
        return Filter { ctx in ctx.chat.flatMap { chat in types.contains(chat.type) ? chat : nil } }
    }
}

extension Filter where Value == User {
    /// Updates caused by one of `userIDs`: an allow-list for admin commands.
    public static func from(_ userIDs: Int...) -> Filter<User> {
        let ids = Set(userIDs)
        return Filter { ctx in ctx.from.flatMap { ids.contains($0.id) ? $0 : nil } }
    }
}

extension Filter where Value == Update {
    /// Updates of one of `kinds`, including kinds newer than this Bot API version (`.unknown("name")`).
    public static func kind(_ kinds: UpdateKind...) -> Filter<Update> {
        let kinds = Set(kinds)
        return Filter(updateKinds: UpdateKindSet(kinds)) { ctx in kinds.contains(ctx.update.kind) ? ctx.update : nil }
    }
}
