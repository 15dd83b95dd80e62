import ExampleBots
import Ferry
import FerryTesting
import TelegramBotAPI
import Testing

/// The showcase bot over a session store that outlives it, as a process restart would see it.
struct Showcase {
    let api = BotAPIRecorder()
    let bot: Bot
    let chat = UpdateFactory.user.id

    init(sessions: InMemorySessionStore) {
        bot = Bot(api: api, username: "ShowcaseTestBot")
        ShowcaseBotExample.register(on: bot, sessions: sessions)
    }

    func send(_ text: String) async throws {
        try await bot.handle(UpdateFactory.message(text: text))
    }

    /// Presses the button labelled `label` on the last message the bot sent or edited; returns the
    /// callback query's id and the message's id, which the answer and the edit must name.
    @discardableResult
    func press(_ label: String) async throws -> (queryID: String, messageID: Int) {
        let message = try #require(api.sentMessages.last)
        let update = try UpdateFactory.callbackQuery(pressing: label, on: message)
        try await bot.handle(update)
        return (try #require(update.callbackQuery?.id), message.messageID)
    }

    func sendMessage(_ text: String, keyboard: [[(String, String)]]? = nil) -> RecordedCall {
        var parameters: [String: JSONValue] = ["chat_id": .integer(chat), "text": .string(text)]
        parameters["reply_markup"] = keyboard.map(Self.inlineKeyboard)
        return RecordedCall(method: "sendMessage", parameters: parameters)
    }

    func answer(_ queryID: String, text: String? = nil) -> RecordedCall {
        var parameters: [String: JSONValue] = ["callback_query_id": .string(queryID)]
        parameters["text"] = text.map(JSONValue.string)
        return RecordedCall(method: "answerCallbackQuery", parameters: parameters)
    }

    func edit(_ messageID: Int, _ text: String, keyboard: [[(String, String)]]? = nil) -> RecordedCall {
        var parameters: [String: JSONValue] = ["chat_id": .integer(chat), "message_id": .integer(messageID), "text": .string(text)]
        parameters["reply_markup"] = keyboard.map(Self.inlineKeyboard)
        return RecordedCall(method: "editMessageText", parameters: parameters)
    }

    /// `[[(label, callback data)]]` as the Bot API receives it.
    static func inlineKeyboard(_ rows: [[(String, String)]]) -> JSONValue {
        ["inline_keyboard": .array(rows.map { row in
            .array(row.map { label, data in ["text": .string(label), "callback_data": .string(data)] })
        })]
    }
}

@Suite struct ShowcaseBotExampleTests {
    static let counterKeyboard = [
        [("-1", #"count:"decrement""#), ("+1", #"count:"increment""#)],
        [("Reset", #"count:"reset""#)],
    ]
    static let confirmKeyboard = [[("Yes", #"survey:{"yes":true}"#), ("No", #"survey:{"yes":false}"#)]]

    @Test func startListsWhatItCanDo() async throws {
        let showcase = Showcase(sessions: InMemorySessionStore())
        try await showcase.send("/start")
        #expect(showcase.api.takeCalls() == [showcase.sendMessage("""
            Hi! I'm the Ferry showcase bot. Try:
            /rate - rate Ferry with inline buttons
            /count - a counter kept in your chat's session
            /survey - a short conversation (/cancel stops it)
            /whoami - your name and id, formatted
            /lang - the language I speak with you
            /settings - an inline menu with a submenu
            Send me a text file and I'll count its lines,
            or several photos at once and I'll count them.
            """)])
    }

    @Test func ratingButtonsCarryTypedDataAndForgedDataIsRefused() async throws {
        let showcase = Showcase(sessions: InMemorySessionStore())
        try await showcase.send("/rate")
        #expect(showcase.api.takeCalls() == [showcase.sendMessage("How do you like Ferry?", keyboard: [
            [("⭐", #"rate:{"stars":1}"#), ("⭐⭐", #"rate:{"stars":2}"#), ("⭐⭐⭐", #"rate:{"stars":3}"#)],
            [("⭐⭐⭐⭐", #"rate:{"stars":4}"#), ("⭐⭐⭐⭐⭐", #"rate:{"stars":5}"#)],
        ])])

        let (queryID, messageID) = try await showcase.press("⭐⭐⭐⭐")
        #expect(showcase.api.takeCalls() == [
            showcase.answer(queryID, text: "Thanks!"),
            showcase.edit(messageID, "You rated Ferry 4/5. Thank you!"),
        ])

        let forged = UpdateFactory.callbackQuery(data: #"rate:{"stars":500}"#)
        try await showcase.bot.handle(forged)
        #expect(showcase.api.takeCalls() == [showcase.answer(try #require(forged.callbackQuery?.id), text: "That is not a rating.")])
    }

    @Test func counterButtonsEditTheMessageAndTheCountOutlivesTheBot() async throws {
        let sessions = InMemorySessionStore()
        let showcase = Showcase(sessions: sessions)
        try await showcase.send("/count")
        #expect(showcase.api.takeCalls() == [showcase.sendMessage("Count: 0", keyboard: Self.counterKeyboard)])

        for (label, count) in [("+1", 1), ("+1", 2), ("-1", 1)] {
            let (queryID, messageID) = try await showcase.press(label)
            #expect(showcase.api.takeCalls() == [
                showcase.answer(queryID),
                showcase.edit(messageID, "Count: \(count)", keyboard: Self.counterKeyboard),
            ])
        }
        #expect(sessions.keys == ["\(showcase.chat)"])

        // A new bot over the same store still counts from 1.
        let restarted = Showcase(sessions: sessions)
        try await restarted.send("/count")
        #expect(restarted.api.takeCalls() == [restarted.sendMessage("Count: 1", keyboard: Self.counterKeyboard)])
        let (queryID, messageID) = try await restarted.press("Reset")
        #expect(restarted.api.takeCalls() == [restarted.answer(queryID), restarted.edit(messageID, "Count: 0", keyboard: Self.counterKeyboard)])
        // Resetting zero changes nothing, and Telegram refuses an edit that changes nothing: only the answer.
        let (again, _) = try await restarted.press("Reset")
        #expect(restarted.api.takeCalls() == [restarted.answer(again)])
    }

    @Test func surveyAsksValidatesConfirmsAndContinuesAfterARestart() async throws {
        let sessions = InMemorySessionStore()
        let showcase = Showcase(sessions: sessions)
        let api = showcase.api

        try await showcase.send("/survey")
        #expect(api.takeCalls() == [showcase.sendMessage("What is your name?")])
        try await showcase.bot.handle(UpdateFactory.photo())
        #expect(api.takeCalls() == [showcase.sendMessage("Please send your name as text (up to 64 characters), or /cancel to stop.")])
        try await showcase.send("Ada")
        #expect(api.takeCalls() == [showcase.sendMessage("Nice to meet you, Ada! How old are you?")])
        for bad in ["thirty-six", "0", "/start"] {
            try await showcase.send(bad)
            #expect(api.takeCalls() == [showcase.sendMessage("Please send your age as a whole number from 1 to 120, or /cancel to stop.")])
        }
        try await showcase.send("36")
        #expect(api.takeCalls() == [showcase.sendMessage("Ada, 36. Is that right?", keyboard: Self.confirmKeyboard)])

        let (noID, noMessage) = try await showcase.press("No")
        #expect(api.takeCalls() == [showcase.answer(noID), showcase.edit(noMessage, "Let's start over. What is your name?")])
        try await showcase.send("Grace")
        try await showcase.send("41")
        #expect(api.takeCalls().map { $0["text"] } == ["Nice to meet you, Grace! How old are you?", "Grace, 41. Is that right?"])
        let confirmation = try #require(api.sentMessages.last)

        // The process restarts: a new bot over the same store takes the press on the old message.
        let restarted = Showcase(sessions: sessions)
        let yes = try UpdateFactory.callbackQuery(pressing: "Yes", on: confirmation)
        try await restarted.bot.handle(yes)
        #expect(restarted.api.takeCalls() == [
            restarted.answer(try #require(yes.callbackQuery?.id)),
            restarted.edit(confirmation.messageID, "Thanks, Grace! You are 41. Survey complete."),
        ])
        // Done: the conversation's state is deleted, and the bot is back to its ordinary handlers.
        #expect(sessions.keys.isEmpty)
        try await restarted.send("/rate")
        #expect(restarted.api.takeCalls().map(\.method) == ["sendMessage"])
    }

    @Test func surveyLetsOtherButtonsThroughAndCancels() async throws {
        let showcase = Showcase(sessions: InMemorySessionStore())
        let api = showcase.api
        try await showcase.send("/count")
        let counter = try #require(api.sentMessages.last)
        try await showcase.send("/survey")
        _ = api.takeCalls()

        // The counter's button is not the survey's: it passes it on to the counter.
        let press = try UpdateFactory.callbackQuery(pressing: "+1", on: counter)
        try await showcase.bot.handle(press)
        #expect(api.takeCalls() == [
            showcase.answer(try #require(press.callbackQuery?.id)),
            showcase.edit(counter.messageID, "Count: 1", keyboard: Self.counterKeyboard),
        ])

        try await showcase.send("/cancel")
        #expect(api.takeCalls() == [showcase.sendMessage("Survey cancelled.")])
        // Out of the survey, text is no one's business: the showcase has no text handler.
        try await showcase.send("Ada")
        #expect(api.takeCalls().isEmpty)
    }

    @Test func aFailedReplyLeavesTheSurveyWhereItWas() async throws {
        let showcase = Showcase(sessions: InMemorySessionStore())
        try await showcase.send("/survey")
        showcase.api.fail(SendMessage.self, errorCode: 429, description: "Too Many Requests: retry after 3", retryAfter: 3)
        await #expect(throws: TelegramAPIError(method: "sendMessage", errorCode: 429, description: "Too Many Requests: retry after 3", retryAfter: 3)) {
            try await showcase.send("Ada")
        }
        // The runtime would retry the same update; it is still the name step's.
        try await showcase.send("Ada")
        #expect(showcase.api.sentTexts.last == "Nice to meet you, Ada! How old are you?")
    }

    @Test func whoamiFormatsTheNameWithEntitiesSoMarkupInItArrivesAsTyped() async throws {
        let showcase = Showcase(sessions: InMemorySessionStore())
        let user = User(id: 77, isBot: false, firstName: "<b>Eve</b>", lastName: "*_*", languageCode: "de")
        try await showcase.bot.handle(UpdateFactory.message(text: "/whoami", from: user))
        let sent = try #require(try showcase.api.calls(of: SendMessage.self).first)
        #expect(sent.text == "You are <b>Eve</b> *_*, id 77, language de.")
        #expect(sent.parseMode == nil)
        #expect(sent.entities == [
            MessageEntity(type: "bold", offset: 8, length: 14),
            MessageEntity(type: "code", offset: 27, length: 2),
            MessageEntity(type: "italic", offset: 40, length: 2),
        ])
    }

    @Test func langSpeaksTheAppsLanguageUntilTheUserChoosesAndKeepsTheChoice() async throws {
        let sessions = InMemorySessionStore()
        let showcase = Showcase(sessions: sessions)
        try await showcase.send("/lang")
        try await showcase.send("/lang ru")
        try await showcase.send("/lang")
        try await showcase.send("/lang xx")
        #expect(showcase.api.sentTexts == [
            "I speak English with you.\n3 languages to choose from: de, en, ru",
            "Теперь я говорю с тобой по-русски.",
            "Я говорю с тобой на языке: русский.\n3 языка на выбор: de, en, ru",
            "Я не говорю на «xx». Выбери: de, en, ru",
        ])
        // The choice outlives the bot; a German app gets German, and English where German lacks a message.
        let restarted = Showcase(sessions: sessions)
        try await restarted.send("/lang")
        let hans = User(id: 31, isBot: false, firstName: "Hans", languageCode: "de")
        try await restarted.bot.handle(UpdateFactory.message(text: "/lang", from: hans))
        try await restarted.bot.handle(UpdateFactory.message(text: "/lang xx", from: hans))
        #expect(restarted.api.sentTexts == [
            "Я говорю с тобой на языке: русский.\n3 языка на выбор: de, en, ru",
            "Ich spreche Deutsch mit dir.\n3 Sprachen zur Wahl: de, en, ru",
            "I don't speak \"xx\". Choose one of: de, en, ru",
        ])
    }

    @Test func settingsMenuOpensTheLanguageSubmenuMarksTheChoiceAndGoesBack() async throws {
        let showcase = Showcase(sessions: InMemorySessionStore())
        func labels() throws -> [[String]] {
            try #require(showcase.api.sentMessages.last?.replyMarkup).inlineKeyboard.map { $0.map(\.text) }
        }
        try await showcase.send("/settings")
        #expect(try labels() == [["👋 Ada"], ["🌐 English"]])
        try await showcase.press("🌐 English")
        #expect(try labels() == [["de", "✓ en", "ru"], ["« Back"]])
        try await showcase.press("ru")
        #expect(try labels() == [["de", "en", "✓ ru"], ["« Back"]])
        #expect(try showcase.api.calls(of: AnswerCallbackQuery.self).last?.text == "Теперь я говорю с тобой по-русски.")
        try await showcase.press("« Back")
        #expect(try labels() == [["👋 Ada"], ["🌐 русский"]])
        #expect(showcase.api.calls(to: "editMessageReplyMarkup").count == 3, "one message, edited in place")
    }

    @Test func aDocumentIsDownloadedAndItsLinesCounted() async throws {
        // The simulator in process: it serves files the bot uploaded, so one stands in for a user's document.
        let simulator = BotAPISimulator(configuration: .init(rateLimits: .off))
        let ada = simulator.createUser(firstName: "Ada")
        let chat = try simulator.openPrivateChat(with: ada)
        let uploaded = try await simulator.sendDocument(chatID: .id(chat.id), document: .bytes(Array("one\ntwo\nthree\n".utf8), filename: "notes.txt"))
        let document = try #require(uploaded.document)
        let bot = Bot(api: simulator, username: "ShowcaseTestBot")
        ShowcaseBotExample.register(on: bot, sessions: InMemorySessionStore())
        try await bot.handle(UpdateFactory.message(chatID: chat.id, from: ada) { $0.document = document })
        #expect(simulator.sentMessages(in: chat).last?.text == "notes.txt: 14 bytes, 3 lines.")
    }

    @Test func anAlbumIsAnsweredOnceBeforeTheNextMessage() async throws {
        let sessions = InMemorySessionStore()
        let showcase = Showcase(sessions: sessions)
        for item in UpdateFactory.album(photos: 3, caption: "Trip") { try await showcase.bot.handle(item) }
        // Handed over by the quiet timer or by the next message, whichever comes first: before that message either way.
        try await showcase.send("/start")
        #expect(showcase.api.sentTexts == ["Got an album of 3 photos: \"Trip\".", ShowcaseBotExample.welcome])
        #expect(!sessions.keys.contains { $0.hasPrefix("album:") })
    }
}
