public import Logging
public import TelegramBotAPI

extension BotAPISimulator {
    public struct Configuration: Sendable {
        /// A token in Telegram's format; the number before the colon is the bot's user id.
        public static let defaultToken = "5550001111:AAH-simulated-token-for-tests-0123456789"

        /// The token calls must carry in their path; any other gets 401 `Unauthorized`.
        public var token: String
        public var botFirstName: String
        public var botUsername: String
        /// The address the HTTP server binds; keep it on loopback.
        public var host: String
        /// `0` picks a free port; read the bound one from ``BotAPISimulator/port`` once started.
        public var port: Int
        /// Telegram's flood limits by default; ``RateLimits/off`` for volume tests. Changeable while running.
        public var rateLimits: RateLimits
        /// Telegram's privacy mode: in groups the bot receives only commands, replies to it and mentions.
        /// Off by default, so that group tests see every message.
        public var groupPrivacy: Bool
        /// The longest a `getUpdates` call is held open, whatever `timeout` it asks for.
        public var maximumLongPollTimeout: Duration
        /// Bodies beyond this are refused with 413; Telegram takes uploads of up to 50 MB from bots.
        public var maximumRequestSize: Int
        public var webhookRetry: WebhookRetryPolicy
        /// How long one webhook delivery may take before it counts as failed.
        public var webhookTimeout: Duration
        /// How much the simulator remembers: messages per chat, the bot's actions, pending updates.
        /// Beyond it the oldest are forgotten, so a long benchmark runs in bounded memory.
        public var historyLimit: Int
        /// Where the world is kept across restarts (users, chats, messages, pending updates, the next ids):
        /// read when the simulator starts, written shortly after every change and when it stops. `nil`
        /// (the default): the world lives in memory only.
        public var worldFile: String?
        /// The lowest `update_id` the simulator hands out: one above the highest the bot has already
        /// stored, so a simulator whose world was lost still never repeats an id.
        public var firstUpdateID: Int
        /// Where the HTTP server and webhook deliverer log; silent by default. Requests are not logged,
        /// since their paths carry the token.
        public var logger: Logger

        public init(
            token: String = Configuration.defaultToken,
            botFirstName: String = "Ferry Test Bot",
            botUsername: String = "FerryTestBot",
            host: String = "127.0.0.1",
            port: Int = 0,
            rateLimits: RateLimits = .telegram,
            groupPrivacy: Bool = false,
            maximumLongPollTimeout: Duration = .seconds(50),
            maximumRequestSize: Int = 50 * 1024 * 1024,
            webhookRetry: WebhookRetryPolicy = WebhookRetryPolicy(),
            webhookTimeout: Duration = .seconds(10),
            historyLimit: Int = 10_000,
            worldFile: String? = nil,
            firstUpdateID: Int = 1,
            logger: Logger = Logger(label: "ferry.bot-api-simulator", factory: { _ in SwiftLogNoOpLogHandler() })
        ) {
            precondition(Self.botID(in: token) != nil, "a bot token looks like 123456:ABC-DEF...; the part before the colon is the bot's id")
            precondition(historyLimit > 0 && maximumRequestSize > 0, "limits must be positive")
            self.token = token
            self.botFirstName = botFirstName
            self.botUsername = botUsername
            self.host = host
            self.port = port
            self.rateLimits = rateLimits
            self.groupPrivacy = groupPrivacy
            self.maximumLongPollTimeout = maximumLongPollTimeout
            self.maximumRequestSize = maximumRequestSize
            self.webhookRetry = webhookRetry
            self.webhookTimeout = webhookTimeout
            self.historyLimit = historyLimit
            self.worldFile = worldFile
            self.firstUpdateID = max(1, firstUpdateID)
            self.logger = logger
        }

        /// The bot as `getMe` describes it.
        public var botUser: User {
            User(
                id: Self.botID(in: token) ?? 0,
                isBot: true,
                firstName: botFirstName,
                username: botUsername,
                canJoinGroups: true,
                canReadAllGroupMessages: !groupPrivacy,
                supportsInlineQueries: true,
                canConnectToBusiness: false,
                hasMainWebApp: false
            )
        }

        private static func botID(in token: String) -> Int? {
            guard let colon = token.firstIndex(of: ":"), token[token.index(after: colon)...].count > 0 else { return nil }
            return Int(token[..<colon]).flatMap { $0 > 0 ? $0 : nil }
        }
    }
}
