import FerryTesting
import TelegramBotAPI
import TelegramClient
import Testing

@Suite("Simulator: message methods through TelegramClient")
struct MessageMethodTests {
    @Test("getMe describes the bot of the token")
    func getMe() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let me = try await client.getMe()
            #expect(me.id == 5_550_001_111)
            #expect(me.isBot)
            #expect(me.username == "FerryTestBot")
            #expect(me == simulator.bot)
        }
    }

    @Test("sendMessage answers the Message with chat, sender, keyboard and the message it replies to")
    func sendMessageShape() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada", username: "ada")
            let question = try simulator.sendText(from: ada, "what now?")
            let keyboard = InlineKeyboardMarkup(inlineKeyboard: [[
                InlineKeyboardButton(text: "Yes", callbackData: "answer:yes"),
                InlineKeyboardButton(text: "Docs", url: "https://core.telegram.org/bots/api"),
            ]])

            let sent = try await client.sendMessage(
                chatID: .id(ada.id),
                text: "Shall we?",
                replyParameters: ReplyParameters(messageID: question.messageID),
                replyMarkup: .inlineKeyboardMarkup(keyboard)
            )

            #expect(sent.chat.id == ada.id)
            #expect(sent.chat.type == "private")
            #expect(sent.chat.firstName == "Ada")
            #expect(sent.from == simulator.bot)
            #expect(sent.text == "Shall we?")
            #expect(sent.replyMarkup == keyboard)
            #expect(sent.replyToMessage?.messageID == question.messageID)
            #expect(sent.replyToMessage?.text == "what now?")
            #expect(sent.messageID == question.messageID + 1, "message ids count up per chat, users' and bot's alike")
            #expect(simulator.sentMessages(in: sent.chat) == [sent])
        }
    }

    @Test("message ids are per chat, and a reply to a missing message fails unless allowed")
    func messageIDsPerChat() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            let bob = simulator.createUser(firstName: "Bob")
            try simulator.openPrivateChat(with: ada)
            try simulator.openPrivateChat(with: bob)

            let first = try await client.sendMessage(chatID: .id(ada.id), text: "one")
            let second = try await client.sendMessage(chatID: .id(ada.id), text: "two")
            let other = try await client.sendMessage(chatID: .id(bob.id), text: "one")
            #expect(first.messageID == 1)
            #expect(second.messageID == 2)
            #expect(other.messageID == 1)

            let error = try await apiError {
                try await client.sendMessage(chatID: .id(ada.id), text: "re", replyParameters: ReplyParameters(messageID: 99))
            }
            #expect(error.errorCode == 400)
            #expect(error.description == "Bad Request: message to be replied not found")
            let unthreaded = try await client.sendMessage(
                chatID: .id(ada.id), text: "re", replyParameters: ReplyParameters(messageID: 99, allowSendingWithoutReply: true)
            )
            #expect(unthreaded.replyToMessage == nil)
        }
    }

    @Test("sendMessage refuses empty and overlong texts and bad callback data")
    func sendMessageValidation() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)

            let empty = try await apiError { try await client.sendMessage(chatID: .id(ada.id), text: "  ") }
            #expect(empty.description == "Bad Request: message text is empty")
            let long = try await apiError { try await client.sendMessage(chatID: .id(ada.id), text: String(repeating: "a", count: 4097)) }
            #expect(long.description == "Bad Request: message is too long")
            let tooMuchData = InlineKeyboardMarkup(inlineKeyboard: [[InlineKeyboardButton(text: "x", callbackData: String(repeating: "d", count: 65))]])
            let data = try await apiError {
                try await client.sendMessage(chatID: .id(ada.id), text: "hi", replyMarkup: .inlineKeyboardMarkup(tooMuchData))
            }
            #expect(data.description == "Bad Request: BUTTON_DATA_INVALID")
            #expect(simulator.sentMessages(in: try simulator.openPrivateChat(with: ada)).isEmpty, "refused calls send nothing")
        }
    }

    @Test("editMessageText edits the bot's message and refuses what Telegram refuses")
    func editMessageText() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            let hello = try simulator.sendText(from: ada, "hello")
            let sent = try await client.sendMessage(chatID: .id(ada.id), text: "Working...")

            let edited = try #require(try await client.editMessageText(chatID: .id(ada.id), messageID: sent.messageID, text: "Done").message)
            #expect(edited.messageID == sent.messageID)
            #expect(edited.text == "Done")
            #expect(edited.editDate != nil)
            #expect(simulator.messages(in: sent.chat).last?.text == "Done")
            #expect(simulator.actionLog.last == .editedMessage(edited))

            let unchanged = try await apiError { try await client.editMessageText(chatID: .id(ada.id), messageID: sent.messageID, text: "Done") }
            #expect(unchanged.description.hasPrefix("Bad Request: message is not modified"))
            let usersMessage = try await apiError { try await client.editMessageText(chatID: .id(ada.id), messageID: hello.messageID, text: "x") }
            #expect(usersMessage.description == "Bad Request: message can't be edited")
            let missing = try await apiError { try await client.editMessageText(chatID: .id(ada.id), messageID: 404, text: "x") }
            #expect(missing.description == "Bad Request: message to edit not found")
        }
    }

    @Test("deleteMessage removes a message once")
    func deleteMessage() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)
            let sent = try await client.sendMessage(chatID: .id(ada.id), text: "temporary")

            #expect(try await client.deleteMessage(chatID: .id(ada.id), messageID: sent.messageID))
            #expect(simulator.messages(in: sent.chat).isEmpty)
            #expect(simulator.actionLog.last == .deletedMessage(chatID: ada.id, messageID: sent.messageID))
            let again = try await apiError { try await client.deleteMessage(chatID: .id(ada.id), messageID: sent.messageID) }
            #expect(again.description == "Bad Request: message to delete not found")
        }
    }

    @Test("deleteMessage cannot delete another member's message in a group")
    func deleteInGroup() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            let group = try simulator.createGroup(title: "Team", members: [ada])
            let said = try simulator.sendText(from: ada, in: group, "mine")
            let error = try await apiError { try await client.deleteMessage(chatID: .id(group.id), messageID: said.messageID) }
            #expect(error.description == "Bad Request: message can't be deleted")
        }
    }

    @Test("sendChatAction accepts Telegram's actions only")
    func sendChatAction() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)
            #expect(try await client.sendChatAction(chatID: .id(ada.id), action: "typing"))
            #expect(simulator.actionLog == [.sentChatAction(chatID: ada.id, action: "typing")])
            let error = try await apiError { try await client.sendChatAction(chatID: .id(ada.id), action: "dancing") }
            #expect(error.description == "Bad Request: wrong parameter action in request")
        }
    }

    @Test("setMyCommands stores the list per scope, and getMyCommands reads it back")
    func commands() async throws {
        try await withSimulator(unlimited()) { simulator, client in
            let commands = [BotCommand(command: "start", description: "Start"), BotCommand(command: "help", description: "Help")]
            #expect(try await client.setMyCommands(commands: commands))
            #expect(try await client.getMyCommands() == commands)
            #expect(try await client.getMyCommands(languageCode: "de").isEmpty)

            let invalid = try await apiError { try await client.setMyCommands(commands: [BotCommand(command: "Start!", description: "x")]) }
            #expect(invalid.description == "Bad Request: BOT_COMMAND_INVALID")
            #expect(try await client.getMyCommands() == commands, "a refused list changes nothing")
        }
    }
}
