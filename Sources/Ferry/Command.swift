/// A bot command found at the start of a message: `/start@OurBot ref-42` has name `start`,
/// mention `OurBot` and arguments `ref-42`.
public struct Command: Sendable, Hashable {
    /// The command as typed, without "/" or mention; compare case-insensitively.
    public var name: String
    /// The bot the command was addressed to in a group (`/start@OurBot`), without "@".
    public var mention: String?
    /// Everything after the command and the whitespace that follows it; empty when there is none.
    public var arguments: String

    public init(name: String, mention: String? = nil, arguments: String = "") {
        self.name = name
        self.mention = mention
        self.arguments = arguments
    }

    /// The deep-link payload of `/start`: `t.me/OurBot?start=ref-42` arrives as `/start ref-42`.
    public var payload: String? {
        name.lowercased() == "start" && !arguments.isEmpty ? arguments : nil
    }

    /// The arguments split at whitespace.
    public var argumentList: [String] {
        arguments.split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// Parses the command that `text` starts with; `nil` when it does not start with one.
    public init?(parsing text: String) {
        guard text.utf8.first == UInt8(ascii: "/") else { return nil }
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            guard let command = Self.parseASCII(text) else { return nil }
            self = command
            return
        }
        let afterSlash = text.dropFirst()
        let head = afterSlash.prefix { !$0.isWhitespace }
        let parts = head.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard let name = parts.first, !name.isEmpty else { return nil }
        self.name = String(name)
        self.mention = parts.count > 1 ? String(parts[1]) : nil
        self.arguments = String(afterSlash.dropFirst(head.count).drop { $0.isWhitespace })
    }

    /// `init(parsing:)` for ASCII text, which commands nearly always are: scanning bytes spares the
    /// grapheme breaking that `Character.isWhitespace` needs, which made parsing cost microseconds.
    /// The ASCII whitespace is exactly what `Character.isWhitespace` accepts below 0x80.
    private static func parseASCII(_ text: String) -> Command? {
        let bytes = text.utf8
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
        let afterSlash = bytes.index(after: bytes.startIndex)
        let headEnd = bytes[afterSlash...].firstIndex(where: isSpace) ?? bytes.endIndex
        let at = bytes[afterSlash..<headEnd].firstIndex(of: UInt8(ascii: "@"))
        let nameEnd = at ?? headEnd
        guard nameEnd > afterSlash else { return nil }
        let argumentsStart = bytes[headEnd...].firstIndex { !isSpace($0) } ?? bytes.endIndex
        return Command(
            name: String(text[afterSlash..<nameEnd]),
            mention: at.map { String(text[bytes.index(after: $0)..<headEnd]) },
            arguments: String(text[argumentsStart...])
        )
    }

    /// Whether this command is one of `names` and meant for the bot named `botUsername`.
    /// A command mentioning another bot is never ours; without a known username, a mentioned
    /// command cannot be checked and is not taken.
    func matches(_ names: Set<String>, botUsername: String?) -> Bool {
        guard names.contains(name.lowercased()) else { return false }
        guard let mention else { return true }
        guard let botUsername else { return false }
        return mention.lowercased() == botUsername.lowercased()
    }
}

extension Filter where Value == Command {
    /// A message starting with one of the commands `names` (without "/"), matched case-insensitively,
    /// addressed to no bot in particular or to this one.
    public static func command(_ names: String...) -> Filter<Command> {
        command(names)
    }

    public static func command(_ names: [String]) -> Filter<Command> {
        let names = Set(names.map { $0.lowercased().trimmingPrefix("/") }.map(String.init))
        return Filter(updateKinds: .incomingMessages) { ctx in
            guard let incoming = ctx.incomingCommand, incoming.isForThisBot, names.contains(incoming.lowercasedName)
            else { return nil }
            return incoming.command
        }
    }
}

/// The command an incoming message starts with, with what every command filter needs worked out
/// once per update rather than once per registered command (lowercasing allocates).
struct IncomingCommand: Sendable {
    let command: Command
    let lowercasedName: String
    /// Whether it is addressed to no bot in particular or to this one (see `Command.matches`).
    let isForThisBot: Bool

    init?(text: String, botUsername: String?) {
        // Most messages are not commands; checking the first byte spares them the parse.
        guard text.utf8.first == UInt8(ascii: "/"), let command = Command(parsing: text) else { return nil }
        self.command = command
        self.lowercasedName = command.name.lowercased()
        // The rule of `Command.matches`, without building a set of names for it.
        if let mention = command.mention {
            self.isForThisBot = botUsername.map { mention.lowercased() == $0.lowercased() } ?? false
        } else {
            self.isForThisBot = true
        }
    }
}
