import TelegramBotAPI

extension Bot {
    /// Telegram's command lists for the commands registered with a description
    /// (`bot.command("count", description: "Count up") { ... }`), anywhere in the bot's composers.
    public var commandLists: [CommandList] {
        CommandList.lists(for: commandDescriptions)
    }

    /// Makes Telegram's command menus show the registered commands: asks for each list (`getMyCommands`) and
    /// sets only those that differ (`setMyCommands`), so a restart with the same commands changes nothing.
    /// A scope or language the bot has no commands for any more is emptied (`deleteMyCommands`). A bot
    /// that describes no command leaves every list alone, such as one set in @BotFather.
    /// `serve`, `poll` and `deploy` call it as they start.
    /// - Returns: the lists it set or emptied.
    @discardableResult
    public func publishCommandLists() async throws -> [CommandList] {
        let wanted = commandLists
        guard !wanted.isEmpty else { return [] }
        let languages: [String?] = [nil] + Set(wanted.compactMap(\.languageCode)).sorted()
        var changed: [CommandList] = []
        for scope in CommandScope.allCases {
            for language in languages {
                let list = wanted.first { $0.scope == scope && $0.languageCode == language }
                    ?? CommandList(scope: scope, languageCode: language, commands: [])
                let current = try await api.send(GetMyCommands(scope: scope.botCommandScope, languageCode: language))
                guard current != list.commands else { continue }
                if list.commands.isEmpty {
                    _ = try await api.send(DeleteMyCommands(scope: scope.botCommandScope, languageCode: language))
                } else {
                    _ = try await api.send(SetMyCommands(commands: list.commands, scope: scope.botCommandScope, languageCode: language))
                }
                changed.append(list)
            }
        }
        return changed
    }
}
