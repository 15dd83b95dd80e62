import FerryTesting
import TelegramBotAPI
import TelegramClient
import Testing

@Suite("Simulator: getUpdates")
struct UpdatesTests {
    @Test("a long poll waits, and wakes as soon as a user writes")
    func longPollWakes() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            // The longest poll the simulator allows, so that "on the message" and "at its timeout" lie far apart.
            async let polled = client.getUpdates(timeout: 50)
            try await simulator.waitUntilBotIsPolling()
            let clock = ContinuousClock()
            let written = clock.now
            let hello = try simulator.sendText(from: ada, "hello")

            let updates = try await polled
            #expect(updates.map(\.message) == [hello])
            #expect(clock.now - written < .seconds(10), "the poll returned on the message, not at its timeout")
        }
    }

    @Test("a long poll with nothing to receive answers [] at its timeout")
    func longPollTimesOut() async throws {
        try await withSimulator(unlimited()) { _, client in
            let updates = try await client.getUpdates(timeout: 1)
            #expect(updates.isEmpty)
        }
    }

    @Test("update ids increase; an offset confirms earlier updates; limit and negative offsets work")
    func offsetsAndLimits() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            for text in ["one", "two", "three", "four"] { try simulator.sendText(from: ada, text) }

            let firstTwo = try await client.getUpdates(limit: 2)
            #expect(firstTwo.map(\.message?.text) == ["one", "two"])
            let ids = firstTwo.map(\.updateID)
            #expect(ids[1] == ids[0] + 1)
            #expect(try await client.getUpdates(limit: 2).map(\.updateID) == ids, "unconfirmed updates come again")

            let rest = try await client.getUpdates(offset: ids[1] + 1)
            #expect(rest.map(\.message?.text) == ["three", "four"])
            #expect(simulator.pendingUpdateCount == 2)

            try simulator.sendText(from: ada, "five")
            let newest = try await client.getUpdates(offset: -1)
            #expect(newest.map(\.message?.text) == ["five"], "a negative offset keeps only the newest updates")
            _ = try await client.getUpdates(offset: newest[0].updateID + 1)
            #expect(simulator.pendingUpdateCount == 0)
        }
    }

    @Test("allowed_updates decides which updates are queued at all")
    func allowedUpdates() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            _ = try await client.getUpdates(allowedUpdates: ["callback_query"])
            try simulator.sendText(from: ada, "ignored")
            #expect(simulator.pendingUpdateCount == 0)

            _ = try await client.getUpdates(allowedUpdates: [])
            try simulator.sendText(from: ada, "seen")
            #expect(try await client.getUpdates().map(\.message?.text) == ["seen"])
        }
    }

    @Test("a second getUpdates ends the first with 409, as a second bot instance would")
    func concurrentPolls() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            async let first = apiError { try await client.getUpdates(timeout: 20) }
            try await simulator.waitUntilBotIsPolling()
            async let second = client.getUpdates(timeout: 1)

            let error = try await first
            #expect(error.errorCode == 409)
            #expect(error.description == "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running")
            #expect(try await second.isEmpty)
        }
    }

    @Test("in groups with privacy mode on, the bot receives only commands, replies to it and mentions")
    func groupPrivacy() async throws {
        try await withSimulator(unlimited { $0.groupPrivacy = true }) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            let group = try simulator.createGroup(title: "Team", members: [ada])
            try simulator.sendText(from: ada, in: group, "just chatting")
            try simulator.sendCommand("stats", from: ada, in: group)
            try simulator.sendText(from: ada, in: group, "hey @FerryTestBot")

            let texts = try await client.getUpdates().map(\.message?.text)
            #expect(texts == ["/stats@FerryTestBot", "hey @FerryTestBot"])
            #expect(try await client.getMe().canReadAllGroupMessages == false)
        }
    }

    @Test("commands carry bot_command entities, measured in UTF-16")
    func commandEntities() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.sendCommand("start", payload: "ref-42", from: ada)
            try simulator.sendText(from: ada, "😀 /help now")

            let messages = try await client.getUpdates().compactMap(\.message)
            #expect(messages[0].text == "/start ref-42")
            #expect(messages[0].entities == [MessageEntity(type: "bot_command", offset: 0, length: 6)])
            #expect(messages[1].entities == [MessageEntity(type: "bot_command", offset: 3, length: 5)])
        }
    }
}
