import FerryTestSupport
import FerryTesting
import Foundation
import Hummingbird
import Synchronization
import TelegramBotAPI

/// A fake Bot API on 127.0.0.1 for bot processes: answers sendMessage like Telegram, records the
/// texts per chat, and refuses chats the test marks as blocked (403).
final class FakeTelegram: Sendable {
    struct Sent: Sendable, Hashable {
        var chatID: Int
        var text: String
    }

    private let state = Mutex(State())
    private struct State {
        var sent: [Sent] = []
        var blockedChats: Set<Int> = []
        /// Flood control: every sendMessage is answered 429, retry after 1 s.
        var holdingBack = false
        var nextMessageID = 1
        /// Updates waiting for getUpdates, and the offsets getUpdates was called with.
        var pendingUpdates: [(id: Int, body: String)] = []
        var offsetsAsked: [Int?] = []
        var calls: [Call] = []
    }

    /// A Bot API call as the fake received it.
    struct Call: Sendable {
        var method: String
        var parameters: [String: JSONValue]
    }

    var calls: [Call] { state.withLock { $0.calls } }

    func deliverByPolling(updateID: Int, body: [UInt8]) {
        state.withLock { $0.pendingUpdates.append((updateID, String(decoding: body, as: UTF8.self))) }
    }
    var offsetsAsked: [Int?] { state.withLock { $0.offsetsAsked } }

    var sent: [Sent] { state.withLock { $0.sent } }
    func texts(to chatID: Int) -> [String] { sent.filter { $0.chatID == chatID }.map(\.text) }
    func block(chat: Int) { state.withLock { _ = $0.blockedChats.insert(chat) } }
    func unblock(chat: Int) { state.withLock { _ = $0.blockedChats.remove(chat) } }
    /// Answers every sendMessage 429 (retry after 1 s) while `on`, as Telegram holds a bot back.
    func holdBack(_ on: Bool) { state.withLock { $0.holdingBack = on } }

    /// Runs `body` with the fake serving on an ephemeral port; stops it afterwards.
    static func with(_ body: (FakeTelegram, String) async throws -> Void) async throws {
        let fake = FakeTelegram()
        try await FakeHTTPServer.withServer(respond: { _, request in try await fake.answer(request) }) { server in
            try await body(fake, server.baseURL)
        }
    }

    /// Answers `/bot<token>/<method>` as Telegram would.
    private func answer(_ request: ReceivedRequest) async throws -> ScriptedReply {
        let method = request.path.split(separator: "/").last.map(String.init) ?? ""
        let parameters = (try? BotAPIDecoder().decode([String: JSONValue].self, from: request.body)) ?? [:]
        state.withLock { $0.calls.append(Call(method: method, parameters: parameters)) }
        if method == "getUpdates" {
            return try await getUpdates(parameters)
        }
        if method == "getMe" {
            return json(#"{"ok":true,"result":{"id":123456,"is_bot":true,"first_name":"Echo","username":"EchoTestBot"}}"#)
        }
        guard method == "sendMessage", case .integer(let chatID)? = parameters["chat_id"], case .string(let text)? = parameters["text"] else {
            return json(#"{"ok":true,"result":true}"#)
        }
        if state.withLock({ $0.holdingBack }) {
            return json(
                #"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}"#,
                status: .tooManyRequests
            )
        }
        let (blocked, messageID) = state.withLock { state -> (Bool, Int) in
            let blocked = state.blockedChats.contains(chatID)
            if !blocked { state.sent.append(Sent(chatID: chatID, text: text)) }
            state.nextMessageID += 1
            return (blocked, state.nextMessageID)
        }
        if blocked {
            return json(#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#, status: .forbidden)
        }
        let escaped = String(decoding: try JSONEncoder().encode(text), as: UTF8.self)
        return json(#"{"ok":true,"result":{"message_id":\#(messageID),"date":1700000000,"chat":{"id":\#(chatID),"type":"private"},"text":\#(escaped)}}"#)
    }

    /// Like Telegram: an offset confirms every update below it; an empty answer waits a little.
    private func getUpdates(_ parameters: [String: JSONValue]) async throws -> ScriptedReply {
        var offset: Int?
        if case .integer(let value)? = parameters["offset"] { offset = value }
        for round in 0..<2 {
            let bodies = state.withLock { state -> [String] in
                if round == 0 { state.offsetsAsked.append(offset) }
                if let offset { state.pendingUpdates.removeAll { $0.id < offset } }
                return state.pendingUpdates.prefix(100).map(\.body)
            }
            if !bodies.isEmpty { return json(#"{"ok":true,"result":[\#(bodies.joined(separator: ","))]}"#) }
            try await Task.sleep(for: .milliseconds(100))
        }
        return json(#"{"ok":true,"result":[]}"#)
    }

    private func json(_ text: String, status: HTTPResponse.Status = .ok) -> ScriptedReply {
        ScriptedReply(status: status, contentType: "application/json", text)
    }
}
