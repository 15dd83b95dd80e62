import FerryTestSupport
import Foundation
import Testing

/// The README's promise, in a real browser: `serve` without a token, the page, `/start`, a button.
///
/// Needs Debian's `chromium` and `chromium-driver`. Without them the test is skipped, unless `CI`
/// is set: there a missing browser is a failure, not a skip.
@Suite(.serialized, .needs(.chromium)) struct PlaygroundBrowserTests {
    /// Screenshots go under the package's `.build`, where `swift build` puts everything it makes.
    static func screenshotPath(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/playground-screenshots/\(name).png").path
    }

    @Test
    func echoBotAnswersStartInTheBrowser() async throws {
        try await withPlayground(of: "EchoBot", screenshot: "echobot") { bot, browser in
            #expect(bot.log.contains("simulation"), "the log says plainly that Telegram is simulated")
            try await browser.element(".notice", where: { $0.contains("This is a simulation") })
            try await browser.element("#live-text", where: { $0 == "live" })
            try await browser.type("/start", into: "#text")
            try await browser.click("#send")
            try await browser.element(".msg.bot .text", where: { $0 == "Welcome to my bot!" })
            try await browser.type("hello there", into: "#text")
            try await browser.click("#send")
            try await browser.element(".msg.bot .text", where: { $0 == "You said: hello there" })
        }
    }

    @Test
    func showcaseBotAnswersAButtonPressInTheBrowser() async throws {
        try await withPlayground(of: "ShowcaseBot", screenshot: "showcasebot") { _, browser in
            try await browser.element("#live-text", where: { $0 == "live" })
            try await browser.type("/count", into: "#text")
            try await browser.click("#send")
            try await browser.element(".msg.bot .text", where: { $0 == "Count: 0" })
            // The button's press reaches the bot as a callback query; its edit replaces the message in place.
            try await browser.click(".msg.bot .keyboard button", where: { $0 == "+1" })
            try await browser.element(".msg.bot .text", where: { $0 == "Count: 1" })
            try await browser.type("/rate", into: "#text")
            try await browser.click("#send")
            try await browser.click(".msg.bot .keyboard button", where: { $0 == "⭐⭐⭐⭐⭐" })
            try await browser.element("#toast", where: { $0 == "Thanks!" })
            try await browser.element(".msg.bot .text", where: { $0 == "You rated Ferry 5/5. Thank you!" })
        }
    }

    /// Starts `product serve` without a token, opens its playground in the browser, runs `scenario`, saves a
    /// screenshot, and stops both; the bot must exit 0 on SIGTERM even with the page's event stream open.
    /// On failure the bot's log is recorded and both are stopped all the same.
    private func withPlayground(
        of product: String,
        screenshot name: String,
        _ scenario: (BotProcess, Browser) async throws -> Void
    ) async throws {
        _ = try OutsideTool.chromium.require()
        let bot = try BotProcess.start(["serve", "--port", "0", "--data-dir", temporaryDirectory()], bot: product)
        let browser: Browser
        do {
            browser = try await Browser.launch()
        } catch {
            _ = try? await bot.stop()
            throw error
        }
        do {
            try await browser.open(try await bot.waitForPlayground())
            try await scenario(bot, browser)
            let path = Self.screenshotPath(name)
            try await browser.screenshot(to: path)
            print("playground screenshot: \(path)")
        } catch {
            Issue.record("bot log:\n\(bot.log)")
            await browser.close()
            _ = try? await bot.stop()
            throw error
        }
        await browser.close()
        #expect(try await bot.stop() == 0, "SIGTERM stops it cleanly, even with the page's event stream open")
    }
}
