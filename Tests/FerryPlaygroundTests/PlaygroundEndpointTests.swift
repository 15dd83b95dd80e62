import FerryTestSupport
import ExampleBots
import Ferry
import FerryRuntime
import Foundation
import Testing
import TelegramBotAPI

/// The playground's HTTP endpoints against the real host on 127.0.0.1: what the page does, without a browser.
@Suite struct PlaygroundEndpointTests {
    /// The playground's world as the page reads it.
    struct World: Decodable {
        struct Entry: Decodable {
            var chat: Chat
            var memberIDs: [Int]
        }

        var bot: User
        var commandName: String
        var users: [User]
        var chats: [Entry]
    }

    struct CreatedUser: Decodable {
        var user: User
        var chat: Chat
    }

    struct Pipeline: Decodable, Equatable {
        var awaitingDelivery: Int
        var queueDepth: Int
        var deadLetters: Int
    }

    struct CallbackAnswer: Decodable {
        var text: String?
        var showAlert: Bool
    }

    static let echo: @Sendable (Bot, any SessionStore) -> Void = { bot, _ in EchoBotExample.register(on: bot) }
    static let showcase: @Sendable (Bot, any SessionStore) -> Void = { bot, sessions in ShowcaseBotExample.register(on: bot, sessions: sessions) }

    func world(_ host: PlaygroundHost) async throws -> World {
        let answer = try await host.get("/playground/api/world")
        #expect(answer.status == 200)
        return try host.decode(World.self, answer.body)
    }

