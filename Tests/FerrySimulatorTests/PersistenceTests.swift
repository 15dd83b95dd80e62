import FerryTesting
import Foundation
import TelegramBotAPI
import TelegramClient
import Testing

/// A simulator with a world file continues where the previous one stopped: what the playground's restart needs.
@Suite("Simulator: the world kept in a file")
struct PersistenceTests {
    @Test("a restarted simulator has the same users, chats, messages and pending updates, and never repeats an id")
    func restartContinues() async throws {
        let file = worldFile()
        let (ada, chat, pendingID) = try await withSimulator(unlimited { $0.worldFile = file }) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            let hello = try simulator.sendText(from: ada, "hello")
            let received = try await client.getUpdates()
            #expect(received.map(\.updateID) == [1])
            _ = try await client.sendMessage(chatID: .id(hello.chat.id), text: "hi Ada")
            // Confirms update 1; the next one stays pending over the restart.
            _ = try await client.getUpdates(offset: 2, timeout: 0)
            _ = try simulator.sendText(from: ada, "are you there?")
            return (ada, hello.chat, 2)
        }

        try await withSimulator(unlimited { $0.worldFile = file }) { simulator, client in
            #expect(simulator.users.map(\.id) == [ada.id])
            #expect(simulator.messages(in: chat).map(\.text) == ["hello", "hi Ada", "are you there?"])
            // The update written before the restart is delivered after it, under its own id.
            let pending = try await client.getUpdates(timeout: 0)
            #expect(pending.map(\.updateID) == [pendingID])
            #expect(pending.first?.message?.text == "are you there?")

            let next = try simulator.sendText(from: ada, "still here")
            #expect(next.messageID == 4, "message ids continue in the chat")
            let after = try await client.getUpdates(offset: pendingID + 1, timeout: 0)
            #expect(after.map(\.updateID) == [pendingID + 1], "update ids continue")
            let newUser = simulator.createUser(firstName: "Grace")
            #expect(newUser.id != ada.id)
        }
    }

    @Test("update ids start above firstUpdateID, what the bot's storage has already seen")
    func firstUpdateIDIsAFloor() async throws {
        let file = worldFile()
        try await withSimulator(unlimited { $0.worldFile = file }) { simulator, _ in
            _ = try simulator.sendText(from: simulator.createUser(firstName: "Ada"), "one")
        }
        // The world says the next id is 2, the bot's queue has seen up to 40: 41 it is.
        try await withSimulator(unlimited { $0.worldFile = file; $0.firstUpdateID = 41 }) { simulator, client in
            let ada = try #require(simulator.users.first)
            _ = try simulator.sendText(from: ada, "two")
            let updates = try await client.getUpdates(timeout: 0)
            #expect(updates.map(\.updateID) == [1, 41])
        }
    }

    @Test("a world file that does not read fails the start with what to do, and is left as it was")
    func unreadableFile() async throws {
        let file = worldFile()
        try Data("not a world".utf8).write(to: URL(fileURLWithPath: file))
        let simulator = BotAPISimulator(configuration: unlimited { $0.worldFile = file })
        do {
            try await simulator.start()
            await simulator.shutdown()
            Issue.record("the simulator started over a file it cannot read")
        } catch {
            #expect("\(error)".contains(file))
            #expect("\(error)".contains("Move that file away"))
        }
        await simulator.shutdown()
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "not a world")
    }

    @Test("the saved bot's id can be read before starting, so the next run's token names the same bot")
    func savedBotID() async throws {
        let file = worldFile()
        #expect(try BotAPISimulator.savedBotID(inWorldFile: file) == nil)
        let bot = try await withSimulator(unlimited { $0.worldFile = file }) { simulator, _ in simulator.bot }
        #expect(try BotAPISimulator.savedBotID(inWorldFile: file) == bot.id)
    }

    private func worldFile() -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-world-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("world.json").path
    }
}
