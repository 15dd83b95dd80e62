import Ferry
import FerryTesting
import Foundation
import TelegramBotAPI
import Testing
import FerryTestSupport

/// `Bot.allowedUpdates`: the update kinds a bot asks Telegram for, worked out from its handlers.
@Suite struct AllowedUpdatesTests {
    @Test func commandsHearsAndTextAskForNewMessagesOnly() {
        let (bot, _) = makeBot()
        bot.command("start") { _, _ in }
        bot.hears("hi") { _, _ in }
        bot.on(.text) { _, _ in }
        #expect(bot.allowedUpdates == ["message", "channel_post", "business_message"])
    }

    @Test func editsAndChannelPostsOnlyWhenFilteredFor() {
        let (bot, _) = makeBot()
        bot.on(.editedMessage) { _, _ in }
        bot.on(.channelPost) { _, _ in }
        #expect(bot.allowedUpdates == ["edited_message", "channel_post"])
    }

    @Test func buttonsAndInlineQueriesAddTheirKindsInTheOrderOfTheDocs() {
        let (bot, _) = makeBot()
        bot.on(.inlineQuery) { _, _ in }
        bot.callbackQuery(data: "yes") { _, _ in }
        bot.command("start") { _, _ in }
        #expect(bot.allowedUpdates == ["message", "channel_post", "business_message", "inline_query", "callback_query"])
    }

    @Test func aCatchAllAsksForEveryKindIncludingThoseTelegramLeavesOutByDefault() {
        let (bot, _) = makeBot()
        bot.command("start") { _, _ in }
        bot.onAny { _ in }
        let allowed = bot.allowedUpdates
        #expect(allowed == UpdateKind.allKnown.map(\.rawValue))
        #expect(["chat_member", "message_reaction", "message_reaction_count"].allSatisfy(allowed.contains))
    }

    @Test func closureMiddlewareMightTakeAnythingSoItAsksForEveryKind() {
        let (bot, _) = makeBot()
        bot.use { _, next in try await next() }
        bot.command("start") { _, _ in }
        #expect(bot.allowedUpdates.count == UpdateKind.allKnown.count)
    }

    @Test func sessionsPassUpdatesOnAndAddNothing() {
        let (bot, _) = makeBot()
        bot.use(session(initial: 0))
        bot.callbackQuery(data: "more") { _, _ in }
        #expect(bot.allowedUpdates == ["callback_query"])
    }

    @Test func aBotWithoutHandlersAsksForNothing() {
        let (bot, _) = makeBot()
        bot.use(session(initial: 0))
        #expect(bot.allowedUpdates.isEmpty)
    }

    @Test func combinatorsNarrowAndWiden() {
        let (bot, _) = makeBot()
        // `and` narrows: the chat type alone might be any kind, with `.text` it is a message.
        bot.on(Filter.text.and(.chatType(.private))) { _, _ in }
        // `or` widens: either side's kinds.
        bot.on(Filter.pollUpdate.or(.poll)) { _, _ in }
        bot.on(Filter.chatMember.where { $0.chat.id < 0 }) { _, _ in }
        #expect(bot.allowedUpdates == ["message", "channel_post", "business_message", "poll", "chat_member"])

        let (negated, _) = makeBot()
        negated.on(Filter.text.not()) { _, _ in }
        #expect(negated.allowedUpdates.count == UpdateKind.allKnown.count, "everything but text can be any kind")
    }

    @Test func kindFilterNamesKindsNewerThanThisBotAPIVersion() {
        let (bot, _) = makeBot()
        bot.on(.kind(.messageReaction, .unknown("future_thing"))) { _, _ in }
        #expect(bot.allowedUpdates == ["message_reaction", "future_thing"])
    }

    @Test func aBranchAsksForWhatItsHandlersTakeWithinItsFilter() {
        let (bot, _) = makeBot()
        let admins = bot.filter(.from(42))
        let privateChats = bot.filter(Filter.chatType(.private))
        // Registered after `filter(_:)` returned: the bot's list is worked out when asked.
        admins.command("ban") { _, _ in }
        privateChats.on(.callbackQuery) { _, _ in }
        #expect(bot.allowedUpdates == ["message", "channel_post", "business_message", "callback_query"])

        let (editsOnly, _) = makeBot()
        editsOnly.filter(.editedMessage).on(.text) { _, _ in }
        #expect(editsOnly.allowedUpdates.isEmpty, "`.text` never matches an edit, so the branch takes nothing")
    }

