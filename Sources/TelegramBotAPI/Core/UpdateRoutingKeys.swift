/// What ingress must know about an update before queueing it, read straight from the webhook
/// body without decoding it: the id to deduplicate by, the kind, and the FIFO group to queue it in.
///
/// ## Groups (the ordering key)
///
/// Updates of the same group are handled one at a time, in order; all others may run
/// concurrently. The group is the update's chat when it has one, else its user, else something else
/// stable about it:
///
/// | kind | group | why |
/// | --- | --- | --- |
/// | `message`, `edited_message`, `channel_post`, `edited_channel_post`, `business_message`, `edited_business_message`, `guest_message` | `chat:` `chat.id` | every Message has a chat |
/// | `deleted_business_messages`, `message_reaction`, `message_reaction_count`, `my_chat_member`, `chat_member`, `chat_join_request`, `chat_boost`, `removed_chat_boost` | `chat:` `chat.id` | each is about something in one chat |
/// | `callback_query` | `chat:` `message.chat.id`, else `user:` `from.id` | a button press stays behind the messages of its chat; a button on an inline message has no `message`, only its user |
/// | `inline_query`, `chosen_inline_result`, `shipping_query`, `pre_checkout_query`, `purchased_paid_media` | `user:` `from.id` | no chat involved |
/// | `poll_answer` | `chat:` `voter_chat.id`, else `user:` `user.id` | an anonymous vote is cast on behalf of a chat |
/// | `business_connection` | `user:` `user.id` | a connection belongs to the business account's user, so connect, edit and disconnect stay in order |
/// | `managed_bot` | `user:` `bot.id` | the update changes the managed bot's token or owner; grouped by owner (`user`), a change of owner could overtake the token change before it |
/// | `poll` | `poll:` `id` | a poll's state names no chat or user |
/// | a kind newer than this Bot API | `chat:` `chat.id`, else `chat:` `message.chat.id`, else `user:` `from.id`, else `user:` `user.id` | the shapes every existing kind uses |
///
/// When a kind's fields are missing, the group falls back to `kind:` and the kind's name: all such
/// updates share one group, which is slow but never out of order.
///
/// Grouping by chat, not by user as many tutorials do, is deliberate: in a group chat two users'
/// messages would then land in two groups and could be handled in either order, so a reply can
/// overtake the question it answers, or `/cancel` the `/start` before it. In a private chat the
/// two are the same anyway.
public struct UpdateRoutingKeys: Sendable, Hashable {
    /// The update's unique id, which Telegram guarantees per bot: the key to deduplicate by.
    public var updateID: Int
    /// The name of the update's payload member. An update that carries none has kind `.unknown("")`,
    /// as `Update` decodes it.
    public var kind: UpdateKind
    /// The FIFO group the update belongs to.
    public var group: UpdateGroup

    public init(updateID: Int, kind: UpdateKind, group: UpdateGroup) {
        self.updateID = updateID
        self.kind = kind
        self.group = group
    }
}

/// The FIFO group of an update (what the architecture calls its ordering key): updates of one group are
/// handled one at a time, in the order Telegram sent them. See `UpdateRoutingKeys` for which group each kind gets.
public enum UpdateGroup: Sendable, Hashable, CustomStringConvertible {
    /// Everything that happens in one chat, whoever caused it.
    case chat(Int)
    /// A user's updates that belong to no chat.
    case user(Int)
    /// State changes of one poll.
    case poll(id: String)
    /// Updates that name no chat, user or poll: one group for the whole kind.
    case kind(UpdateKind)

    /// The group's id as queues store it (`QueuedUpdate.groupID`, SQL `group_id`, SQS `MessageGroupId`): `chat:-1001234567890`, `user:42`, `poll:5467…`, `kind:poll`.
    ///
    /// Always 1 to 128 printable ASCII characters, a valid SQS `MessageGroupId`. An id or kind name
    /// that would not fit (it comes from the request body) is replaced by a stable 64-bit FNV-1a
    /// hash, `poll#…` or `kind#…`: every process must derive the same group from the same update,
    /// which rules out Swift's per-process seeded `Hasher`. Two ids sharing a hash would only share
    /// a group, which costs concurrency, never order.
    public var id: String {
        switch self {
        case .chat(let id): "chat:\(id)"
        case .user(let id): "user:\(id)"
        case .poll(let id): Self.id(prefix: "poll", id)
        case .kind(let kind): Self.id(prefix: "kind", kind.rawValue)
        }
    }

