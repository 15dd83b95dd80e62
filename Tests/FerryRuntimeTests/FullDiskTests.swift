import AsyncHTTPClient
import FerryTestSupport
import FerryTesting
import Foundation
import NIOCore
import Testing

/// A user's disk filling up: the data directory on a 16 MiB tmpfs, and Telegram holding the bot back with
/// 429s so that the queue grows until the disk is full.
@Suite(.serialized) struct FullDiskTests {
    @Test func aFullDiskRefusesWith503ShowsItAndLosesNothingAcknowledged() async throws {
        try await FakeTelegram.with { telegram, apiURL in
            try await TmpfsMount.with(mebibytes: 16) { disk in
                telegram.holdBack(true)
                let directory = disk.path + "/data"
                let environment = ["TELEGRAM_BOT_TOKEN": "123456:TEST-token", "TELEGRAM_API_URL": apiURL, "TELEGRAM_WEBHOOK_SECRET": webhookTestSecret]
                let bot = try BotProcess.start(["serve", "--port", "0", "--data-dir", directory], environment: environment)
                try await bot.stoppedOnFailure {
                    let port = try await bot.waitForPort()
                    let http = patientHTTPClient
                    #expect(try await get(http, port: port, "/healthz").status == 200)

                    // 48 KiB messages over 20 chats until one is refused: 16 MiB holds a few hundred at most.
                    let filler = String(repeating: "x", count: 48 * 1024)
                    func update(_ id: Int) -> [UInt8] { Array(textUpdate(updateID: id, chatID: id % 20 + 1, messageID: id, text: "\(id) \(filler)").utf8) }
                    var acknowledged: [Int] = []
                    var refused: Int?
                    for id in 1...2_000 {
                        let status = try await post(http, port: port, update(id))
                        if status == 200 {
                            acknowledged.append(id)
                            continue
                        }
                        #expect(status == 503, "what cannot be stored is refused so that Telegram delivers it again")
                        refused = id
                        break
                    }
                    let refusedID = try #require(refused, "the disk filled up")
                    #expect(acknowledged.count > 50)

                    let health = try await get(http, port: port, "/healthz")
                    #expect(health.status == 503)
                    #expect(health.body.contains("the disk is full"), "\(health.body)")
                    let full = try await get(http, port: port, "/metrics").body
                    #expect(full.contains("ferry_storage_disk_full 1.0\n"), "\(full)")
                    #expect(full.contains("ferry_storage_refusing_updates 1.0\n"))
                    _ = try await bot.waitForLog("the disk-full log line", within: .seconds(30)) { $0.contains("the disk is full") ? true : nil }

                    // Space returns and Telegram lets the bot go on; Telegram delivers the refused update again.
                    try disk.resize(mebibytes: 256)
                    telegram.holdBack(false)
                    #expect(try await post(http, port: port, update(refusedID)) == 200)
                    #expect(try await get(http, port: port, "/healthz").status == 200)
                    #expect(try await get(http, port: port, "/metrics").body.contains("ferry_storage_disk_full 0.0\n"))
                    _ = try await bot.waitForLog("the recovery log line", within: .seconds(30)) { $0.contains("the store takes updates again") ? true : nil }

                    // Every acknowledged update is handled, each chat in order. EchoBot splits an echo over Telegram's
                    // 4,096 characters: its first part is "You said: <id>", cut at the space before the filler.
                    let expected = acknowledged + [refusedID]
                    func unanswered() -> [Int] {
                        let sent = Set(telegram.sent.map(\.text))
                        return expected.filter { !sent.contains("You said: \($0)") }
                    }
                    do {
                        try await eventually(within: .seconds(120)) { unanswered().isEmpty }
                    } catch {
                        Issue.record("unanswered: \(unanswered().prefix(20)); the bot's log ends:\n\(bot.log.suffix(4_000))")
                        throw error
                    }
                    for chat in 1...20 {
                        var order: [Int] = []
                        for text in telegram.texts(to: chat) {
                            guard let id = Int(text.dropFirst("You said: ".count).prefix { $0 != " " }), order.last != id else { continue }
                            order.append(id)
                        }
                        #expect(order == expected.filter { $0 % 20 + 1 == chat }, "chat \(chat) in order")
                    }
                    #expect(try await bot.stop() == 0)
                }
            }
        }
    }
}

private func get(_ http: HTTPClient, port: Int, _ path: String) async throws -> (status: Int, body: String) {
    let response = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .seconds(60))
    let body = try await response.body.collect(upTo: 1 << 20)
    return (Int(response.status.code), String(buffer: body))
}
