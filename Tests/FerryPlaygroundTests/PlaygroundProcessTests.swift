import FerryTestSupport
import AsyncHTTPClient
import FerryTesting
import Foundation
import NIOCore
import Testing

/// The README's main command as a newcomer runs it: `EchoBot serve` with no token, without a browser.
@Suite struct PlaygroundProcessTests {
    @Test func serveWithoutATokenRunsThePlaygroundAndStopsCleanly() async throws {
        let bot = try BotProcess.start(["serve", "--port", "0", "--data-dir", temporaryDirectory()])
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            let page = try await bot.waitForPlayground()
            #expect(bot.log.contains("this is a simulation of Telegram"))
            #expect(bot.log.contains("set TELEGRAM_BOT_TOKEN"), "the log says how to connect the real Telegram")

            let loaded = try await http.execute(HTTPClientRequest(url: page), timeout: .seconds(10))
            #expect(loaded.status.code == 200)
            _ = try await loaded.body.collect(upTo: 1 << 20)

            // The playground's first user writes /start; the reply comes back through webhook, queue and handler.
            let playground = PlaygroundClient(http: http, page: page)
            let ada = try await playground.firstUserID()
            try await playground.send("/start", from: ada, expecting: "Welcome to my bot!")
        } catch {
            try? await http.shutdown()
            Issue.record("bot log:\n\(bot.log)")
            _ = try? await bot.stop()
            throw error
        }
        try await http.shutdown()
        #expect(try await bot.stop() == 0)
        // The made-up token appears in no log line: Bot API paths carry it, and none is logged.
        #expect(bot.log.firstMatch(of: /\d{10}:[A-Za-z0-9_-]{35}/) == nil)
    }
}
