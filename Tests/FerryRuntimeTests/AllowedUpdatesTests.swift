import FerryTestSupport
import Ferry
import FerryServer
import FerrySQLite
import FerryTesting
import Logging
import TelegramBotAPI
import TelegramClient
import Testing

/// The bot asks Telegram (here the simulator, which filters as Telegram does) for the update kinds its
/// handlers take, whether it polls or sets a webhook.
@Suite(.serialized) struct AllowedUpdatesTests {
    @Test func pollingAsksForTheKindsTheHandlersTakeSoOthersAreNeverQueued() async throws {
        try await withSimulator { simulator in
            let storage = try await SQLiteStorage.open(directory: temporaryDirectory())
            let client = TelegramClient(token: simulator.token, configuration: .init(baseURL: try #require(simulator.baseURL)))
            let bot = Bot(api: client)
            EchoBotHandlers.register(on: bot)
            let host = {
                LocalHost(
                    bot: bot, queue: .embedded(storage),
                    configuration: .init(port: 0, ingress: .polling(.init(timeout: 1)), dispatcher: .init(pollInterval: .milliseconds(20))),
                    logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
                )
            }
            do {
                // One round of polling subscribes the bot; then it stops, so what users do next stays pending.
                try await run(host()) { try await simulator.waitUntilBotIsPolling(timeout: .seconds(120)) }

                let ada = simulator.createUser(firstName: "Ada")
                _ = try simulator.sendInlineQuery("cats", from: ada)
                #expect(simulator.pendingUpdateCount == 0, "the echo bot has no inline handler, so Telegram keeps inline queries")
                let hello = try simulator.sendText(from: ada, "hello")
                #expect(simulator.pendingUpdateCount == 1)

                try await run(host()) {
                    let replies = try await simulator.waitForMessages(in: hello.chat, timeout: .seconds(30))
                    #expect(replies.map(\.text) == ["You said: hello"])
                }
            } catch {
                // A client dropped without shutdown traps in debug builds and would take every other test down.
                try? await client.shutdown()
                try? await storage.close()
                throw error
            }
            try await client.shutdown()
            try await storage.close()
        }
    }

    @Test func webhookSetAsksForTheKindsTheBinarysHandlersTakeAndInfoShowsThem() async throws {
        try await withSimulator { simulator in
            let environment = ["TELEGRAM_BOT_TOKEN": simulator.token, "TELEGRAM_API_URL": try #require(simulator.baseURL)]
            let set = try await BotProcess.run(["webhook", "set", "--url", "http://127.0.0.1:9/hook", "--data-dir", temporaryDirectory()], environment: environment)
            #expect(set.status == 0, "\(set.output)")
            // EchoBot: /start, /help and an echo of text.
            let expected = ["message", "channel_post", "business_message"]
            #expect(simulator.webhookInfo.allowedUpdates == expected)
            #expect(set.output.contains("Allowed updates: message, channel_post, business_message"))

            let info = try await BotProcess.run(["webhook", "info"], environment: environment)
            #expect(info.status == 0, "\(info.output)")
            #expect(info.output.contains("allowed updates: message, channel_post, business_message"))
            #expect(!set.output.contains(simulator.token) && !info.output.contains(simulator.token))
        }
    }

    /// Runs the host until `body` returns (or throws), then shuts it down gracefully.
    private func run(_ host: LocalHost, _ body: () async throws -> Void) async throws {
        try await serving(host, shutdownGrace: .seconds(30), while: body)
    }

    private func withSimulator(_ body: (BotAPISimulator) async throws -> Void) async throws {
        let simulator = BotAPISimulator(configuration: .init(rateLimits: .off))
        try await simulator.start()
        do {
            try await body(simulator)
        } catch {
            await simulator.shutdown()
            throw error
        }
        await simulator.shutdown()
    }
}
