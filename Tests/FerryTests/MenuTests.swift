import Ferry
import FerryTesting
import Synchronization
import TelegramBotAPI
import Testing

@Suite struct MenuTests {
    /// A main menu with a greeting per user and a counter, and a submenu with a toggle and "Back".
    final class Fixture: Sendable {
        let api = BotAPIRecorder()
        let bot: Bot
        let main: Menu
        let presses = Shared(0)
        let notifications = Shared(true)

        init() {
            bot = Bot(api: api, username: "OurBot")
            let settings = Menu("settings")
            main = Menu("main")
            let presses = self.presses, notifications = self.notifications
            settings
                .text({ _ in notifications.withLock { $0 } ? "🔔 On" : "🔕 Off" }) { _, menu in
                    notifications.withLock { $0.toggle() }
                    menu.update()
                }
                .back("Back")
            main
                .text({ ctx in "Hi, \(ctx.from?.firstName ?? "?")" }) { _, menu in menu.toast("Hello!") }
                .text({ _ in "Pressed \(presses.withLock { $0 })" }) { _, menu in
                    presses.withLock { $0 += 1 }
                    menu.update()
                }
                .row()
                .submenu("Settings", to: settings)
            bot.use(main)
            bot.command("menu") { [main] ctx in try await ctx.reply("Menu", replyMarkup: try await main.keyboard(for: ctx)) }
            bot.callbackQuery(data: "other") { ctx in try await ctx.answerCallbackQuery(text: "not the menu's") }
        }

        func labels() throws -> [[String]] {
            let message = try #require(api.sentMessages.last)
            return message.replyMarkup?.inlineKeyboard.map { $0.map(\.text) } ?? []
        }

        func press(_ label: String) async throws {
            try await bot.handle(try UpdateFactory.callbackQuery(pressing: label, on: try #require(api.sentMessages.last)))
        }
    }

    final class Shared<Value: Sendable>: Sendable {
        private let value: Mutex<Value>
        init(_ value: Value) { self.value = Mutex(value) }
        func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result { value.withLock { body(&$0) } }
    }

    @Test func labelsAreComputedForEachUser() async throws {
        let fixture = Fixture()
        try await fixture.bot.handle(UpdateFactory.message(text: "/menu"))
        #expect(try fixture.labels() == [["Hi, Ada", "Pressed 0"], ["Settings"]])
        let bob = User(id: 5, isBot: false, firstName: "Bob")
        try await fixture.bot.handle(UpdateFactory.message(text: "/menu", from: bob))
        #expect(try fixture.labels() == [["Hi, Bob", "Pressed 0"], ["Settings"]])
        let data = try #require(fixture.api.sentMessages.last?.replyMarkup?.inlineKeyboard.first?.first?.callbackData)
        #expect(data == #"menu:{"b":0,"m":"main"}"#, "typed callback data: the menu and the button's place")
    }

    @Test func aPressRunsTheHandlerAnswersAndRedrawsOnlyWhenAsked() async throws {
        let fixture = Fixture()
        try await fixture.bot.handle(UpdateFactory.message(text: "/menu"))
        _ = fixture.api.takeCalls()
        try await fixture.press("Hi, Ada")
        #expect(fixture.api.calls.map(\.method) == ["answerCallbackQuery"])
        #expect(fixture.api.calls.first?["text"] == "Hello!")

        _ = fixture.api.takeCalls()
        try await fixture.press("Pressed 0")
        #expect(fixture.api.calls.map(\.method) == ["answerCallbackQuery", "editMessageReplyMarkup"])
        #expect(try fixture.labels() == [["Hi, Ada", "Pressed 1"], ["Settings"]])
    }

    @Test func submenusOpenInPlaceAndBackReturns() async throws {
        let fixture = Fixture()
        try await fixture.bot.handle(UpdateFactory.message(text: "/menu"))
        try await fixture.press("Settings")
        #expect(try fixture.labels() == [["🔔 On", "Back"]])
        try await fixture.press("🔔 On")
        #expect(try fixture.labels() == [["🔕 Off", "Back"]])
        try await fixture.press("Back")
        #expect(try fixture.labels() == [["Hi, Ada", "Pressed 0"], ["Settings"]])
        let edits = fixture.api.calls(to: "editMessageReplyMarkup")
        #expect(edits.count == 3)
        #expect(edits.allSatisfy { $0["message_id"] == .integer(fixture.api.sentMessages.first!.messageID) }, "the same message, edited")
    }

    @Test func aButtonTheMenuNoLongerHasRedrawsItAndOtherButtonsPassOn() async throws {
        let fixture = Fixture()
        try await fixture.bot.handle(UpdateFactory.message(text: "/menu"))
        _ = fixture.api.takeCalls()
        try await fixture.bot.handle(UpdateFactory.callbackQuery(data: #"menu:{"b":9,"m":"main"}"#, messageText: "Menu"))
        #expect(fixture.api.calls.map(\.method) == ["answerCallbackQuery", "editMessageReplyMarkup"])
        _ = fixture.api.takeCalls()
        try await fixture.bot.handle(UpdateFactory.callbackQuery(data: "other"))
        try await fixture.bot.handle(UpdateFactory.callbackQuery(data: #"menu:{"b":0,"m":"unknown"}"#))
        #expect(fixture.api.calls.map(\.method) == ["answerCallbackQuery"])
        #expect(fixture.api.calls.first?["text"] == "not the menu's")
        #expect(fixture.bot.allowedUpdates.contains("callback_query"))
    }

    @Test func aMenuIdTooLongForTelegramsCallbackDataIsRefusedWhenShown() async throws {
        let (bot, _) = makeBot()
        let menu = Menu(String(repeating: "m", count: 60)).text("x") { _, _ in }
        bot.command("menu") { ctx in _ = try await menu.keyboard(for: ctx) }
        await #expect(throws: CallbackDataTooLong.self) { try await bot.handle(UpdateFactory.message(text: "/menu")) }
    }
}