    @Test func composersContributeWhatIsRegisteredOnThem() {
        let (bot, _) = makeBot()
        let feature = Composer()
        bot.use(feature)
        feature.on(.preCheckoutQuery) { _, _ in }
        feature.on(.shippingQuery) { _, _ in }
        #expect(bot.allowedUpdates == ["shipping_query", "pre_checkout_query"])
    }

    @Test func aConversationAsksForItsStepsAndItsCancelCommand() {
        let (bot, _) = makeBot()
        let conversation = Conversation<Int, String>("c", initial: "")
        conversation.step(1, .callbackQuery) { _, _, _ in }
        bot.use(conversation)
        #expect(bot.allowedUpdates == ["message", "channel_post", "business_message", "callback_query"])

        conversation.otherwise { _, state in state.passOn() }
        #expect(bot.allowedUpdates.count == UpdateKind.allKnown.count, "an otherwise handler can see anything")
    }

    /// The soundness the whole list rests on: a filter never matches an update of a kind it does not
    /// declare, or the bot would not be sent updates its handlers would take. Checked on every shared sample.
    @Test func noFilterMatchesAnUpdateOfAKindItDoesNotDeclare() throws {
        let filters: [(String, AnyFilter)] = [
            ("message", AnyFilter(.message)), ("editedMessage", AnyFilter(.editedMessage)),
            ("channelPost", AnyFilter(.channelPost)), ("editedChannelPost", AnyFilter(.editedChannelPost)),
            ("businessMessage", AnyFilter(.businessMessage)), ("incomingMessage", AnyFilter(.incomingMessage)),
            ("text", AnyFilter(.text)), ("caption", AnyFilter(.caption)), ("textAsInt", AnyFilter(.text(as: Int.self))),
            ("textMatching", AnyFilter(.text(matching: /./))), ("command", AnyFilter(.command("start", "help"))),
            ("photo", AnyFilter(.photo)), ("document", AnyFilter(.document)), ("voice", AnyFilter(.voice)),
            ("audio", AnyFilter(.audio)), ("video", AnyFilter(.video)), ("videoNote", AnyFilter(.videoNote)),
            ("animation", AnyFilter(.animation)), ("sticker", AnyFilter(.sticker)), ("location", AnyFilter(.location)),
            ("venue", AnyFilter(.venue)), ("contact", AnyFilter(.contact)), ("dice", AnyFilter(.dice)),
            ("poll", AnyFilter(.poll)), ("pollUpdate", AnyFilter(.pollUpdate)),
            ("callbackQuery", AnyFilter(.callbackQuery)), ("callbackPattern", AnyFilter(.callbackQuery(pattern: /.*/))),
            ("inlineQuery", AnyFilter(.inlineQuery)), ("chosenInlineResult", AnyFilter(.chosenInlineResult)),
            ("shippingQuery", AnyFilter(.shippingQuery)), ("preCheckoutQuery", AnyFilter(.preCheckoutQuery)),
            ("myChatMember", AnyFilter(.myChatMember)), ("chatMember", AnyFilter(.chatMember)),
            ("chatJoinRequest", AnyFilter(.chatJoinRequest)),
            ("textInPrivate", AnyFilter(Filter.text.and(.chatType(.private)))),
        ]
        let api = BotAPIRecorder()
        var matches = 0
        let samples = try SharedData.updateSamples()
        #expect(samples.count >= 70)
        for (name, data) in samples {
            let update = try JSONDecoder().decode(Update.self, from: data)
            let ctx = Context(update: update, api: api, botUsername: "OurBot")
            for (filterName, filter) in filters where filter.matches(ctx) {
                matches += 1
                #expect(filter.updateKinds.contains(update.kind), "\(filterName) matched \(name), a \(update.kind) update")
            }
        }
        #expect(matches > 70, "the samples exercise the filters")
    }
}

/// A filter with its value type erased, so filters of different types fit in one list.
private struct AnyFilter {
    let matches: (Context) -> Bool
    let updateKinds: UpdateKindSet

    init<Value>(_ filter: Filter<Value>) {
        matches = { filter.extract($0) != nil }
        updateKinds = filter.updateKinds
    }
}
