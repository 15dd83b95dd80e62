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
        guard text.hasPrefix("/") else { return nil }
        let afterSlash = text.dropFirst()
        let head = afterSlash.prefix { !$0.isWhitespace }
        let parts = head.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false)
        guard let name = parts.first, !name.isEmpty else { return nil }
        self.name = String(name)
        self.mention = parts.count > 1 ? String(parts[1]) : nil
        self.arguments = String(afterSlash.dropFirst(head.count).drop { $0.isWhitespace })
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
        return Filter { ctx in
            guard let text = ctx.incomingMessage?.text, let command = Command(parsing: text),
                  command.matches(names, botUsername: ctx.botUsername)
            else { return nil }
            return command
        }
    }
}
