import FerryTesting
import TelegramBotAPI
import TelegramClient
import Testing

@Suite("Simulator: fault injection")
struct FaultTests {
    @Test("the next N calls of a method fail as scripted and have no effect; a retrying client gets through")
    func scriptedFailures() async throws {
        let retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(1), maxDelay: .milliseconds(5))
        try await withSimulator(unlimited(), retry: retry) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            let chat = try simulator.openPrivateChat(with: ada)
            simulator.failNext(SendMessage.self, times: 2, with: .internalServerError)

            let sent = try await client.sendMessage(chatID: .id(ada.id), text: "third time lucky")
            #expect(simulator.sentMessages(in: chat) == [sent], "the failed attempts sent nothing")
            #expect(sent.messageID == 1)
        }
    }

    @Test("a scripted error reaches a client that does not retry, with its code and description")
    func scriptedErrorShape() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            simulator.failNext("getMe", with: BotAPIFailure(errorCode: 502, description: "Bad Gateway"))
            simulator.failNext("getme", with: .forbidden("bot was kicked from the group chat"))

            let first = try await apiError { try await client.getMe() }
            #expect(first.errorCode == 502)
            #expect(first.description == "Bad Gateway")
            let second = try await apiError { try await client.getMe() }
            #expect(second.errorCode == 403, "faults of one method, whatever its case, are used in order")
            #expect(second.description == "Forbidden: bot was kicked from the group chat")
            _ = try await client.getMe()
        }
    }

    @Test("a slow answer times the client out although the message was sent, which a retry would duplicate")
    func slowAnswer() async throws {
        // The delay is twelve times the timeout, and the timeout leaves the undelayed calls room on a loaded machine
        // (5 s was seen too short for a getMe while the whole suite ran beside other builds).
        try await withSimulator(unlimited(), timeout: .seconds(15)) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            let chat = try simulator.openPrivateChat(with: ada)
            _ = try await client.getMe()  // connected before the clock matters
            // Far beyond the client's timeout; shutting the simulator down cuts it short.
            simulator.delayNext(SendMessage.self, by: .seconds(180))

            await #expect(throws: TelegramClientError.timeout(method: "sendMessage")) {
                try await client.sendMessage(chatID: .id(ada.id), text: "did it go?")
            }
            #expect(simulator.sentMessages(in: chat).map(\.text) == ["did it go?"])
            _ = try await client.sendMessage(chatID: .id(ada.id), text: "the delay was used up")
        }
    }

    @Test("removeFaults forgets faults not yet used")
    func removal() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            simulator.failNext(GetMe.self, times: 5, with: .internalServerError)
            simulator.removeFaults()
            let me = try await client.getMe()
            #expect(me == simulator.bot)
        }
    }
}
