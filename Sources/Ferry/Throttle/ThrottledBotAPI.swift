public import TelegramBotAPI
import Synchronization

/// A `BotAPI` that holds each message back until Telegram's flood limits allow it, then sends it through
/// `base`: about one message a second per private chat, one a second and twenty a minute per group, thirty a
/// second overall (``ThrottleLimits/telegram``), so a broadcast meets no 429 instead of waiting out each one.
///
/// ```swift
/// let bot = Bot(api: client.throttled())
/// // or, for a bot run by FerryApp:
/// await FerryApp(name: "MyBot", api: { $0.throttled() }) { bot, resources in ... }.main()
/// ```
///
/// It throttles the methods that send a message to a chat (`sendMessage`, `sendPhoto`, ... `copyMessage`,
/// `forwardMessage`), the ones Telegram counts; edits, answers to queries and everything else pass at once.
/// Messages go in the order they are sent; one waiting for its chat does not hold up other chats.
///
/// The limits hold per instance, within one process. Several processes sending for one bot (Lambda consumer
/// instances, machines sharing a queue) share Telegram's overall limit: give each
/// ``ThrottleLimits/telegram(sharedBy:)`` with their number. A 429 that still comes is the client's to wait out.
public final class ThrottledBotAPI: BotAPI {
    public let base: any BotAPI
    public let limits: ThrottleLimits
    private let schedule: Mutex<SendSchedule>

    public init(_ base: any BotAPI, limits: ThrottleLimits = .telegram) {
        self.base = base
        self.limits = limits
        self.schedule = Mutex(SendSchedule(limits: limits, origin: .now))
    }

    public func send<Method: TelegramMethod>(_ method: Method) async throws -> Method.Result {
        if Self.countsAsMessage(Method.name), let (chat, isPrivate) = try Self.recipient(of: method) {
            let clock = ContinuousClock()
            let sendAt = schedule.withLock { $0.reserve(chat: chat, isPrivate: isPrivate, now: clock.now) }
            if sendAt > clock.now { try await clock.sleep(until: sendAt) }
        }
        return try await base.send(method)
    }

    /// Whether Telegram counts a call of `method` against the flood limits: the methods that put a message into a chat.
    static func countsAsMessage(_ method: String) -> Bool {
        switch method {
        case "sendChatAction": false
        case "copyMessage", "copyMessages", "forwardMessage", "forwardMessages": true
        default: method.hasPrefix("send")
        }
    }

    /// The chat a call goes to, from its `chat_id` parameter: positive ids are private chats, negative ones
    /// and `@usernames` groups and channels. `nil` for a call without one (an inline message).
    static func recipient(of method: some TelegramMethod) throws -> (SendSchedule.ChatKey, isPrivate: Bool)? {
        let parameters = try BotAPIRequest.encode(method).parameterValues()
        switch parameters["chat_id"] {
        case .integer(let id)?: return (.id(id), id > 0)
        case .string(let username)?: return (.username(username.lowercased()), false)
        default: return nil
        }
    }
}

/// Downloads are not messages: they pass straight to the API underneath, when it can download.
extension ThrottledBotAPI: BotFileDownloading {
    public func downloadFile(atPath filePath: String, maxBytes: Int) async throws -> [UInt8] {
        try await downloader().downloadFile(atPath: filePath, maxBytes: maxBytes)
    }

    public func downloadFile(atPath filePath: String, to destination: String, maxBytes: Int) async throws -> Int {
        try await downloader().downloadFile(atPath: filePath, to: destination, maxBytes: maxBytes)
    }

    private func downloader() throws -> any BotFileDownloading {
        guard let downloader = base as? any BotFileDownloading else { throw FileDownloadError.unsupported(api: String(describing: type(of: base))) }
        return downloader
    }
}

extension BotAPI {
    /// This API behind a ``ThrottledBotAPI``: messages held back until Telegram's flood limits allow them.
    public func throttled(_ limits: ThrottleLimits = .telegram) -> ThrottledBotAPI {
        ThrottledBotAPI(self, limits: limits)
    }
}
