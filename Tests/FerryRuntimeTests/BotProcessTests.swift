import FerryTestSupport
import AsyncHTTPClient
import FerryTesting
import Foundation
import NIOCore
import Testing

/// The `EchoBot` binary as operators run it: `serve`, signals, `kill -9`, and `dlq` beside it.
@Suite(.serialized) struct BotProcessTests {
    let token = "123456:TEST-token-never-logged"

    func environment(_ apiURL: String, secret: String? = webhookTestSecret) -> [String: String] {
        var environment = ["TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_URL": apiURL]
        if let secret { environment["TELEGRAM_WEBHOOK_SECRET"] = secret }
        return environment
    }

    @Test func servesTheEchoBotAndStopsCleanlyOnSIGTERM() async throws {
        try await FakeTelegram.with { telegram, apiURL in
            let directory = temporaryDirectory()
            let bot = try BotProcess.start(["serve", "--port", "0", "--data-dir", directory], environment: environment(apiURL, secret: "hush"))
            try await bot.stoppedOnFailure {
                let port = try await bot.waitForPort()
                let http = patientHTTPClient
                #expect(try await post(http, port: port, Array(textUpdate(updateID: 1, chatID: 5, messageID: 1, text: "/start").utf8), secret: "hush") == 200)
                #expect(try await post(http, port: port, Array(textUpdate(updateID: 2, chatID: 5, messageID: 2, text: "/help").utf8), secret: "hush") == 200)
                #expect(try await post(http, port: port, Array(textUpdate(updateID: 3, chatID: 5, messageID: 3, text: "hello there").utf8), secret: "hush") == 200)
                #expect(try await post(http, port: port, Array(textUpdate(updateID: 4, chatID: 5, messageID: 4, text: "x").utf8), secret: "wrong") == 401)
                try await eventually { telegram.texts(to: 5).count == 3 }
                #expect(telegram.texts(to: 5) == ["Welcome to my bot!", "How can I help you?", "You said: hello there"])

                bot.signal(SIGTERM)
                try await bot.waitForExit()
            }
            #expect(bot.exitStatus == 0)
            #expect(!bot.log.contains(token), "the token never appears in logs")
        }
    }