    public var description: String { id }

    private static func id(prefix: String, _ name: String) -> String {
        let maximumLength = 128
        let isPrintableASCII = name.utf8.allSatisfy { (0x21...0x7E).contains($0) }
        if isPrintableASCII && prefix.utf8.count + 1 + name.utf8.count <= maximumLength {
            return prefix + ":" + name
        }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        let digits = String(hash, radix: 16)
        return prefix + "#" + String(repeating: "0", count: 16 - digits.utf8.count) + digits
    }
}

extension UpdateRoutingKeys {
    public enum Error: Swift.Error, Sendable, Hashable, CustomStringConvertible {
        /// The body ends before its JSON does: it was cut off, or is empty.
        case truncated
        /// The body is not JSON, or nests deeper than 64 levels.
        case invalidJSON(JSONSyntaxError)
        /// The body is JSON, but not an object.
        case notAnObject
        case missingUpdateID
        /// `update_id` is not an integer within `Int`: a string, a fraction, an exponent.
        case invalidUpdateID
        /// `update_id` appears twice, so deduplicating by either would be a guess.
        case duplicateUpdateID

        init(_ error: JSONSyntaxError) {
            self = error.problem == .unexpectedEnd ? .truncated : .invalidJSON(error)
        }

        public var description: String {
            switch self {
            case .truncated: "The update is truncated: its JSON ends early."
            case .invalidJSON(let error): "The update is not valid JSON: \(error)."
            case .notAnObject: "The update is not a JSON object."
            case .missingUpdateID: "The update has no update_id."
            case .invalidUpdateID: "The update's update_id is not an integer."
            case .duplicateUpdateID: "The update has more than one update_id."
            }
        }
    }

    /// Reads the routing keys from the UTF-8 bytes of one Update, as Telegram posts it.
    ///
    /// It reads every byte once and validates the whole body as JSON. It allocates only for strings
    /// it hands back: the name of a kind this Bot API version does not know, a poll id.
    public static func extract(from bytes: UnsafeRawBufferPointer) throws(Error) -> UpdateRoutingKeys {
        var scanner = JSONScanner(bytes)
        let update: ScannedUpdate
        do {
            update = try ScannedUpdate(&scanner)
        } catch {
            throw Error(error)
        }
        return try update.routingKeys()
    }

    /// Reads the routing keys from the UTF-8 bytes of one Update: an array, `Data`, a string's
    /// `utf8` view, a NIO `ByteBuffer`'s `readableBytesView`… Contiguous storage is read in place;
    /// anything else is copied first.
    public static func extract(from bytes: some Sequence<UInt8>) throws(Error) -> UpdateRoutingKeys {
        let inPlace = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(Error) in try extract(from: UnsafeRawBufferPointer(buffer)) }
        }
        let result = inPlace ?? Array(bytes).withUnsafeBytes { buffer in
            Result { () throws(Error) in try extract(from: buffer) }
        }
        return try result.get()
    }
}

// MARK: - Scanning

/// The top level of an update, as far as routing needs it. Syntax errors are thrown while scanning;
/// problems with the content wait until the whole body has been read, so that a body which is both
/// cut off and missing its `update_id` is reported as cut off.
private struct ScannedUpdate {
    var isObject = false
    var updateIDCount = 0
    var updateID: Int?
    var payload: Payload?

    /// The member that carries the update's content.
    ///
    /// Telegram sends exactly one member besides `update_id`. Should a future version add top-level
    /// members that are not payloads, a kind this version knows wins over one it does not, and an
    /// object over anything else; among equals, the first.
    struct Payload {
        /// Better first.
        enum Rank: Comparable {
            case knownKind, object, other
        }

