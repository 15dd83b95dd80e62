import FerryTesting
import TelegramBotAPI
import TelegramClient
import Testing

@Suite("Simulator: callback and inline queries")
struct QueryTests {
    @Test("pressing a button sends the bot a callback_query on its message; it can be answered once")
    func callbackQuery() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)
            let keyboard = InlineKeyboardMarkup(inlineKeyboard: [[
                InlineKeyboardButton(text: "Yes", callbackData: "vote:yes"),
                InlineKeyboardButton(text: "No", callbackData: "vote:no"),
            ]])
            let poll = try await client.sendMessage(chatID: .id(ada.id), text: "Coffee?", replyMarkup: .inlineKeyboardMarkup(keyboard))

            let query = try simulator.pressButton("No", on: poll, by: ada)
            let updates = try await client.getUpdates(timeout: 0)
            let received = try #require(updates.last?.callbackQuery)
            #expect(received == query)
            #expect(received.data == "vote:no")
            #expect(received.from == ada)
            guard case .message(let message)? = received.message else {
                Issue.record("the callback query carries the message its keyboard belongs to")
                return
            }
            #expect(message.messageID == poll.messageID)

            #expect(try await client.answerCallbackQuery(callbackQueryID: query.id, text: "Noted"))
            #expect(simulator.actionLog.contains(.answeredCallbackQuery(AnswerCallbackQuery(callbackQueryID: query.id, text: "Noted"))))
            let twice = try await apiError { try await client.answerCallbackQuery(callbackQueryID: query.id) }
            #expect(twice.description == "Bad Request: query is too old and response timeout expired or query ID is invalid")
        }
    }

    @Test("a button press sees the keyboard as edited, and a missing button is the test's error")
    func pressAfterEdit() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)
            let first = InlineKeyboardMarkup(inlineKeyboard: [[InlineKeyboardButton(text: "Next", callbackData: "page:2")]])
            let second = InlineKeyboardMarkup(inlineKeyboard: [[InlineKeyboardButton(text: "Back", callbackData: "page:1")]])
            let menu = try await client.sendMessage(chatID: .id(ada.id), text: "Page 1", replyMarkup: .inlineKeyboardMarkup(first))
            _ = try await client.editMessageText(chatID: .id(ada.id), messageID: menu.messageID, text: "Page 2", replyMarkup: second)

            #expect(throws: SimulatorError.buttonNotFound(chatID: ada.id, messageID: menu.messageID, button: "\"Next\"")) {
                try simulator.pressButton("Next", on: menu, by: ada)
            }
            let query = try simulator.pressButton(withCallbackData: "page:1", on: menu, by: ada)
            guard case .message(let message)? = query.message else { throw SimulatorError.messageNotFound(chatID: ada.id, messageID: menu.messageID) }
            #expect(message.text == "Page 2")
        }
    }

    @Test("an inline query can be answered with results whose ids are unique")
    func inlineQuery() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            let query = try simulator.sendInlineQuery("swift", from: ada)
            let updates = try await client.getUpdates(timeout: 0)
            #expect(updates.map(\.inlineQuery) == [query])

            func article(_ id: String) -> InlineQueryResult {
                .article(InlineQueryResultArticle(id: id, title: "Swift", inputMessageContent: .text(InputTextMessageContent(messageText: "Swift!"))))
            }
            let duplicate = try await apiError { try await client.answerInlineQuery(inlineQueryID: query.id, results: [article("1"), article("1")]) }
            #expect(duplicate.description == "Bad Request: RESULT_ID_DUPLICATE")
            #expect(try await client.answerInlineQuery(inlineQueryID: query.id, results: [article("1"), article("2")]))
            let unknown = try await apiError { try await client.answerInlineQuery(inlineQueryID: "123", results: []) }
            #expect(unknown.errorCode == 400)
            #expect(unknown.description == "Bad Request: query is too old and response timeout expired or query ID is invalid")
        }
    }
}
