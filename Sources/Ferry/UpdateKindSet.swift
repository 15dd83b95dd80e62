public import TelegramBotAPI

/// The kinds of update a filter, handler or middleware can take: what the bot asks Telegram for
/// with `allowed_updates` (see ``Bot/allowedUpdates``).
///
/// Telegram sends only the kinds a bot asks for, and when it asks for none it leaves out
/// `chat_member`, `message_reaction` and `message_reaction_count`. Deriving the list from the
/// handlers means a bot gets the updates it handles, including those three when a handler wants
/// them, and no others: each unwanted update would cost a webhook call (a Lambda invocation) for nothing.
public struct UpdateKindSet: Sendable, Hashable, ExpressibleByArrayLiteral {
    /// Whether anything at all may be taken: code Ferry cannot look into (a closure middleware,
    /// `onAny`) might act on any update.
    private let isEvery: Bool
    private let kinds: Set<UpdateKind>

    private init(isEvery: Bool, kinds: Set<UpdateKind>) {
        self.isEvery = isEvery
        self.kinds = kinds
    }

    public init(_ kinds: some Sequence<UpdateKind>) {
        self.init(isEvery: false, kinds: Set(kinds))
    }

    public init(arrayLiteral kinds: UpdateKind...) {
        self.init(kinds)
    }

    /// Every kind: what middleware and filters Ferry cannot look into stand for.
    public static let every = UpdateKindSet(isEvery: true, kinds: [])
    /// No kind: what middleware that only passes updates on (sessions) takes by itself.
    public static let empty = UpdateKindSet(isEvery: false, kinds: [])
    /// A new message of any origin: what message content filters (`.text`, `.photo`, commands) look at.
    public static let incomingMessages: UpdateKindSet = [.message, .channelPost, .businessMessage]

    public func contains(_ kind: UpdateKind) -> Bool {
        isEvery && !kind.isUnknown || kinds.contains(kind)
    }

    /// What either takes: the kinds of a chain of handlers.
    public func union(_ other: UpdateKindSet) -> UpdateKindSet {
        UpdateKindSet(isEvery: isEvery || other.isEvery, kinds: kinds.union(other.kinds))
    }

    /// What both take: the kinds of a filter narrowed by another.
    public func intersection(_ other: UpdateKindSet) -> UpdateKindSet {
        if isEvery { return other }
        if other.isEvery { return self }
        return UpdateKindSet(isEvery: false, kinds: kinds.intersection(other.kinds))
    }

    /// The `allowed_updates` value: Telegram's names, in the order of the Bot API docs, then
    /// kinds newer than this Bot API version by name. For ``every``, every kind this version knows.
    public var names: [String] {
        let known = UpdateKind.allKnown.filter(contains).map(\.rawValue)
        let newer = kinds.filter(\.isUnknown).map(\.rawValue).sorted()
        return known + newer
    }
}
