import Foundation
import Testing
import TelegramBotAPI
import BotAPIGenerator
import FerryTestSupport

@Suite("Decoding updates")
struct UpdateDecodingTests {
    @Test("the shared samples are all there")
    func samplesPresent() throws {
        #expect(try SharedData.updateSamples().count >= 70)
    }

    @Test("every shared sample decodes, keeps its update_id and kind, and survives encode-then-decode")
    func everySampleDecodesAndRoundTrips() throws {
        for (name, data) in try SharedData.updateSamples() {
            let tree = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            let update = try JSONDecoder().decode(Update.self, from: data)
            #expect(update.updateID == tree["update_id"] as? Int, "\(name)")
            let payloadKey = tree.keys.first { $0 != "update_id" }
            #expect(update.kind.rawValue == payloadKey, "\(name)")

            let again = try JSONDecoder().decode(Update.self, from: JSONEncoder().encode(update))
            #expect(again == update, "\(name) changed through encode-then-decode")
        }
    }

    @Test("a sample is kept raw only when its payload lacks a field this Bot API version requires")
    func rawOnlyForMissingFields() throws {
        let spec = try BotAPISpec.load(from: SharedData.repositoryRoot.appendingPathComponent("Spec/bot-api.json"))
        let payloadTypes = Dictionary(uniqueKeysWithValues: (spec.type(named: "Update")?.fields ?? []).map { ($0.name, $0.types[0]) })
        let swiftTypes = Dictionary(uniqueKeysWithValues: BotAPISchema.types.map { ($0.key, $0.value) })
        var keptRaw: [String] = []
        for (name, data) in try SharedData.updateSamples() {
            let update = try JSONDecoder().decode(Update.self, from: data)
            guard update.raw != nil, let typeName = payloadTypes[update.kind.rawValue] else { continue }
            keptRaw.append(name)
            // Older servers omit fields added later (Sticker.type, ChatJoinRequest.user_chat_id, ...).
            // Any other reason to fall back would be a generator bug.
            let payload = try #require(update.raw?[update.kind.rawValue])
            let payloadType = try #require(swiftTypes[typeName])
            do {
                _ = try payload.decode(payloadType)
                Issue.record("\(name) was kept raw although its payload decodes")
            } catch DecodingError.keyNotFound {
            } catch {
                Issue.record("\(name) was kept raw for another reason than a missing field: \(error)")
            }
        }
        // The samples from current servers must be fully typed.
        #expect(keptRaw.count <= 8, "kept raw: \(keptRaw)")
    }

    @Test("typed fields carry the sample's values")
    func typedValues() throws {
        let update = try JSONDecoder().decode(Update.self, from: SharedData.updateSample("01-message-command-start.json"))
        #expect(update.kind == .message)
        let message = try #require(update.message)
        #expect(message.messageID == 101)
        #expect(message.text == "/start")
        #expect(message.chat.id == 12345678)
        #expect(message.chat.type == "private")
        #expect(message.from?.username == "username")
        #expect(message.entities?.first?.type == "bot_command")
    }

    @Test("an update of a kind this version does not know keeps update_id, kind name and raw JSON")
    func unknownKind() throws {
        let data = try SharedData.updateSample("36-unknown-future-update-kind.json")
        let update = try JSONDecoder().decode(Update.self, from: data)
        #expect(update.updateID == 1)
        #expect(update.kind == .unknown("new_update_kind"))
        #expect(update.raw?["new_update_kind"]?["some_field_idk"] == 1)
        // Encoding writes back what arrived.
        let reencoded = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(update))
        #expect(reencoded == (try JSONDecoder().decode(JSONValue.self, from: data)))
    }

    @Test("a payload missing a field the spec calls required still decodes as an Update")
    func missingRequiredField() throws {
        // Message.date and Chat.type are required by the spec.
        let data = Data(#"{"update_id": 77, "message": {"message_id": 5, "chat": {"id": 9}, "text": "hi"}}"#.utf8)
        let update = try JSONDecoder().decode(Update.self, from: data)
        #expect(update.updateID == 77)
        #expect(update.kind == .message)
        #expect(update.message == nil)
        #expect(update.raw?["message"]?["text"] == "hi")
    }

    @Test("explicit null equals absent, and unknown fields are ignored")
    func nullAndUnknownFields() throws {
        let withNull = Data(#"""
        {"update_id": 1, "message": {"message_id": 5, "date": 1, "chat": {"id": 9, "type": "private", "title": null},
         "text": "hi", "reply_to_message": null, "brand_new_field": {"x": [1, 2]}}}
        """#.utf8)
        let plain = Data(#"{"update_id": 1, "message": {"message_id": 5, "date": 1, "chat": {"id": 9, "type": "private"}, "text": "hi"}}"#.utf8)
        let a = try JSONDecoder().decode(Update.self, from: withNull)
        let b = try JSONDecoder().decode(Update.self, from: plain)
        #expect(a.raw == nil)
        #expect(a == b)
    }

    @Test("an update without update_id is an error, not a silent zero")
    func updateIDRequired() {
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(Update.self, from: Data(#"{"message": {"message_id": 1}}"#.utf8))
        }
    }

    @Test("a reply carries the message it replies to")
    func replyToMessage() throws {
        let update = try JSONDecoder().decode(Update.self, from: SharedData.updateSample("17-message-reply-to-message.json"))
        let reply = try #require(update.message?.replyToMessage)
        #expect(reply.messageID != update.message?.messageID)
    }

    @Test("callback queries on inaccessible messages decode to the inaccessible member")
    func inaccessibleMessage() throws {
        let update = try JSONDecoder().decode(Update.self, from: SharedData.updateSample("58-callback-query-inaccessible-message.json"))
        guard case .inaccessibleMessage(let message)? = update.callbackQuery?.message else {
            Issue.record("expected an inaccessible message, got \(String(describing: update.callbackQuery?.message))")
            return
        }
        #expect(message.date == 0)
    }

    @Test("an Update built in code encodes as Telegram sends it")
    func buildInCode() throws {
        let message = Message(messageID: 3, date: 1_700_000_000, chat: Chat(id: -100, type: "group"), text: "hello")
        let update = Update(updateID: 10, message: message)
        #expect(update.kind == .message)
        let json = try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(update))
        #expect(json == ["update_id": 10, "message": ["message_id": 3, "date": 1_700_000_000, "chat": ["id": -100, "type": "group"], "text": "hello"]])
    }
}


@Suite("Update kind selection")
struct UpdateKindSelectionTests {
    @Test("with an unknown member beside a known one, the known kind wins with either decoder")
    func knownKindWins() throws {
        let json = #"{"zz_future": {"a": 1}, "update_id": 5, "message": {"message_id": 1, "date": 2, "chat": {"id": 3, "type": "private"}}}"#
        for update in [try BotAPIDecoder().decode(Update.self, from: Array(json.utf8)), try JSONDecoder().decode(Update.self, from: Data(json.utf8))] {
            #expect(update.kind == .message)
            #expect(update.message?.messageID == 1)
        }
    }
}
