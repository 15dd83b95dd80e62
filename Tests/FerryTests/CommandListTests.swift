import Ferry
import FerryTesting
import TelegramBotAPI
import Testing

@Suite struct CommandListTests {
    func command(_ name: String, _ description: String) -> BotCommand {
        BotCommand(command: name, description: description)
    }

    /// Described commands on the bot and in a branch, one for private chats only, some translated.
    func describedBot(api: any BotAPI) -> Bot {
        let bot = Bot(api: api, username: "OurBot")
        bot.command("start", description: "Start over", localized: ["de": "Neu anfangen"]) { ctx in try await ctx.reply("Hi") }
        bot.command("help") { ctx in try await ctx.reply("Undescribed: not in the menu") }
        bot.command("survey", description: "A short survey", scope: .allPrivateChats) { ctx in try await ctx.reply("Name?") }
        bot.filter(.chatType(.group, .supergroup)).command("ban", description: "Ban a member", scope: .allChatAdministrators) { ctx in
            try await ctx.reply("Banned")
        }
        return bot
    }

    @Test func listsAreDerivedPerScopeAndLanguageWithTheBroaderScopesCommandsIncluded() {
        let bot = describedBot(api: BotAPIRecorder())
        #expect(bot.commandLists == [
            CommandList(scope: .default, languageCode: nil, commands: [command("start", "Start over")]),
            CommandList(scope: .default, languageCode: "de", commands: [command("start", "Neu anfangen")]),
            CommandList(scope: .allPrivateChats, languageCode: nil, commands: [command("start", "Start over"), command("survey", "A short survey")]),
            CommandList(scope: .allPrivateChats, languageCode: "de", commands: [command("start", "Neu anfangen"), command("survey", "A short survey")]),
            CommandList(scope: .allChatAdministrators, languageCode: nil, commands: [command("start", "Start over"), command("ban", "Ban a member")]),
            CommandList(scope: .allChatAdministrators, languageCode: "de", commands: [command("start", "Neu anfangen"), command("ban", "Ban a member")]),
        ])
    }

    @Test func describedCommandsAreRoutedLikeAnyOther() async throws {
        let (bot, api) = makeBot()
        bot.command("start", description: "Start over") { ctx, command in try await ctx.reply("payload \(command.arguments)") }
        try await bot.handle(UpdateFactory.message(text: "/start@OurBot abc"))
        try await bot.handle(UpdateFactory.message(text: "/start@OtherBot abc"))
        #expect(api.sentTexts == ["payload abc"])
        #expect(bot.allowedUpdates == ["message", "channel_post", "business_message"])
    }

    @Test func publishingSetsOnlyTheListsThatDifferFromTelegrams() async throws {
        let simulator = BotAPISimulator(configuration: .init(rateLimits: .off))
        let bot = describedBot(api: simulator)
        let first = try await bot.publishCommandLists()
        #expect(first == bot.commandLists)
        #expect(try await simulator.getMyCommands(scope: .allPrivateChats(.init()), languageCode: "de")
            == [command("start", "Neu anfangen"), command("survey", "A short survey")])
        #expect(try await simulator.getMyCommands() == [command("start", "Start over")])

        // A restart with the same commands changes nothing.
        let setsBefore = simulator.actionLog.count
        #expect(try await describedBot(api: simulator).publishCommandLists().isEmpty)
        #expect(simulator.actionLog.count == setsBefore)

        // One description changed, the admin command gone: that list is set, the admin lists emptied.
        let changed = Bot(api: simulator)
        changed.command("start", description: "Start over", localized: ["de": "Neu anfangen"]) { _ in }
        changed.command("survey", description: "A longer survey", scope: .allPrivateChats) { _ in }
        let updated = try await changed.publishCommandLists()
        #expect(updated.map { "\($0.scope)/\($0.languageCode ?? "-")" } == [
            "allPrivateChats/-", "allPrivateChats/de", "allChatAdministrators/-", "allChatAdministrators/de",
        ])
        #expect(try await simulator.getMyCommands(scope: .allChatAdministrators(.init())).isEmpty)
        #expect(try await simulator.getMyCommands(scope: .allPrivateChats(.init()))
            == [command("start", "Start over"), command("survey", "A longer survey")])
    }

    @Test func aBotThatDescribesNoCommandLeavesTheListsAlone() async throws {
        let (bot, api) = makeBot()
        bot.command("start") { ctx in try await ctx.reply("Hi") }
        #expect(try await bot.publishCommandLists().isEmpty)
        #expect(api.calls.isEmpty, "lists set in @BotFather stay as they are")
    }
}
