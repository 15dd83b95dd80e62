public import TelegramBotAPI
import Synchronization

/// A `BotAPI` that calls nothing: it records every call and answers from a script, so a bot's
/// handlers can be tested without network.
///
/// ```swift
/// let api = BotAPIRecorder()
/// let bot = Bot(api: api, username: "OurBot")
/// ...
/// try await bot.handle(UpdateFactory.message(text: "/start"))
/// #expect(api.takeCalls() == [RecordedCall(method: "sendMessage", parameters: ["chat_id": 4242, "text": "Welcome!"])])
/// api.fail(SendMessage.self, errorCode: 403, description: "Forbidden: bot was blocked by the user")
/// ```
///
/// Unscripted calls get a plausible success: a sent or edited message echoes its chat, text,
/// caption and inline keyboard (so a test can press its buttons, see ``sentMessages``); `Bool`
/// methods answer `true`; `getMe` answers ``botUser``; list methods answer `[]`.
public final class BotAPIRecorder: BotAPI {
    public let botUser: User
    private let state = Mutex(State())

    private struct State {
        var calls: [RecordedCall] = []
        var sentMessages: [Message] = []
        var scripts: [String: [Script]] = [:]
        var nextMessageID = 1
    }

    private struct Script {
        var respond: @Sendable (any TelegramMethod) throws -> any Sendable
        /// How many more calls this answers; `nil` for every call.
        var remaining: Int?
    }

    public init(botUser: User = User(id: 1_000_000, isBot: true, firstName: "Test Bot", username: "TestBot")) {
        self.botUser = botUser
    }

    public func send<Method: TelegramMethod>(_ method: Method) async throws -> Method.Result {
        let request = try BotAPIRequest.encode(method)
        let call = RecordedCall(
            method: Method.name,
            parameters: try request.parameterValues(),
            uploads: Dictionary(request.uploads.map { ($0.name, $0.upload) }, uniquingKeysWith: { first, _ in first })
        )
        let (script, messageID) = state.withLock { state in
            state.calls.append(call)
            let messageID = state.nextMessageID
            state.nextMessageID += 1
            return (Self.takeScript(for: Method.name, from: &state.scripts), messageID)
        }
        let result: Method.Result
        if let script {
            let answer = try script.respond(method)
            guard let scripted = answer as? Method.Result else {
                throw RecorderError.scriptedResultHasWrongType(method: Method.name, expected: "\(Method.Result.self)", got: "\(type(of: answer))")
            }
            result = scripted
        } else {
            result = try defaultResult(for: Method.self, call: call, messageID: messageID)
        }
        if let message = Self.message(in: result) {
            state.withLock { $0.sentMessages.append(message) }
        }
        return result
    }

    private static func message(in result: some Sendable) -> Message? {
        if let message = result as? Message { return message }
        if case .message(let message) = result as? MessageOrTrue { return message }
        return nil
    }

    private static func takeScript(for method: String, from scripts: inout [String: [Script]]) -> Script? {
        guard var queue = scripts[method], let first = queue.first else { return nil }
        if let remaining = first.remaining {
            if remaining <= 1 { queue.removeFirst() } else { queue[0].remaining = remaining - 1 }
            scripts[method] = queue.isEmpty ? nil : queue
        }
        return first
    }

    // MARK: Scripting

    /// Answers the next `times` calls of `Method` (every call when `nil`) with `result`.
    /// Scripts for one method are used in the order they were added.
    public func respond<Method: TelegramMethod>(to method: Method.Type, with result: Method.Result, times: Int? = 1) {
        respond(to: method, times: times) { _ in result }
    }

    /// Answers the next `times` calls of `Method` (every call when `nil`) by running `body` on the call.
    public func respond<Method: TelegramMethod>(
        to method: Method.Type,
        times: Int? = 1,
        using body: @escaping @Sendable (Method) throws -> Method.Result
    ) {
        let script = Script(respond: { call in try body(call as! Method) }, remaining: times)
        state.withLock { $0.scripts[Method.name, default: []].append(script) }
    }

    /// Fails the next `times` calls of `Method` (every call when `nil`) with `error`, typically a
    /// `TelegramAPIError`: `TelegramAPIError(method: "sendMessage", errorCode: 403, description: "Forbidden: bot was blocked by the user")`.
    public func fail<Method: TelegramMethod>(_ method: Method.Type, with error: any Error, times: Int? = 1) {
        respond(to: method, times: times) { _ in throw error }
    }

