import AsyncHTTPClient
import FerryTestSupport
import FerryTesting
import Foundation
import NIOCore
import Testing
import TelegramBotAPI

/// The `EchoBot` binary as a newcomer runs it against a real-shaped Telegram: the webhook only Telegram can
/// drive, and Telegram's refusals said as what to do (issue 17, items 3 and 4).
@Suite(.serialized) struct SafeServingProcessTests {
    let token = "123456:TEST-token-never-logged"

    // MARK: A webhook only Telegram can drive

    @Test func serveWithATokenChecksASecretKeptInTheDataDirectory() async throws {
        try await FakeTelegram.with { telegram, apiURL in
            let directory = temporaryDirectory()
            let environment = ["TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": apiURL]
            let bot = try BotProcess.start(["serve", "--host", "0.0.0.0", "--port", "0", "--data-dir", directory], environment: environment)
            try await bot.stoppedOnFailure {
                let port = try await bot.waitForPort()
                let http = patientHTTPClient
                #expect(try await post(http, port: port, Array(textUpdate(updateID: 1, chatID: 5, messageID: 1, text: "forged").utf8), secret: nil) == 401)

                let file = directory + "/webhook-secret"
                let secret = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(secret.count >= 32)
                let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
                #expect(mode == 0o600, "only its owner reads the secret")
                #expect(try await post(http, port: port, Array(textUpdate(updateID: 2, chatID: 5, messageID: 2, text: "real").utf8), secret: secret) == 200)
                try await eventually { telegram.texts(to: 5) == ["You said: real"] }

                // `webhook set` for that data directory gives Telegram the same secret.
                let set = try await BotProcess.run(
                    ["webhook", "set", "--url", "https://bot.example/webhook", "--data-dir", directory], environment: environment
                )
                #expect(set.status == 0, "\(set.output)")
                let call = try #require(telegram.calls.last { $0.method == "setWebhook" })
                #expect(call.parameters["secret_token"] == .string(secret))
                #expect(!set.output.contains(secret), "the secret is not printed")

                bot.signal(SIGTERM)
                try await bot.waitForExit()
            }
            #expect(bot.exitStatus == 0)
            #expect(!bot.log.contains(token))

            // A restart keeps the secret Telegram was given.
            let again = try BotProcess.start(["serve", "--port", "0", "--data-dir", directory], environment: environment)
            try await again.stoppedOnFailure {
                let port = try await again.waitForPort()
                let secret = try String(contentsOfFile: directory + "/webhook-secret", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(try await post(patientHTTPClient, port: port, Array(textUpdate(updateID: 3, chatID: 5, messageID: 3, text: "again").utf8), secret: secret) == 200)
                try await eventually { telegram.texts(to: 5) == ["You said: real", "You said: again"] }
                _ = try await again.stop()
            }
        }
    }

    /// What a web page can make a browser send to a bot on the owner's own machine: a cross-site `text/plain` POST.
    @Test func aWebPageCannotPostToTheWebhook() async throws {
        try await FakeTelegram.with { telegram, apiURL in
            let bot = try BotProcess.start(
                ["serve", "--port", "0", "--data-dir", temporaryDirectory(), "--open-webhook"],
                environment: ["TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": apiURL]
            )
            try await bot.stoppedOnFailure {
                let port = try await bot.waitForPort()
                #expect(bot.log.contains("the webhook is open"), "running open is said")
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhook")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "text/plain")
                request.headers.add(name: "Origin", value: "http://evil.example")
                request.headers.add(name: "Sec-Fetch-Site", value: "cross-site")
                request.body = .bytes(ByteBuffer(bytes: Array(textUpdate(updateID: 1, chatID: 7, messageID: 1, text: "/start").utf8)))
                let response = try await patientHTTPClient.execute(request, timeout: .seconds(60))
                _ = try await response.body.collect(upTo: 1 << 16)
                #expect(response.status.code == 403)
                // Telegram's own shape still gets through an open webhook.
                #expect(try await post(patientHTTPClient, port: port, Array(textUpdate(updateID: 2, chatID: 7, messageID: 2, text: "hi").utf8), secret: nil) == 200)
                try await eventually { telegram.texts(to: 7) == ["You said: hi"] }
                _ = try await bot.stop()
            }
        }
    }

    @Test func webhookSetNeedsTheServersSecret() async throws {
        try await FakeTelegram.with { telegram, apiURL in
            let result = try await BotProcess.run(
                ["webhook", "set", "--url", "https://bot.example/webhook"], environment: ["TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": apiURL]
            )
            #expect(result.status != 0)
            #expect(result.output.contains("--data-dir") && result.output.contains("TELEGRAM_WEBHOOK_SECRET"))
            #expect(!telegram.calls.contains { $0.method == "setWebhook" })
        }
    }

    // MARK: Telegram refusing the bot

    @Test func pollWithARefusedTokenStopsAndSaysWhatToDo() async throws {
        try await withSimulator { simulator, apiURL in
            let result = try await BotProcess.run(
                ["poll", "--port", "0", "--data-dir", temporaryDirectory()],
                environment: ["TELEGRAM_BOT_TOKEN": "999:wrong-token", "TELEGRAM_API_URL": apiURL], limit: .seconds(60)
            )
            #expect(result.status != 0)
            #expect(result.output.contains("TELEGRAM_BOT_TOKEN") && result.output.contains("@BotFather"), "\(result.output)")
            #expect(!result.output.contains("retrying"))
            #expect(!result.output.contains("wrong-token"), "the token is never printed")
        }
    }

    @Test func serveAndDeployWithARefusedTokenStopAtOnce() async throws {
        try await withSimulator { _, apiURL in
            let environment = ["TELEGRAM_BOT_TOKEN": "999:wrong-token", "TELEGRAM_API_URL": apiURL]
            let serve = try await BotProcess.run(["serve", "--port", "0", "--data-dir", temporaryDirectory()], environment: environment, limit: .seconds(60))
            #expect(serve.status != 0)
            #expect(serve.output.contains("TELEGRAM_BOT_TOKEN") && serve.output.contains("@BotFather"), "\(serve.output)")
            #expect(!serve.output.contains("listening"))

            // Before building anything: the executable named here does not even exist.
            let deploy = try await BotProcess.run(
                ["deploy", "--stage", "dev", "--executable", "/nonexistent/bootstrap"], environment: environment, limit: .seconds(60)
            )
            #expect(deploy.status != 0)
            #expect(deploy.output.contains("TELEGRAM_BOT_TOKEN") && deploy.output.contains("@BotFather"), "\(deploy.output)")
        }
    }

    @Test func pollOnABotWithAWebhookNamesWebhookDeleteOrDeletesIt() async throws {
        try await withSimulator { simulator, apiURL in
            _ = try await simulator.setWebhook(url: "http://127.0.0.1:1/webhook")
            let environment = ["TELEGRAM_BOT_TOKEN": simulator.configuration.token, "TELEGRAM_API_URL": apiURL]
            let refused = try await BotProcess.run(["poll", "--port", "0", "--data-dir", temporaryDirectory()], environment: environment, limit: .seconds(60))
            #expect(refused.status != 0)
            #expect(refused.output.contains("`webhook delete`") && refused.output.contains("--delete-webhook"), "\(refused.output)")
            #expect(simulator.webhookInfo.url == "http://127.0.0.1:1/webhook", "nothing was changed")

            let bot = try BotProcess.start(["poll", "--port", "0", "--data-dir", temporaryDirectory(), "--delete-webhook"], environment: environment)
            try await bot.stoppedOnFailure {
                _ = try await bot.waitForPort()
                try await simulator.waitUntilBotIsPolling(timeout: .seconds(60))
                #expect(simulator.webhookInfo.url.isEmpty)
                let user = simulator.createUser(firstName: "Ann")
                let chat = try simulator.openPrivateChat(with: user)
                _ = try simulator.sendText(from: user, in: chat, "hello")
                let replies = try await simulator.waitForMessages(in: chat, timeout: .seconds(60))
                #expect(replies.map(\.text) == ["You said: hello"])
                #expect(try await bot.stop() == 0)
            }
        }
    }

    private func withSimulator(_ body: (BotAPISimulator, String) async throws -> Void) async throws {
        let simulator = BotAPISimulator(configuration: .init())
        try await simulator.start()
        do {
            try await body(simulator, try #require(simulator.baseURL))
        } catch {
            await simulator.shutdown()
            throw error
        }
        await simulator.shutdown()
    }
}
