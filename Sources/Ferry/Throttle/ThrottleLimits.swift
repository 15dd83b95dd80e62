/// How fast a ``ThrottledBotAPI`` lets messages go: rates per private chat, rates per group (or channel),
/// and one rate for everything the process sends.
public struct ThrottleLimits: Sendable, Hashable {
    /// At most `messages` in any stretch of `interval`: `Rate(messages: 20, per: .seconds(60))` lets twenty go
    /// back to back, then the next a minute after the first.
    public struct Rate: Sendable, Hashable {
        public var messages: Int
        public var interval: Duration

        public init(messages: Int, per interval: Duration) {
            precondition(messages > 0 && interval > .zero, "a rate needs a positive count and interval")
            self.messages = messages
            self.interval = interval
        }
    }

    public var privateChat: [Rate]
    public var groupChat: [Rate]
    /// Spread evenly: one message every `interval / messages`.
    public var global: Rate
    /// How much longer than the rates say every interval is taken (0.05: 5 %), so that network jitter never
    /// brings messages closer together than Telegram counts them.
    public var margin: Double

    public init(privateChat: [Rate], groupChat: [Rate], global: Rate, margin: Double = 0.05) {
        precondition(margin >= 0, "the margin slows sending down; it cannot be negative")
        self.privateChat = privateChat
        self.groupChat = groupChat
        self.global = global
        self.margin = margin
    }

    /// Telegram's documented limits: one message a second in a private chat; one a second and twenty a minute
    /// in a group or channel; thirty a second overall. Each interval 5 % longer.
    public static let telegram = ThrottleLimits(
        privateChat: [Rate(messages: 1, per: .seconds(1))],
        groupChat: [Rate(messages: 1, per: .seconds(1)), Rate(messages: 20, per: .seconds(60))],
        global: Rate(messages: 30, per: .seconds(1))
    )

    /// ``telegram`` for one of `processes` sending for the bot at once (Lambda consumer instances, machines
    /// sharing a queue): the overall rate divided among them. Chats keep theirs, since one process at a time
    /// handles a chat.
    public static func telegram(sharedBy processes: Int) -> ThrottleLimits {
        precondition(processes >= 1, "at least one process sends")
        var limits = ThrottleLimits.telegram
        limits.global = Rate(messages: 30, per: .seconds(processes))
        return limits
    }

    /// A rate's interval with the margin.
    func window(_ rate: Rate) -> Duration {
        rate.interval * (1 + margin)
    }
}
