public import TelegramBotAPI

/// Where Telegram shows a command in its menu: to everyone, or only in private chats, in groups, or to
/// group administrators. A more specific list replaces a broader one in Telegram's menu, so each list
/// Ferry sets also holds the commands of the broader scopes (private and group chats take the default
/// commands; administrators also take the group ones).
public enum CommandScope: String, Sendable, Hashable, CaseIterable {
    case `default`
    case allPrivateChats
    case allGroupChats
    case allChatAdministrators

    /// The scope as the Bot API names it; `nil` for the default, which needs no parameter.
    public var botCommandScope: BotCommandScope? {
        switch self {
        case .default: nil
        case .allPrivateChats: .allPrivateChats(BotCommandScopeAllPrivateChats())
        case .allGroupChats: .allGroupChats(BotCommandScopeAllGroupChats())
        case .allChatAdministrators: .allChatAdministrators(BotCommandScopeAllChatAdministrators())
        }
    }

    /// This scope and the broader ones whose commands its list also shows.
    var covered: Set<CommandScope> {
        switch self {
        case .default: [.default]
        case .allPrivateChats: [.default, .allPrivateChats]
        case .allGroupChats: [.default, .allGroupChats]
        case .allChatAdministrators: [.default, .allGroupChats, .allChatAdministrators]
        }
    }
}

/// A command as the bot registered it for Telegram's menu: `bot.command("count", description: "Count up") { ... }`.
public struct CommandDescription: Sendable, Hashable {
    /// Without "/": lowercase letters, digits and underscores, 1-32 of them, as Telegram requires.
    public var command: String
    /// 1-256 characters.
    public var description: String
    public var scope: CommandScope
    /// The description in other languages, by two-letter language code (`["de": "Hochzählen"]`).
    public var localized: [String: String]

    public init(command: String, description: String, scope: CommandScope = .default, localized: [String: String] = [:]) {
        self.command = command
        self.description = description
        self.scope = scope
        self.localized = localized
    }
}

/// One of Telegram's command lists: those shown in `scope` to users whose app is in `languageCode`
/// (every other language when `nil`).
public struct CommandList: Sendable, Hashable {
    public var scope: CommandScope
    public var languageCode: String?
    public var commands: [BotCommand]

    public init(scope: CommandScope, languageCode: String?, commands: [BotCommand]) {
        self.scope = scope
        self.languageCode = languageCode
        self.commands = commands
    }

    /// The lists that show `descriptions`: one per scope used (broader scopes' commands included), for no
    /// language in particular and for each language any description is localized to. Ordered by scope, then
    /// language; commands in registration order, a command described twice taking its most specific scope's text.
    public static func lists(for descriptions: [CommandDescription]) -> [CommandList] {
        let scopes = CommandScope.allCases.filter { scope in descriptions.contains { $0.scope == scope } }
        let languages = Set(descriptions.flatMap(\.localized.keys)).sorted()
        return scopes.flatMap { scope in
            let shown = shownCommands(descriptions, in: scope)
            return ([nil] + languages).map { language in
                CommandList(scope: scope, languageCode: language, commands: shown.map { description in
                    BotCommand(command: description.command, description: language.flatMap { description.localized[$0] } ?? description.description)
                })
            }
        }
    }

    /// The descriptions a list for `scope` shows, each command once.
    private static func shownCommands(_ descriptions: [CommandDescription], in scope: CommandScope) -> [CommandDescription] {
        let covered = descriptions.filter { scope.covered.contains($0.scope) }
        var chosen: [String: CommandDescription] = [:]
        for description in covered {
            // The more scopes a scope's list covers, the more specific it is.
            if let earlier = chosen[description.command], earlier.scope.covered.count > description.scope.covered.count { continue }
            chosen[description.command] = description
        }
        var seen: Set<String> = []
        return covered.compactMap { description in
            seen.insert(description.command).inserted ? chosen[description.command] : nil
        }
    }
}

/// Middleware that contributes commands to the bot's menu. ``Composer`` gathers them from what is
/// registered on it, as it gathers update kinds.
public protocol DescribesCommands {
    var commandDescriptions: [CommandDescription] { get }
}
