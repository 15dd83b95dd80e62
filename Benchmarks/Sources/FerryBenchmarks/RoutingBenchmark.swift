import Ferry
import FerryTesting
import Synchronization
import TelegramBotAPI

/// A bot shaped like a mid-sized real one: 50 handlers of the kinds bots register most
/// (20 commands, 10 exact texts, 10 button presses, 10 content filters), none calling the Bot API,
/// so what is measured is the router alone.
struct RoutingBenchmark {
    let bot: Bot
    /// Taken by the last handler registered: every other handler's filter runs first.
    let lastMatches: Update
    /// A command no handler knows, so every command filter parses it and everything else looks too.
    let noneMatch: Update
    /// How many updates the last handler took; lets the benchmark check it measures what it claims.
    let lastHandlerRuns = RunCounter()

    init() {
        bot = Bot(api: BotAPIRecorder(), username: "TestBot")
        for index in 0..<20 {
            bot.command("command\(index)") { _, _ in }
        }
        for index in 0..<10 {
            bot.hears("text \(index)") { _, _ in }
        }
        for index in 0..<10 {
            bot.callbackQuery(data: "button-\(index)") { _, _ in }
        }
        bot.on(.photo) { _, _ in }
        bot.on(.document) { _, _ in }
        bot.on(.voice) { _, _ in }
        bot.on(.sticker) { _, _ in }
        bot.on(.location) { _, _ in }
        bot.on(.contact) { _, _ in }
        bot.on(.editedMessage) { _, _ in }
        bot.on(.inlineQuery) { _, _ in }
        bot.on(Filter.text.and(.chatType(.supergroup))) { _, _ in }
        let runs = lastHandlerRuns
        bot.on(Filter.text.and(.chatType(.private)).where { $0.hasPrefix("ping") }) { _, _ in
            runs.count.add(1, ordering: .relaxed)
        }
        lastMatches = UpdateFactory.message(text: "ping")
        noneMatch = UpdateFactory.message(text: "/unknown@TestBot argument")
    }

    /// Handles `update` `times` times. Nonisolated, so the loop runs where `Bot.handle` does: called
    /// from the main actor, every update would pay two executor hops that a real runtime does not.
    func route(_ update: Update, times: Int) async throws {
        for _ in 0..<times { try await bot.handle(update) }
    }
}

final class RunCounter: Sendable {
    let count = Atomic<Int>(0)
}