    @Test func aUserWritesAndTheBotsReplyArrivesOnTheEventStream() async throws {
        try await PlaygroundHost.with(register: Self.echo) { host in
            // A newcomer finds someone to be and a chat to write in, without setting anything up.
            let world = try await world(host)
            let ada = try #require(world.users.first)
            let chat = try #require(world.chats.first { $0.chat.id == ada.id }).chat
            #expect(chat.type == "private")
            #expect(world.commandName == "TestBot")

            let events = try await host.openEvents()
            #expect(events.status == 200)
            let sent = try await host.post("messages", json: #"{"chatID":\#(chat.id),"userID":\#(ada.id),"text":"/start"}"#)
            #expect(sent.status == 200)

            let mine = try await events.next("message", as: Message.self) { $0.from?.isBot == false }
            #expect(mine?.text == "/start")
            #expect(mine?.entities?.first?.type == "bot_command")
            let reply = try await events.next("message", as: Message.self) { $0.from?.isBot == true }
            #expect(reply?.text == "Welcome to my bot!")
            #expect(reply?.chat.id == chat.id)

            // A page opened later reads the same conversation from the history.
            let history = try host.decode([Message].self, try await host.get("/playground/api/chats/\(chat.id)/messages").body)
            #expect(history.map(\.text) == ["/start", "Welcome to my bot!"])
        }
    }

    @Test func pressingAButtonReachesTheBotAndItsEditReplacesTheMessage() async throws {
        try await PlaygroundHost.with(register: Self.showcase) { host in
            let ada = try #require(try await world(host).users.first)
            let events = try await host.openEvents()
            try await host.post("messages", json: #"{"chatID":\#(ada.id),"userID":\#(ada.id),"text":"/rate"}"#)
            let question = try #require(try await events.next("message", as: Message.self) { $0.from?.isBot == true })
            #expect(question.text == "How do you like Ferry?")
            let buttons = try #require(question.replyMarkup?.inlineKeyboard.joined())
            let fiveStars = try #require(buttons.first { $0.text == "⭐⭐⭐⭐⭐" }?.callbackData)

            let press = try await host.post(
                "buttons",
                json: #"{"chatID":\#(ada.id),"messageID":\#(question.messageID),"userID":\#(ada.id),"callbackData":\#(try host.quoted(fiveStars))}"#
            )
            #expect(press.status == 200)
            let answer = try await events.next("callbackAnswer", as: CallbackAnswer.self) { _ in true }
            #expect(answer?.text == "Thanks!")
            let edited = try await events.next("edited", as: Message.self) { _ in true }
            #expect(edited?.messageID == question.messageID, "the edit names the message it replaces")
            #expect(edited?.text == "You rated Ferry 5/5. Thank you!")
            #expect(host.simulator.message(question.messageID, in: question.chat)?.text == "You rated Ferry 5/5. Thank you!")

            // A button that is not on the message is refused, and the bot hears nothing of it.
            let forged = try await host.post(
                "buttons", json: #"{"chatID":\#(ada.id),"messageID":\#(question.messageID),"userID":\#(ada.id),"callbackData":"rate:nope"}"#
            )
            #expect(forged.status == 404)
        }
    }

    @Test func createsAUserAndAGroupChatThatTheBotAnswersIn() async throws {
        try await PlaygroundHost.with(register: Self.echo) { host in
            let ada = try #require(try await world(host).users.first)
            let events = try await host.openEvents()
            let created = try await host.post("users", json: #"{"firstName":"  Grace  "}"#)
            #expect(created.status == 200)
            let grace = try host.decode(CreatedUser.self, created.body)
            #expect(grace.user.firstName == "Grace")
            #expect(grace.chat.id == grace.user.id && grace.chat.type == "private", "a new user has a private chat with the bot")
            #expect(try await events.next("world") != nil, "open pages hear that the lists changed")

            let group = try await host.post("groups", json: #"{"title":"Ferry fans","memberIDs":[\#(ada.id),\#(grace.user.id)]}"#)
            #expect(group.status == 200)
            let groupChat = try host.decode(World.Entry.self, group.body).chat
            #expect(groupChat.type == "supergroup" && groupChat.title == "Ferry fans")
            let listed = try #require(try await world(host).chats.first { $0.chat.id == groupChat.id })
            #expect(listed.memberIDs == [ada.id, grace.user.id])

            try await host.post("messages", json: #"{"chatID":\#(groupChat.id),"userID":\#(grace.user.id),"text":"hello all"}"#)
            let reply = try await events.next("message", as: Message.self) { $0.from?.isBot == true }
            #expect(reply?.chat.id == groupChat.id)
            #expect(reply?.text == "You said: hello all")

            // Only members write in a group.
            let stranger = try host.decode(CreatedUser.self, try await host.post("users", json: #"{"firstName":"Linus"}"#).body)
            let refused = try await host.post("messages", json: #"{"chatID":\#(groupChat.id),"userID":\#(stranger.user.id),"text":"hi"}"#)
            #expect(refused.status == 403)
        }
    }

    @Test func thePipelinePanelCountsDeadLetters() async throws {
        let failing: @Sendable (Bot, any SessionStore) -> Void = { bot, _ in
            bot.hears("explode") { _, _ in throw TestFailure("the handler failed on purpose") }
            EchoBotExample.register(on: bot)
        }
        let policy = UpdateProcessor.Policy(maximumAttempts: 2, retryDelay: { _ in .milliseconds(20) })
        try await PlaygroundHost.with(policy: policy, register: failing) { host in
            let ada = try #require(try await world(host).users.first)
            let initial = try host.decode(Pipeline.self, try await host.get("/playground/api/pipeline").body)
            #expect(initial == Pipeline(awaitingDelivery: 0, queueDepth: 0, deadLetters: 0))

            let events = try await host.openEvents()
            try await host.post("messages", json: #"{"chatID":\#(ada.id),"userID":\#(ada.id),"text":"explode"}"#)
            // The bot tells the user, as onDeadLetter does by default, and the panel shows the dead letter.
            let apology = try await events.next("message", as: Message.self) { $0.from?.isBot == true }
            #expect(apology?.text?.hasPrefix("Sorry") == true)
            let figures = try await events.next("pipeline", as: Pipeline.self) { $0.deadLetters == 1 }
            #expect(figures?.queueDepth == 0)
        }
    }

    @Test func refusesWhatItShouldNot() async throws {
        try await PlaygroundHost.with(register: Self.echo) { host in
            let ada = try #require(try await world(host).users.first)
            let tooLong = String(repeating: "a", count: 4097)
            #expect(try await host.post("messages", json: #"{"chatID":\#(ada.id),"userID":\#(ada.id),"text":"\#(tooLong)"}"#).status == 400)
            #expect(try await host.post("messages", json: #"{"chatID":\#(ada.id),"userID":\#(ada.id),"text":"  "}"#).status == 400)
            let huge = #"{"firstName":"\#(String(repeating: "x", count: 20_000))"}"#
            #expect(try await host.post("users", json: huge).status == 413)
            #expect(try await host.post("users", json: #"{"firstName":"Eve"}"#, contentType: "text/plain").status == 415)
            #expect(try await host.post("users", json: #"{"firstName":}"#).status == 400)
            #expect(try await host.post("users", json: #"{"firstName":""}"#).status == 400)
            #expect(try await host.post("groups", json: #"{"title":"Empty","memberIDs":[]}"#).status == 400)
            #expect(try await host.post("groups", json: #"{"title":"Ghosts","memberIDs":[42]}"#).status == 404)
            #expect(try await host.post("messages", json: #"{"chatID":-5,"userID":\#(ada.id),"text":"hi"}"#).status == 404)
            #expect(try await host.get("/playground/api/chats/-5/messages").status == 404)
            // Nothing refused reached the bot.
            #expect(host.simulator.messages(in: try #require(host.simulator.chat(id: ada.id))).isEmpty)
        }
    }

    @Test("answers only at localhost or an IP address, so a rebound DNS name cannot drive it from another site")
    func refusesForeignHostNames() async throws {
        try await PlaygroundHost.with(register: Self.echo) { host in
            let port = host.port
            let direct = try await host.get("/playground").status
            let local = try await host.get("/playground", hostHeader: "localhost:\(port)").status
            #expect(direct == 200 && local == 200)
            let rebound = "attacker.example:\(port)"
            let page = try await host.get("/playground", hostHeader: rebound).status
            let api = try await host.get("/playground/api/world", hostHeader: rebound).status
            #expect(page == 403 && api == 403)
            let usersBefore = host.simulator.users.count
            let created = try await host.post("users", json: #"{"firstName":"Mallory"}"#, hostHeader: rebound).status
            #expect(created == 403)
            #expect(host.simulator.users.count == usersBefore)
        }
    }

    @Test func servesThePageSelfContainedAndSaysItIsASimulation() async throws {
        try await PlaygroundHost.with(register: Self.echo) { host in
            let page = try await host.get("/playground")
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            #expect(page.headers["content-security-policy"]?.contains("default-src 'none'") == true)
            #expect(page.body.contains("This is a simulation"))
            #expect(page.body.contains("TELEGRAM_BOT_TOKEN"))
            // Self-contained: no script, style or image from anywhere else.
            #expect(!page.body.contains("src=\"http"), "no external scripts or images")
            #expect(!page.body.contains("<link"), "no external style sheets")
        }
    }

    @Test func limitsOpenEventStreamsAndEndsThemOnShutdown() async throws {
        try await PlaygroundHost.with(maximumEventStreams: 1, register: Self.echo) { host in
            let first = try await host.openEvents()
            #expect(first.status == 200)
            let second = try await host.openEvents()
            #expect(second.status == 503)

            // SIGTERM's graceful shutdown ends the open stream: the server would wait for it otherwise.
            await host.beginShutdown()
            #expect(try await first.ends())
        }
    }
}