    /// Fails the next `times` calls of `Method` as Telegram would answer: a `TelegramAPIError` with
    /// the method's name, `fail(SendMessage.self, errorCode: 403, description: "Forbidden: bot was blocked by the user")`;
    /// `retryAfter` for a 429.
    public func fail<Method: TelegramMethod>(
        _ method: Method.Type,
        errorCode: Int,
        description: String,
        retryAfter: Int? = nil,
        times: Int? = 1
    ) {
        let error = TelegramAPIError(method: Method.name, errorCode: errorCode, description: description, retryAfter: retryAfter)
        fail(method, with: error, times: times)
    }

    /// Forgets the calls and messages recorded so far; scripts stay.
    public func clearCalls() {
        state.withLock {
            $0.calls.removeAll()
            $0.sentMessages.removeAll()
        }
    }

    /// The calls recorded since the last `takeCalls` (or `clearCalls`), forgetting them: what one
    /// update did, when called after each `bot.handle`.
    public func takeCalls() -> [RecordedCall] {
        state.withLock { state in
            defer { state.calls.removeAll() }
            return state.calls
        }
    }

    // MARK: Inspecting

    public var calls: [RecordedCall] { state.withLock { $0.calls } }

    /// The messages the calls answered (sent, and edited ones), in order, as the bot received them;
    /// `UpdateFactory.callbackQuery(pressing:on:)` presses a button of one.
    public var sentMessages: [Message] { state.withLock { $0.sentMessages } }

    /// The recorded calls of the method named `method` ("sendMessage").
    public func calls(to method: String) -> [RecordedCall] {
        calls.filter { $0.method == method }
    }

    /// The recorded calls of `Method`, decoded back into method structs.
    public func calls<Method: TelegramMethod & Decodable>(of method: Method.Type) throws -> [Method] {
        try calls(to: Method.name).map { try $0.decode(as: Method.self) }
    }

    /// The texts of every message sent (`sendMessage`), in order: the usual assertion.
    public var sentTexts: [String] {
        calls(to: SendMessage.name).compactMap { $0["text"]?.stringValue }
    }

    /// The texts of the messages sent to one chat, in order: with several chats at once, each chat's own order.
    public func sentTexts(to chatID: Int) -> [String] {
        calls(to: SendMessage.name).filter { $0["chat_id"]?.intValue == chatID }.compactMap { $0["text"]?.stringValue }
    }

    // MARK: Defaults

    private func defaultResult<Method: TelegramMethod>(for method: Method.Type, call: RecordedCall, messageID: Int) throws -> Method.Result {
        if let result = true as? Method.Result, Method.Result.self == Bool.self {
            return result
        }
        if let result = botUser as? Method.Result {
            return result
        }
        if Method.Result.self == Message.self || Method.Result.self == MessageOrTrue.self,
           let message = try echoedMessage(call, messageID: messageID)
        {
            if let result = message as? Method.Result { return result }
            if let result = MessageOrTrue.message(message) as? Method.Result { return result }
        }
        if let result = MessageOrTrue.true as? Method.Result {
            return result
        }
        if let result = try? JSONValue.array([]).decode(Method.Result.self) {
            return result
        }
        throw RecorderError.noDefaultResult(method: Method.name)
    }

    /// The message a send or edit method would produce: its chat, thread, text, caption and inline
    /// keyboard (Telegram returns only inline keyboards with a message), from the bot.
    private func echoedMessage(_ call: RecordedCall, messageID: Int) throws -> Message? {
        guard let chatID = call["chat_id"]?.intValue else { return nil }
        var message: [String: JSONValue] = [
            "message_id": .integer(call["message_id"]?.intValue ?? messageID),
            "date": 1_700_000_000,
            "chat": ["id": .integer(chatID), "type": chatID > 0 ? "private" : "supergroup"],
            "from": ["id": .integer(botUser.id), "is_bot": true, "first_name": .string(botUser.firstName),
                     "username": botUser.username.map(JSONValue.string) ?? .null],
        ]
        for field in ["text", "caption", "message_thread_id", "business_connection_id"] {
            if let value = call[field] { message[field] = value }
        }
        if let markup = call["reply_markup"], case .object(let fields) = markup, fields["inline_keyboard"] != nil {
            message["reply_markup"] = markup
        }
        return try JSONValue.object(message).decode(Message.self)
    }
}

public enum RecorderError: Error, Sendable, Hashable, CustomStringConvertible {
    case noDefaultResult(method: String)
    case scriptedResultHasWrongType(method: String, expected: String, got: String)

    public var description: String {
        switch self {
        case .noDefaultResult(let method):
            "BotAPIRecorder has no default answer for \(method); script one with respond(to:with:)"
        case .scriptedResultHasWrongType(let method, let expected, let got):
            "the answer scripted for \(method) is a \(got), not a \(expected)"
        }
    }
}
