import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
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
        var nextMessageID = 1
    }

    var sent: [Sent] { state.withLock { $0.sent } }
    func texts(to chatID: Int) -> [String] { sent.filter { $0.chatID == chatID }.map(\.text) }
    func block(chat: Int) { state.withLock { _ = $0.blockedChats.insert(chat) } }
    func unblock(chat: Int) { state.withLock { _ = $0.blockedChats.remove(chat) } }

    /// Runs `body` with the fake serving on an ephemeral port; stops it afterwards.
    static func with(_ body: (FakeTelegram, String) async throws -> Void) async throws {
        let fake = FakeTelegram()
        let router = Router()
        router.post("/:token/:method") { request, context in try await fake.answer(request, context) }
        let port = Mutex<Int?>(nil)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.withLock { $0 = channel.localAddress?.port } },
            logger: Logger(label: "fake-telegram", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        let group = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: Logger(label: "fake")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var bound: Int?
            for _ in 0..<500 where bound == nil {
                bound = port.withLock { $0 }
                if bound == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            guard let bound else { throw TestFailure("the fake Bot API did not start") }
            do {
                try await body(fake, "http://127.0.0.1:\(bound)")
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    private func answer(_ request: Request, _ context: BasicRequestContext) async throws -> Response {
        let method = context.parameters.get("method") ?? ""
        let body = try await request.body.collect(upTo: 1 << 20)
        let parameters = (try? BotAPIDecoder().decode([String: JSONValue].self, from: Array(buffer: body))) ?? [:]
        guard method == "sendMessage", case .integer(let chatID)? = parameters["chat_id"], case .string(let text)? = parameters["text"] else {
            return json(#"{"ok":true,"result":true}"#)
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

    private func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
