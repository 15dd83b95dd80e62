import Ferry
import Logging

/// Brings Telegram's command menus in line with the commands the bot describes, changing only lists that
/// differ: what `serve`, `poll` and `deploy` do before the bot runs. A failure is logged and the command goes
/// on, since the bot answers its commands whether or not the menu lists them.
func publishCommandLists(of bot: Bot, logger: Logger) async {
    guard !bot.commandDescriptions.isEmpty else { return }
    do {
        let changed = try await bot.publishCommandLists()
        if changed.isEmpty {
            logger.info("the bot's command lists are up to date")
        } else {
            let names = changed.map { "\($0.scope.rawValue)/\($0.languageCode ?? "any language")" }
            logger.notice("set the bot's command lists", metadata: ["lists": "\(names.joined(separator: ", "))"])
        }
    } catch {
        logger.warning("could not set the bot's command lists; going on", metadata: ["error": "\(error)"])
    }
}
