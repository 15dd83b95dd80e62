import FerryTestSupport
import AsyncHTTPClient
import FerryTesting
import Foundation
import NIOCore
import Testing

/// A newcomer's second run: stop `serve` and start it again on the same data directory. The conversation
/// continues, the history is still there, and the first message after the restart is answered.
@Suite struct PlaygroundRestartTests {
    @Test func restartOnTheSameDataDirectoryContinuesTheConversation() async throws {
        let dataDir = temporaryDirectory()
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            try await restart(in: dataDir, http: http)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }

    private func restart(in dataDir: String, http: HTTPClient) async throws {
        let first = try BotProcess.start(["serve", "--port", "0", "--data-dir", dataDir])
        let ada = try await first.stoppedOnFailure {
            let page = try await first.waitForPlayground()
            let ada = try await PlaygroundClient(http: http, page: page).firstUserID()
            try await PlaygroundClient(http: http, page: page).send("before the restart", from: ada, expecting: "You said: before the restart")
            return ada
        }
        #expect(try await first.stop() == 0)
        #expect(FileManager.default.fileExists(atPath: dataDir + "/playground-world.json"))

        let second = try BotProcess.start(["serve", "--port", "0", "--data-dir", dataDir])
        try await second.stoppedOnFailure {
            let playground = PlaygroundClient(http: http, page: try await second.waitForPlayground())
            #expect(try await playground.firstUserID() == ada, "the same user, not a new one")
            let history = try await playground.history(of: ada)
            #expect(history.contains("You said: before the restart"), "the page shows the earlier conversation")

            // The first message after the restart is the one a newcomer saw ignored.
            try await playground.send("after the restart", from: ada, expecting: "You said: after the restart")
        }
        #expect(try await second.stop() == 0)
        #expect(!second.log.contains("update dropped"), "no update of the second run was taken for one of the first:\n\(second.log)")
    }
}

/// The playground's JSON endpoints, as the page uses them.
struct PlaygroundClient {
    let http: HTTPClient
    let page: String

    func firstUserID() async throws -> Int {
        let world = try await http.execute(HTTPClientRequest(url: page + "/api/world"), timeout: .seconds(10))
        let json = try JSONSerialization.jsonObject(with: Data(buffer: try await world.body.collect(upTo: 1 << 20))) as? [String: Any]
        let users = try #require(json?["users"] as? [[String: Any]])
        return try #require(users.first?["id"] as? Int)
    }

    func history(of chatID: Int) async throws -> String {
        let history = try await http.execute(HTTPClientRequest(url: page + "/api/chats/\(chatID)/messages"), timeout: .seconds(10))
        return String(buffer: try await history.body.collect(upTo: 1 << 20))
    }

    /// Sends `text` as the user in their private chat and waits until the bot's answer is in its history.
    func send(_ text: String, from userID: Int, expecting reply: String) async throws {
        var send = HTTPClientRequest(url: page + "/api/messages")
        send.method = .POST
        send.headers.add(name: "Content-Type", value: "application/json")
        send.body = .bytes(ByteBuffer(string: #"{"chatID":\#(userID),"userID":\#(userID),"text":"\#(text)"}"#))
        let sent = try await http.execute(send, timeout: .seconds(10))
        #expect(sent.status.code == 200)
        _ = try await sent.body.collect(upTo: 1 << 16)
        try await eventually { try await history(of: userID).contains(reply) }
    }
}
