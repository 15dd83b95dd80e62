/// The `secret_token` of `setWebhook`: Telegram sends it back in `X-Telegram-Bot-Api-Secret-Token` with
/// every webhook request, so the receiver can tell Telegram from anyone else who found the URL.
public enum WebhookSecretToken {
    /// The characters Telegram allows in a secret (1-256 of them).
    public static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")

    /// A fresh secret from the system's random source: 48 characters, 288 bits.
    public static func generate(length: Int = 48) -> String {
        var random = SystemRandomNumberGenerator()
        return randomCharacters(length, using: &random)
    }

    /// `count` characters of ``alphabet``, uniformly at random.
    public static func randomCharacters(_ count: Int, using random: inout some RandomNumberGenerator) -> String {
        String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
    }

    /// Whether Telegram accepts `secret` as a `secret_token`.
    public static func isValid(_ secret: String) -> Bool {
        (1...256).contains(secret.count) && secret.allSatisfy { alphabet.contains($0) }
    }
}