    @Test func everyAcknowledgedUpdateIsHandledAfterKill9() async throws {
        try await FakeTelegram.with { telegram, apiURL in
            let directory = temporaryDirectory()
            let http = patientHTTPClient
            let first = try BotProcess.start(["serve", "--port", "0", "--data-dir", directory], environment: environment(apiURL))
            // 20 chats post 30 updates each; the process is killed partway through.
            let acknowledged = Locked<[Int: [Int]]>([:])
            try await first.stoppedOnFailure {
                let port = try await first.waitForPort()
                // Each task says whether it is the one that killed the process.
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    for chat in 1...20 {
                        group.addTask {
                            for index in 1...30 {
                                let status = try? await post(http, port: port, Array(textUpdate(updateID: chat * 1000 + index, chatID: chat, messageID: index, text: "m\(index)").utf8))
                                guard status == 200 else { return false }
                                acknowledged.withLock { $0[chat, default: []].append(index) }
                            }
                            return false
                        }
                    }
                    group.addTask {
                        // Both counts: a reply can be sent before its poster has recorded the 200.
                        try await eventually(within: .seconds(60)) {
                            telegram.sent.count >= 100 && acknowledged.withLock { $0.values.map(\.count).reduce(0, +) } >= 100
                        }
                        first.signal(SIGKILL)
                        return true
                    }
                    // Posts still going after the kill are called off: the client would keep trying to connect
                    // to the dead port for its whole (patient) connect timeout. They were not answered 200.
                    while let killed = try await group.next() {
                        if killed { group.cancelAll() }
                    }
                }
                try await first.waitForExit()
            }
            let accepted = acknowledged.withLock { $0 }
            let acceptedCount = accepted.values.map(\.count).reduce(0, +)
            #expect(acceptedCount >= 100, "the kill came after some load")

            let second = try BotProcess.start(["serve", "--port", "0", "--data-dir", directory], environment: environment(apiURL))
            try await second.stoppedOnFailure {
                _ = try await second.waitForPort()
                try await eventually(within: .seconds(120)) {
                    accepted.allSatisfy { chat, indexes in
                        let texts = Set(telegram.texts(to: chat))
                        return indexes.allSatisfy { texts.contains("You said: m\($0)") }
                    }
                }
                // Order per chat holds across the crash (a redelivered update may repeat, never overtake).
                for (chat, _) in accepted {
                    let order = telegram.texts(to: chat).compactMap { Int($0.dropFirst("You said: m".count)) }
                    var deduplicated: [Int] = []
                    for index in order where deduplicated.last.map({ index > $0 }) ?? true { deduplicated.append(index) }
                    #expect(deduplicated == Array(Set(order)).sorted(), "chat \(chat) in order")
                }
                second.signal(SIGTERM)
                try await second.waitForExit()
            }
            #expect(second.exitStatus == 0)
        }
    }

    @Test func deadLetterCommandsWorkBesideARunningServer() async throws {
        try await FakeTelegram.with { telegram, apiURL in
            let directory = temporaryDirectory()
            telegram.block(chat: 66)
            let bot = try BotProcess.start(["serve", "--port", "0", "--data-dir", directory], environment: environment(apiURL))
            try await bot.stoppedOnFailure {
                let port = try await bot.waitForPort()
                let http = patientHTTPClient
                #expect(try await post(http, port: port, Array(textUpdate(updateID: 600, chatID: 66, messageID: 1, text: "anyone?").utf8)) == 200)

                var listed = ""
                try await eventually {
                    listed = try await BotProcess.run(["dlq", "list", "--data-dir", directory, "--json"]).output
                    return listed.contains("\"update_id\":600")
                }
                let line = try #require(listed.split(separator: "\n").first { $0.contains("\"update_id\":600") })
                let record = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(record?["group_id"] as? String == "chat:66")
                #expect(record?["attempts"] as? Int == 1)
                #expect((record?["reason"] as? String)?.contains("bot was blocked") == true)
                #expect(record?["dead_lettered_at"] is String)
                let id = try #require(record?["id"] as? String)

                let shown = try await BotProcess.run(["dlq", "show", id, "--data-dir", directory])
                #expect(shown.status == 0)
                #expect(shown.output.contains("anyone?"))
                #expect(try await BotProcess.run(["dlq", "show", "999999", "--data-dir", directory]).status != 0)
                #expect(try await BotProcess.run(["dlq", "redrive", "--data-dir", directory]).status != 0, "ids or --all are required")

                telegram.unblock(chat: 66)
                let redriven = try await BotProcess.run(["dlq", "redrive", "--all", "--data-dir", directory])
                #expect(redriven.output.contains("Redrove 1 dead letter."))
                try await eventually { telegram.texts(to: 66) == ["You said: anyone?"] }

                telegram.block(chat: 66)
                #expect(try await post(http, port: port, Array(textUpdate(updateID: 601, chatID: 66, messageID: 2, text: "again").utf8)) == 200)
                try await eventually { try await BotProcess.run(["dlq", "list", "--data-dir", directory, "--json"]).output.contains("\"update_id\":601") }
                // purge asks first: no answer, or any answer but yes, deletes nothing.
                let unanswered = try await BotProcess.run(["dlq", "purge", "--data-dir", directory])
                #expect(unanswered.status != 0)
                #expect(unanswered.output.contains("Delete 1 dead letter in \(directory)?"))
                #expect(unanswered.output.contains("Pass --yes to purge without asking"))
                let declined = try await BotProcess.run(["dlq", "purge", "--data-dir", directory], input: "n\n")
                #expect(declined.status != 0)
                #expect(declined.output.contains("nothing deleted"))
                #expect(try await BotProcess.run(["dlq", "list", "--data-dir", directory]).output.contains("\t601\t"))
                let confirmed = try await BotProcess.run(["dlq", "purge", "--data-dir", directory], input: "y\n")
                #expect(confirmed.output.contains("Purged 1 dead letter."), "\(confirmed.output)")
                #expect(try await BotProcess.run(["dlq", "list", "--data-dir", directory]).output.contains("No dead letters."))
                #expect(try await BotProcess.run(["dlq", "purge", "--yes", "--data-dir", directory]).output.contains("Purged 0 dead letters."))
                #expect(try await BotProcess.run(["dlq", "list", "--data-dir", directory]).output.contains("No dead letters."))

                bot.signal(SIGINT)
                try await bot.waitForExit()
            }
            #expect(bot.exitStatus == 0)
        }
    }

    @Test func helpExplainsThePlaygroundAndTheEnvironment() async throws {
        let help = try await BotProcess.run(["serve", "--help"])
        #expect(help.status == 0)
        for expected in ["playground", "TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_API_URL", "LOG_LEVEL", "data directory"] {
            #expect(help.output.contains(expected), "serve --help mentions \(expected):\n\(help.output)")
        }
        let purgeHelp = try await BotProcess.run(["dlq", "purge", "--help"])
        #expect(purgeHelp.output.contains("--yes"))

        let poll = try await BotProcess.run(["poll", "--data-dir", temporaryDirectory()])
        #expect(poll.status != 0)
        #expect(poll.output.contains("TELEGRAM_BOT_TOKEN is not set"))
        #expect(poll.output.contains("run `serve` without a token"), "the error says what to do instead")
    }

    @Test func refusesASecondServerOnTheSameDataDirectory() async throws {
        try await FakeTelegram.with { _, apiURL in
            let directory = temporaryDirectory()
            let first = try BotProcess.start(["serve", "--port", "0", "--data-dir", directory], environment: environment(apiURL))
            try await first.stoppedOnFailure {
                _ = try await first.waitForPort()
                let second = try await BotProcess.run(["serve", "--port", "0", "--data-dir", directory], environment: environment(apiURL))
                #expect(second.status != 0)
                #expect(second.output.contains("another process is serving from"))
                first.signal(SIGTERM)
                try await first.waitForExit()
            }
            #expect(first.exitStatus == 0)
        }
    }

    @Test func printsTheStagesTemplate() async throws {
        let dev = try await BotProcess.run(["template", "--stage", "dev"])
        let prod = try await BotProcess.run(["template", "--stage", "prod"])
        #expect(dev.status == 0)
        let template = try #require(try JSONSerialization.jsonObject(with: Data(dev.output.utf8)) as? [String: Any])
        let outputs = try #require(template["Outputs"] as? [String: Any])
        #expect(outputs["WebhookUrl"] != nil && outputs["DeadLetterQueueUrl"] != nil)
        #expect(dev.output.contains("ferry-echobot-dev") && !dev.output.contains("ferry-echobot-prod"))
        #expect(prod.output.contains("ferry-echobot-prod"))
        #expect(try await BotProcess.run(["template", "--stage", "Bad-Stage"]).status != 0)
    }

    @Test("serve refuses a data directory reached through a symbolic link, and a retention or dedup window that is no number of days or minutes")
    func refusesALinkedDataDirectoryAndABadRetention() async throws {
        let real = temporaryDirectory()
        let link = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        defer {
            try? FileManager.default.removeItem(atPath: link)
            try? FileManager.default.removeItem(atPath: real)
        }
        let linked = try await BotProcess.run(["serve", "--port", "0", "--data-dir", link])
        #expect(linked.status != 0)
        #expect(linked.output.contains("\(link) is a symbolic link") && linked.output.contains("realpath \(link)"), "\(linked.output)")

        let zero = try await BotProcess.run(["serve", "--port", "0", "--data-dir", real, "--dead-letter-retention-days", "0"])
        #expect(zero.status != 0 && zero.output.contains("--dead-letter-retention-days must be at least 1"), "\(zero.output)")
        let variable = try await BotProcess.run(
            ["serve", "--port", "0", "--data-dir", real], environment: ["FERRY_DEAD_LETTER_RETENTION_DAYS": "soon"]
        )
        #expect(variable.status != 0 && variable.output.contains("FERRY_DEAD_LETTER_RETENTION_DAYS is \"soon\""), "\(variable.output)")
        let window = try await BotProcess.run(["serve", "--port", "0", "--data-dir", real, "--dedup-window-minutes", "5"])
        #expect(window.status != 0 && window.output.contains("--dedup-window-minutes must be at least 10"), "\(window.output)")
        let windowVariable = try await BotProcess.run(
            ["serve", "--port", "0", "--data-dir", real], environment: ["FERRY_DEDUP_WINDOW_MINUTES": "1h"]
        )
        #expect(
            windowVariable.status != 0 && windowVariable.output.contains("FERRY_DEDUP_WINDOW_MINUTES is \"1h\""), "\(windowVariable.output)"
        )
        #expect(try FileManager.default.contentsOfDirectory(atPath: real).isEmpty, "nothing was written")
    }

    /// `poll` needs Telegram; `serve` without a token runs the offline playground instead (FerryPlaygroundTests).
    @Test func pollRefusesToStartWithoutAToken() async throws {
        let result = try await BotProcess.run(["poll", "--port", "0", "--data-dir", temporaryDirectory()], environment: [:])
        #expect(result.status != 0)
        #expect(result.output.contains("TELEGRAM_BOT_TOKEN"))
    }
}

/// The secret the tests' `serve` processes check, unless a test says otherwise.
let webhookTestSecret = "test-webhook-secret"

func post(_ http: HTTPClient, port: Int, _ body: [UInt8], secret: String? = webhookTestSecret) async throws -> Int {
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhook")
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    if let secret { request.headers.add(name: "X-Telegram-Bot-Api-Secret-Token", value: secret) }
    request.body = .bytes(ByteBuffer(bytes: body))
    // The deadline includes waiting for a pooled connection, which concurrent posts make long under load.
    let response = try await http.execute(request, timeout: .seconds(60))
    _ = try await response.body.collect(upTo: 1 << 16)
    return Int(response.status.code)
}

import Synchronization

/// A value shared between a test's tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<Result>(_ body: (inout Value) -> Result) -> Result { mutex.withLock { body(&$0) } }
}
