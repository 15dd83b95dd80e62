import FerryTestSupport
import FerryTesting
import TelegramBotAPI
import Testing

/// `poll` and `serve` set the bot's command menus from its described commands as they start, and leave
/// them alone when Telegram already shows them.
@Suite(.serialized) struct CommandListProcessTests {
    @Test func pollSetsTheShowcasesCommandListsAndARestartFindsThemUpToDate() async throws {
        let simulator = BotAPISimulator(configuration: .init(rateLimits: .off))
        try await simulator.start()
        do {
            let environment = ["TELEGRAM_BOT_TOKEN": simulator.token, "TELEGRAM_API_URL": try #require(simulator.baseURL)]
            let directory = temporaryDirectory()
            let first = try BotProcess.start(["poll", "--port", "0", "--data-dir", directory], bot: "ShowcaseBot", environment: environment)
            try await first.stoppedOnFailure {
                _ = try await first.waitForLog("the command lists set") { $0.contains("set the bot's command lists") ? true : nil }
                #expect(try await first.stop() == 0)
            }
            let menu = try await simulator.getMyCommands().map(\.command)
            #expect(menu == ["rate", "count", "whoami", "lang", "settings"])
            let privateMenu = try await simulator.getMyCommands(scope: .allPrivateChats(.init()), languageCode: "de")
            #expect(privateMenu.map(\.command) == ["survey", "rate", "count", "whoami", "lang", "settings"])
            #expect(privateMenu.first?.description == "Ein kurzes Gespräch")

            let setCount = simulator.actionLog.count
            let second = try BotProcess.start(["serve", "--port", "0", "--data-dir", directory], bot: "ShowcaseBot", environment: environment)
            try await second.stoppedOnFailure {
                _ = try await second.waitForLog("the command lists checked") { $0.contains("command lists are up to date") ? true : nil }
                #expect(try await second.stop() == 0)
            }
            #expect(simulator.actionLog.count == setCount, "nothing set again")
            #expect(!first.log.contains(simulator.token) && !second.log.contains(simulator.token))
        } catch {
            await simulator.shutdown()
            throw error
        }
        await simulator.shutdown()
    }
}
