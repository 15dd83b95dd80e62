import FerryTesting
import TelegramClient
import Testing

/// The throttle against the simulator with Telegram's flood limits on: the measurement of issue 20's
/// broadcast, small enough for a test (Benchmarks/broadcast.sh runs a thousand chats and reports the time).
@Suite("Throttle: flood limits met before sending")
struct ThrottleTests {
    @Test("a broadcast through the throttle meets no 429, while ten in a row to one chat without it meet some")
    func broadcastWithinTheLimits() async throws {
        // The default client configuration of this harness retries nothing: every 429 is thrown and counted.
        try await withSimulator(BotAPISimulator.Configuration(rateLimits: .telegram)) { simulator, client in
            let users = (1...101).map { simulator.createUser(firstName: "User \($0)") }
            let chats = try users.map { try simulator.openPrivateChat(with: $0) }
            let group = try simulator.createGroup(title: "Club", members: Array(users.prefix(3)))
            // The throttle spaces messages as they leave; the simulator counts them as they arrive. On a loaded
            // test machine arrivals bunch up (a stalled task sends several at once), so the test sends at half
            // the limits: what it checks is that the throttle keeps to them, not how close it cuts them.
            var limits = ThrottleLimits.telegram
            limits.margin = 1.0
            let throttled = client.throttled(limits)

            // 60 chats at once, while one chat gets five messages in a row and a group five more:
            // over Telegram's 30 a second overall, 1 a second (after a burst of 3) in a private chat.
            let refusals = try await withThrowingTaskGroup(of: Int.self) { tasks in
                for chat in chats.prefix(60) {
                    tasks.addTask { try await refusedCount { _ = try await throttled.sendMessage(chatID: .id(chat.id), text: "news") } }
                }
                for target in [chats[0], group] {
                    tasks.addTask {
                        var refused = 0
                        for number in 1...5 {
                            refused += try await refusedCount { _ = try await throttled.sendMessage(chatID: .id(target.id), text: "update \(number)") }
                        }
                        return refused
                    }
                }
                return try await tasks.reduce(0, +)
            }
            #expect(refusals == 0)
            let firstChat = simulator.sentMessages(in: chats[0]).compactMap(\.text)
            #expect(firstChat.count == 6)
            #expect(firstChat.filter { $0 != "news" } == (1...5).map { "update \($0)" })
            #expect(simulator.sentMessages(in: group).count == 5)
            #expect(chats.prefix(60).allSatisfy { !simulator.sentMessages(in: $0).isEmpty })

            // Ten in a row to another chat without the throttle: the simulator's limits are on.
            var unthrottled = 0
            for number in 1...10 {
                unthrottled += try await refusedCount { _ = try await client.sendMessage(chatID: .id(chats[100].id), text: "flood \(number)") }
            }
            #expect(unthrottled > 0, "without the throttle, Telegram's limits refuse some")
        }
    }
}

/// 1 when `send` was refused with 429, 0 when it went through; any other failure is thrown.
private func refusedCount(_ send: () async throws -> Void) async throws -> Int {
    do {
        try await send()
        return 0
    } catch let error as TelegramAPIError where error.isRateLimit {
        return 1
    }
}