        var name: JSONString
        /// `nil` for a kind this version does not know: its name is decoded only if it wins.
        var knownKind: KnownKinds.Index?
        var rank: Rank
        var sources = KeySources.Found()
    }

    init(_ scanner: inout JSONScanner) throws(JSONSyntaxError) {
        guard try scanner.peek() == UInt8(ascii: "{") else {
            try scanner.skipValue()
            try scanner.expectEnd()
            return
        }
        isObject = true
        try scanner.readObject { key, scanner throws(JSONSyntaxError) in
            if key == "update_id" {
                updateIDCount += 1
                updateID = try scanner.readInteger()
                return
            }
            let knownKind = KnownKinds.shared.index(named: key)
            let valueIsObject = try scanner.peek() == UInt8(ascii: "{")
            let rank: Payload.Rank = knownKind != nil ? .knownKind : valueIsObject ? .object : .other
            if let payload, payload.rank <= rank {
                try scanner.skipValue()
                return
            }
            var candidate = Payload(name: key, knownKind: knownKind, rank: rank)
            if valueIsObject {
                let sources = knownKind.map { KnownKinds.shared[$0].sources } ?? .forUnknownKinds
                candidate.sources = try scanner.readKeySources(sources)
            } else {
                try scanner.skipValue()
            }
            payload = candidate
        }
        try scanner.expectEnd()
    }

    func routingKeys() throws(UpdateRoutingKeys.Error) -> UpdateRoutingKeys {
        guard isObject else { throw .notAnObject }
        guard updateIDCount > 0 else { throw .missingUpdateID }
        guard updateIDCount == 1 else { throw .duplicateUpdateID }
        guard let updateID else { throw .invalidUpdateID }
        guard let payload else {
            let kind = UpdateKind.unknown("")
            return UpdateRoutingKeys(updateID: updateID, kind: kind, group: .kind(kind))
        }
        let kind = payload.knownKind.map { KnownKinds.shared[$0].kind } ?? .unknown(payload.name.value)
        return UpdateRoutingKeys(updateID: updateID, kind: kind, group: payload.sources.group(kind: kind))
    }
}

/// The kinds this Bot API version knows, with their names laid end to end in one buffer: every
/// update looks its kind up, and a table of separate strings would cost a retain and a release for
/// each name tried.
private struct KnownKinds: Sendable {
    typealias Index = Int

    struct Entry {
        var kind: UpdateKind
        var sources: KeySources
        var name: Range<Int>
    }

    static let shared = KnownKinds(UpdateKind.allKnown)

    private let names: [UInt8]
    private let entries: [Entry]

    private init(_ kinds: [UpdateKind]) {
        var names: [UInt8] = []
        entries = kinds.map { kind in
            let name = kind.rawValue.utf8
            defer { names += name }
            return Entry(kind: kind, sources: kind.groupSources, name: names.count..<names.count + name.count)
        }
        self.names = names
    }

    subscript(index: Index) -> Entry { entries[index] }

    func index(named key: JSONString) -> Index? {
        if key.hasEscapes {
            let kind = UpdateKind(rawValue: key.value)
            return entries.firstIndex { $0.kind == kind }
        }
        return names.withUnsafeBytes { names in
            entries.withUnsafeBufferPointer { entries in
                entries.indices.first { index in
                    key.equals(UnsafeRawBufferPointer(rebasing: names[entries[index].name]))
                }
            }
        }
    }
}

/// The places in a payload that an update's group can come from, most specific first: the order
/// `Found.group(kind:)` tries them in.
private struct KeySources: OptionSet {
    let rawValue: UInt8

    /// `chat.id`
    static let chat = KeySources(rawValue: 1 << 0)
    /// `message.chat.id`
    static let messageChat = KeySources(rawValue: 1 << 1)
    /// `voter_chat.id`
    static let voterChat = KeySources(rawValue: 1 << 2)
    /// `from.id`
    static let from = KeySources(rawValue: 1 << 3)
    /// `user.id`
    static let user = KeySources(rawValue: 1 << 4)
    /// `bot.id`
    static let bot = KeySources(rawValue: 1 << 5)
    /// `id`, a poll's string id
    static let pollID = KeySources(rawValue: 1 << 6)

