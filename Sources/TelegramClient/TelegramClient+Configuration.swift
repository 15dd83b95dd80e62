extension TelegramClient {
    public struct Configuration: Sendable {
        /// Telegram's own Bot API server.
        public static let telegramBaseURL = "https://api.telegram.org"

        /// Where the Bot API is served: Telegram's server, a local `telegram-bot-api` server or a simulator.
        /// Calls go to `{baseURL}/bot{token}/{method}`.
        public var baseURL: String
        /// The time one attempt may take, from sending the request to the last byte of the answer,
        /// uploads included. `getUpdates` gets its long-poll `timeout` on top.
        public var timeout: Duration
        /// The retry policy of every call that does not pass its own.
        public var retryPolicy: RetryPolicy
        /// Answers larger than this are rejected rather than buffered.
        public var maximumResponseSize: Int
        /// Keep-alive connections the client opens to the Bot API at most (for a client that creates its
        /// own `HTTPClient`). Calls beyond it wait for a free connection; a bot runs one call per handler
        /// at a time, so about as many connections as handlers run at once keeps them from queueing.
        public var maximumConnections: Int

        public init(
            baseURL: String = Configuration.telegramBaseURL,
            timeout: Duration = .seconds(30),
            retryPolicy: RetryPolicy = .default,
            maximumResponseSize: Int = 32 * 1024 * 1024,
            maximumConnections: Int = 64
        ) {
            self.baseURL = baseURL
            self.timeout = timeout
            self.retryPolicy = retryPolicy
            self.maximumResponseSize = maximumResponseSize
            self.maximumConnections = maximumConnections
        }
    }
}
