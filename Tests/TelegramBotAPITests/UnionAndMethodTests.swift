import Foundation
import Testing
import TelegramBotAPI

private func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
    try JSONDecoder().decode(T.self, from: Data(json.utf8))
}

private func json(_ value: some Encodable) throws -> JSONValue {
    try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value))
}

@Suite("Unions decode by their discriminator")
struct UnionTests {
    @Test("ChatMember by status")
    func chatMember() throws {
        let member = try decode(ChatMember.self, #"{"status": "kicked", "user": {"id": 1, "is_bot": false, "first_name": "A"}, "until_date": 0}"#)
        guard case .banned(let banned) = member else { Issue.record("got \(member)"); return }
        #expect(banned.user.id == 1)
        #expect(try json(member)["status"] == "kicked")
        let owner = try decode(ChatMember.self, #"{"status": "creator", "user": {"id": 2, "is_bot": false, "first_name": "B"}, "is_anonymous": false}"#)
        guard case .owner = owner else { Issue.record("got \(owner)"); return }
    }

    @Test("MessageOrigin, ReactionType and BackgroundType by type")
    func typeDiscriminated() throws {
        let origin = try decode(MessageOrigin.self, #"{"type": "hidden_user", "date": 5, "sender_user_name": "X"}"#)
        guard case .hiddenUser(let hidden) = origin else { Issue.record("got \(origin)"); return }
        #expect(hidden.senderUserName == "X")

        let reaction = try decode(ReactionType.self, #"{"type": "emoji", "emoji": "👍"}"#)
        #expect(reaction == .emoji(ReactionTypeEmoji(emoji: "👍")))
        #expect(try json(reaction) == ["type": "emoji", "emoji": "👍"])

        let background = try decode(BackgroundType.self, #"{"type": "fill", "fill": {"type": "solid", "color": 255}, "dark_theme_dimming": 10}"#)
        guard case .fill(let fill) = background, case .solid(let solid) = fill.fill else { Issue.record("got \(background)"); return }
        #expect(solid.color == 255)
    }

    @Test("a member this version does not know is kept, not rejected")
    func unknownMember() throws {
        let reaction = try decode(ReactionType.self, #"{"type": "sparkles", "level": 3}"#)
        #expect(reaction == .unknown(["type": "sparkles", "level": 3]))
        #expect(try json(reaction) == ["type": "sparkles", "level": 3])
    }

    @Test("a known member missing a required field is an error")
    func knownMemberMissingField() {
        #expect(throws: DecodingError.self) { try decode(ReactionType.self, #"{"type": "emoji"}"#) }
    }

    @Test("InputMedia writes its type; members sharing a type are told apart by their fields")
    func inputMediaAndInlineResults() throws {
        let media = InputMedia.photo(InputMediaPhoto(media: .fileID("AgAD"), caption: "hi"))
        #expect(try json(media) == ["type": "photo", "media": "AgAD", "caption": "hi"])
        #expect(try decode(InputMedia.self, #"{"type": "photo", "media": "AgAD", "caption": "hi"}"#) == media)

        let cached = try decode(InlineQueryResult.self, #"{"type": "audio", "id": "1", "audio_file_id": "F"}"#)
        guard case .cachedAudio = cached else { Issue.record("got \(cached)"); return }
        let linked = try decode(InlineQueryResult.self, #"{"type": "audio", "id": "1", "audio_url": "https://x/a.mp3", "title": "T"}"#)
        guard case .audio = linked else { Issue.record("got \(linked)"); return }
    }

    @Test("InputMessageContent has no discriminator: a venue is not mistaken for a location")
    func inputMessageContent() throws {
        let venue = try decode(InputMessageContent.self, #"{"latitude": 1.5, "longitude": 2.5, "title": "T", "address": "A"}"#)
        guard case .venue = venue else { Issue.record("got \(venue)"); return }
        let location = try decode(InputMessageContent.self, #"{"latitude": 1.5, "longitude": 2.5}"#)
        guard case .location = location else { Issue.record("got \(location)"); return }
    }

    @Test("reply markup is one typed value of four kinds")
    func replyMarkup() throws {
        let keyboard = ReplyMarkup.inlineKeyboardMarkup(InlineKeyboardMarkup(inlineKeyboard: [[InlineKeyboardButton(text: "Yes", callbackData: "y")]]))
        #expect(try json(keyboard) == ["inline_keyboard": [[["text": "Yes", "callback_data": "y"]]]])
        #expect(try decode(ReplyMarkup.self, #"{"remove_keyboard": true}"#) == .replyKeyboardRemove(ReplyKeyboardRemove(removeKeyboard: true)))
    }

    @Test("edit methods answer a message or true")
    func messageOrTrue() throws {
        #expect(try decode(MessageOrTrue.self, "true") == .true)
        let edited = try decode(MessageOrTrue.self, #"{"message_id": 1, "date": 2, "chat": {"id": 3, "type": "private"}}"#)
        #expect(edited.message?.messageID == 1)
    }
}

@Suite("Methods encode their parameters")
struct MethodEncodingTests {
    @Test("sendMessage with a chat id, a username and a keyboard")
    func sendMessage() throws {
        let byID = SendMessage(chatID: 42, text: "hi", replyMarkup: .forceReply(ForceReply(forceReply: true)))
        #expect(SendMessage.name == "sendMessage")
        #expect(try json(byID) == ["chat_id": 42, "text": "hi", "reply_markup": ["force_reply": true]])
        let byName = SendMessage(chatID: "@channel", text: "hi")
        #expect(try json(byName) == ["chat_id": "@channel", "text": "hi"])
    }

    @Test("a method without parameters encodes as an empty object")
    func getMe() throws {
        #expect(try json(GetMe()) == [:])
    }

    @Test("uploads become attach:// references collected for multipart, top level and nested alike")
    func uploads() throws {
        let document = SendDocument(chatID: 1, document: .file(atPath: "/tmp/report.pdf"), thumbnail: .url("https://example.org/t.jpg"))
        let request = try BotAPIRequest.encode(document)
        #expect(request.method == "sendDocument")
        #expect(request.needsMultipart)
        #expect(request.uploads.map(\.name) == ["file0"])
        #expect(request.uploads.first?.upload.filename == "report.pdf")
        #expect(request.uploads.first?.upload.contentType == "application/pdf")
        #expect(try request.parameterValues() == ["chat_id": 1, "document": "attach://file0", "thumbnail": "https://example.org/t.jpg"])

        let album = SendMediaGroup(chatID: 1, media: [
            .photo(InputMediaPhoto(media: .bytes([1, 2, 3], filename: "a.png"))),
            .photo(InputMediaPhoto(media: .fileID("KNOWN"))),
            .video(InputMediaVideo(media: .bytes([4], filename: "b.mp4"))),
        ])
        let albumRequest = try BotAPIRequest.encode(album)
        #expect(albumRequest.uploads.map(\.name) == ["file0", "file1"])
        let media = try albumRequest.parameterValues()["media"]
        #expect(media == [["type": "photo", "media": "attach://file0"], ["type": "photo", "media": "KNOWN"], ["type": "video", "media": "attach://file1"]])
    }

    @Test("a call without uploads is plain JSON")
    func noUploads() throws {
        let request = try BotAPIRequest.encode(SendPhoto(chatID: 1, photo: .fileID("AgAD")))
        #expect(!request.needsMultipart)
        #expect(try request.parameterValues() == ["chat_id": 1, "photo": "AgAD"])
    }

    @Test("an upload outside a request says how to send it")
    func uploadOutsideRequest() {
        #expect(throws: EncodingError.self) { try JSONEncoder().encode(SendPhoto(chatID: 1, photo: .file(atPath: "/tmp/a.jpg"))) }
    }

    @Test("Bot API answers decode to the result or a typed error")
    func responses() throws {
        let user = try BotAPIResponse<User>.decode(Array(#"{"ok":true,"result":{"id":1,"is_bot":true,"first_name":"Ferry"}}"#.utf8), method: "getMe")
        #expect(user.firstName == "Ferry")
        let body = Array(#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}"#.utf8)
        #expect(throws: TelegramAPIError(method: "sendMessage", errorCode: 429, description: "Too Many Requests: retry after 7", retryAfter: 7)) {
            try BotAPIResponse<Message>.decode(body, method: "sendMessage")
        }
        let migrated = Array(#"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234}}"#.utf8)
        do {
            _ = try BotAPIResponse<Message>.decode(migrated, method: "sendMessage")
            Issue.record("expected an error")
        } catch let error as TelegramAPIError {
            #expect(error.migrateToChatID == -1001234)
            #expect(!error.isPermanent)
        }
    }
}
