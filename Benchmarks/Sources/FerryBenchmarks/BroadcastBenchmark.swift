import Ferry
import FerryTesting
import TelegramBotAPI

/// Issue 20's measurement: one message to each of `chats` private chats at once, through the throttle, to the
/// simulator (in process) with Telegram's flood limits on. Prints the 429s met and the time it took next to the
/// least Telegram's 30 messages a second allow. Unthrottled, for comparison, the same broadcast is refused in part.
enum BroadcastBenchmark {
    static func run(chats count: Int) async throws {
        for throttle in [true, false] {
            let simulator = BotAPISimulator(configuration: .init(rateLimits: .telegram, historyLimit: max(10_000, count * 2)))
            let chats = try (1...count).map { try simulator.openPrivateChat(with: simulator.createUser(firstName: "User \($0)")) }
            let api: any BotAPI = throttle ? simulator.throttled() : simulator
            let clock = ContinuousClock()
            let start = clock.now
            let refused = try await withThrowingTaskGroup(of: Int.self) { tasks in
                for chat in chats {
                    tasks.addTask {
                        do {
                            _ = try await api.sendMessage(chatID: .id(chat.id), text: "news")
                            return 0
                        } catch let error as TelegramAPIError where error.isRateLimit {
                            return 1
                        }
                    }
                }
                return try await tasks.reduce(0, +)
            }
            let elapsed = clock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let least = Double(count - 1) / 30
            print(
                "broadcast to \(count) chats, \(throttle ? "throttled" : "unthrottled"): \(refused) refused (429), "
                    + String(format: "%.1f s (Telegram's 30/s allow it in %.1f s at the least)", seconds, least)
            )
        }
    }
}
