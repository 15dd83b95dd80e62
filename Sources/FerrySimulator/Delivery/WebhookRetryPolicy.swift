/// How the simulator, like Telegram, repeats a webhook delivery the bot's server did not accept:
/// the same update again (later ones wait behind it), after a backoff that doubles up to `maximumDelay`.
/// It keeps trying until the webhook accepts, is changed or deleted, or the simulator shuts down.
public struct WebhookRetryPolicy: Sendable, Hashable {
    public var initialDelay: Duration
    public var maximumDelay: Duration

    public init(initialDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(30)) {
        precondition(initialDelay > .zero && maximumDelay >= initialDelay, "delays must satisfy 0 < initialDelay <= maximumDelay")
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
    }

    /// The pause after `failures` failed attempts in a row.
    func delay(afterFailures failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 30)
        return min(initialDelay * (1 << exponent), maximumDelay)
    }
}
