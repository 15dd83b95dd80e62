import TelegramBotAPI

/// The secrets of one playground run, made up afresh each time (only the bot's id carries over): the
/// simulated bot's token (the bot's client must present it to the simulator) and the secret the
/// simulator's webhook calls carry.
/// Neither means anything outside this process.
public struct PlaygroundCredentials: Sendable {
    /// In Telegram's format (`<bot id>:<35 characters>`), as the simulator requires.
    public var token: String
    /// Telegram allows 1-256 characters of `A-Z a-z 0-9 _ -` here.
    public var webhookSecret: String

    public init(token: String, webhookSecret: String) {
        self.token = token
        self.webhookSecret = webhookSecret
    }

    /// - Parameter botID: the simulated bot's id; by default a random one. A playground that continues a saved
    ///   world keeps its bot's id, so the history's messages stay the bot's own.
    public static func generate(botID: Int? = nil) -> PlaygroundCredentials {
        var random = SystemRandomNumberGenerator()
        let botID = botID ?? Int.random(in: 1_000_000_000...9_999_999_999, using: &random)
        return PlaygroundCredentials(
            token: "\(botID):\(WebhookSecretToken.randomCharacters(35, using: &random))",
            webhookSecret: WebhookSecretToken.generate()
        )
    }
}
