import AsyncHTTPClient
import FerryTesting
import ServiceLifecycle
import TelegramBotAPI
import TelegramClient
import Testing

@Suite("Simulator: lifecycle and observation")
struct LifecycleTests {
    @Test("shutdown ends a pending long poll at once and closes the port; the simulator runs only once")
    func shutdown() async throws {
        let simulator = BotAPISimulator(configuration: unlimited())
        try await simulator.start()
        let baseURL = try #require(simulator.baseURL)
        // A short timeout: a client keeps trying to connect to a closed port until its timeout.
        let client = TelegramClient(token: simulator.token, configuration: .init(baseURL: baseURL, timeout: .seconds(2), retryPolicy: .none))
        do {
            try await using(client) {
                // The longest poll the simulator allows, so that "at once" and "at its timeout" lie far apart.
                async let poll = client.getUpdates(timeout: 50)
                try await simulator.waitUntilBotIsPolling()
                let clock = ContinuousClock()
                let shutdownStarted = clock.now
                await simulator.shutdown()
                _ = try? await poll
                // Well under the poll's 50 s, with room for a busy machine's stalls (10 s was seen exceeded).
                #expect(clock.now - shutdownStarted < .seconds(40), "the poll did not run to its timeout")

                await #expect(throws: TelegramClientError.self) { try await client.getMe() }
                await #expect(throws: SimulatorError.alreadyStarted) { try await simulator.run() }
                await #expect(throws: SimulatorError.alreadyStarted) { try await simulator.start() }
            }
        } catch {
            await simulator.shutdown()
            throw error
        }
    }

    @Test("run() serves as a ServiceLifecycle service and stops on graceful shutdown")
    func asService() async throws {
        let simulator = BotAPISimulator(configuration: unlimited())
        let group = ServiceGroup(configuration: .init(services: [simulator], logger: simulator.configuration.logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                let port = try await simulator.waitForPort()
                let client = TelegramClient(token: simulator.token, configuration: .init(baseURL: "http://127.0.0.1:\(port)", retryPolicy: .none))
                let me = try await using(client) { try await client.getMe() }
                #expect(me == simulator.bot)
            } catch {
                // Stopped gracefully on failure too: leaving the task group would cancel the server,
                // and cancelling a NIO server can trap in debug builds.
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(simulator.port == nil)
    }

    @Test("actions() streams what the bot does; waitForMessages returns replies and gives up in time")
    func observing() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            let hello = try simulator.sendText(from: ada, "hello")
            let actions = simulator.actions()

            _ = try await client.sendChatAction(chatID: .id(ada.id), action: "typing")
            let reply = try await client.sendMessage(chatID: .id(ada.id), text: "hi Ada")

            var iterator = actions.makeAsyncIterator()
            #expect(await iterator.next() == .sentChatAction(chatID: ada.id, action: "typing"))
            #expect(await iterator.next() == .sentMessage(reply))
            #expect(try await simulator.waitForMessages(in: hello.chat, count: 1, after: hello) == [reply])

            await #expect(throws: SimulatorError.self) {
                try await simulator.waitForMessages(in: hello.chat, count: 2, after: hello, timeout: .milliseconds(200))
            }
        }
    }

    @Test("user actions the world does not allow are the test's errors, and leave no trace")
    func refusedUserActions() throws {
        let simulator = BotAPISimulator(configuration: unlimited())
        let ada = simulator.createUser(firstName: "Ada")
        let bob = simulator.createUser(firstName: "Bob")
        let group = try simulator.createGroup(title: "Ada only", members: [ada])
        let ghost = User(id: 1, isBot: false, firstName: "Ghost")

        #expect(throws: SimulatorError.unknownUser(1)) { try simulator.sendText(from: ghost, "boo") }
        #expect(throws: SimulatorError.notAMember(userID: bob.id, chatID: group.id)) { try simulator.sendText(from: bob, in: group, "let me in") }
        let said = try simulator.sendText(from: ada, in: group, "hi")
        #expect(throws: SimulatorError.messageNotFound(chatID: ada.id, messageID: said.messageID)) {
            try simulator.sendText(from: ada, "re", replyingTo: said)
        }
        #expect(simulator.messages(in: try simulator.openPrivateChat(with: ada)).isEmpty)
        #expect(simulator.pendingUpdateCount == 1)
    }

    @Test("the simulator is a BotAPI itself: calls in-process, without HTTP, get the same answers")
    func inProcess() async throws {
        let simulator = BotAPISimulator(configuration: unlimited())
        let ada = simulator.createUser(firstName: "Ada")
        let hello = try simulator.sendText(from: ada, "hello")

        let updates = try await simulator.getUpdates()
        #expect(updates.map(\.message) == [hello])
        let reply = try await simulator.sendMessage(chatID: .id(ada.id), text: "hi", replyParameters: ReplyParameters(messageID: hello.messageID))
        #expect(reply.replyToMessage == hello)
        let photo = try await simulator.sendPhoto(chatID: .id(ada.id), photo: .bytes(PNGImage.solid(width: 4, height: 4), filename: "a.png"))
        #expect(photo.photo?.first?.width == 4)
        await #expect(throws: TelegramAPIError(method: "sendMessage", errorCode: 400, description: "Bad Request: chat not found")) {
            try await simulator.sendMessage(chatID: .id(1), text: "nobody")
        }
    }
}

extension BotAPISimulator {
    /// The port once the server listens; for a simulator run by a service group rather than `start()`.
    /// As long as `start()` allows: a busy test process can leave the server unscheduled for tens of seconds.
    func waitForPort(timeout: Duration = .seconds(120)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        // Looked at once more after the deadline: a busy test process may oversleep it.
        while true {
            if let port { return port }
            guard ContinuousClock.now < deadline else { throw SimulatorError.timedOut(waitingFor: "the server to listen", after: timeout) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

@Suite("Simulator: bounded memory")
struct HistoryLimitTests {
    @Test("beyond the history limit the oldest messages, updates, files and unanswered queries are forgotten")
    func historyLimit() async throws {
        let simulator = BotAPISimulator(configuration: unlimited { $0.historyLimit = 2 })
        let ada = simulator.createUser(firstName: "Ada")
        let chat = try simulator.openPrivateChat(with: ada)
        for text in ["one", "two", "three"] { try simulator.sendText(from: ada, text) }
        #expect(simulator.messages(in: chat).map(\.text) == ["two", "three"])
        #expect(simulator.pendingUpdateCount == 2)
        #expect(try await simulator.getUpdates().map(\.message?.text) == ["two", "three"])

        var documents: [Document] = []
        for number in 1...3 {
            let sent = try await simulator.sendDocument(chatID: .id(ada.id), document: .bytes([UInt8(number)], filename: "\(number).bin"))
            documents.append(try #require(sent.document))
        }
        #expect(simulator.file(id: documents[0].fileID) == nil)
        #expect(simulator.file(id: documents[2].fileID)?.upload.bytes == [3])
        await #expect(throws: TelegramAPIError.self) { try await simulator.sendDocument(chatID: .id(ada.id), document: .fileID(documents[0].fileID)) }

        let forgotten = try simulator.sendInlineQuery("a", from: ada)
        for _ in 1...2 { try simulator.sendInlineQuery("b", from: ada) }
        await #expect(throws: TelegramAPIError.self) { try await simulator.answerInlineQuery(inlineQueryID: forgotten.id, results: []) }
    }
}