    static let forUnknownKinds: KeySources = [.chat, .messageChat, .from, .user]

    /// What a payload held at the sources that were asked for.
    struct Found {
        var chat: Int?
        var messageChat: Int?
        var voterChat: Int?
        var from: Int?
        var user: Int?
        var bot: Int?
        var pollID: JSONString?

        func group(kind: UpdateKind) -> UpdateGroup {
            if let chat = chat ?? messageChat ?? voterChat { return .chat(chat) }
            if let user = from ?? user ?? bot { return .user(user) }
            if let pollID { return .poll(id: pollID.value) }
            return .kind(kind)
        }
    }
}

extension UpdateKind {
    /// Where this kind's group comes from; the table in `UpdateRoutingKeys` explains each choice.
    /// The switch is exhaustive on purpose: a kind added by regenerating from a newer Bot API does
    /// not compile until someone decides its key.
    fileprivate var groupSources: KeySources {
        switch self {
        case .message, .editedMessage, .channelPost, .editedChannelPost, .businessMessage, .editedBusinessMessage,
            .guestMessage:
            .chat
        case .deletedBusinessMessages, .messageReaction, .messageReactionCount, .myChatMember, .chatMember,
            .chatJoinRequest, .chatBoost, .removedChatBoost:
            .chat
        case .callbackQuery: [.messageChat, .from]
        case .inlineQuery, .chosenInlineResult, .shippingQuery, .preCheckoutQuery, .purchasedPaidMedia: .from
        case .pollAnswer: [.voterChat, .user]
        case .businessConnection: .user
        case .managedBot: .bot
        case .poll: .pollID
        case .unknown: .forUnknownKinds
        }
    }
}

extension JSONScanner {
    /// Reads the payload object that starts here, collecting the ids at `sources`.
    fileprivate mutating func readKeySources(_ sources: KeySources) throws(JSONSyntaxError) -> KeySources.Found {
        var found = KeySources.Found()
        try readObject { key, scanner throws(JSONSyntaxError) in
            // The first usable value wins; Telegram never repeats a key.
            if sources.contains(.chat), found.chat == nil, key == "chat" {
                found.chat = try scanner.readMemberID()
            } else if sources.contains(.messageChat), found.messageChat == nil, key == "message" {
                found.messageChat = try scanner.readChatIDOfMessage()
            } else if sources.contains(.voterChat), found.voterChat == nil, key == "voter_chat" {
                found.voterChat = try scanner.readMemberID()
            } else if sources.contains(.from), found.from == nil, key == "from" {
                found.from = try scanner.readMemberID()
            } else if sources.contains(.user), found.user == nil, key == "user" {
                found.user = try scanner.readMemberID()
            } else if sources.contains(.bot), found.bot == nil, key == "bot" {
                found.bot = try scanner.readMemberID()
            } else if sources.contains(.pollID), found.pollID == nil, key == "id",
                try scanner.peek() == UInt8(ascii: "\"")
            {
                found.pollID = try scanner.readString()
            } else {
                try scanner.skipValue()
            }
        }
        return found
    }

    /// Reads the value that starts here and returns its integer `id` member, if it is an object
    /// with one (a Chat or User).
    private mutating func readMemberID() throws(JSONSyntaxError) -> Int? {
        guard try peek() == UInt8(ascii: "{") else {
            try skipValue()
            return nil
        }
        var id: Int?
        try readObject { key, scanner throws(JSONSyntaxError) in
            if id == nil, key == "id" {
                id = try scanner.readInteger()
            } else {
                try scanner.skipValue()
            }
        }
        return id
    }

    /// Reads the value that starts here and returns `chat.id`, if it is a message that has one.
    private mutating func readChatIDOfMessage() throws(JSONSyntaxError) -> Int? {
        guard try peek() == UInt8(ascii: "{") else {
            try skipValue()
            return nil
        }
        var chatID: Int?
        try readObject { key, scanner throws(JSONSyntaxError) in
            if chatID == nil, key == "chat" {
                chatID = try scanner.readMemberID()
            } else {
                try scanner.skipValue()
            }
        }
        return chatID
    }
}
