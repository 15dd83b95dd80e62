import Foundation
import Testing
import TelegramBotAPI
import FerryTestSupport

@Suite("BotAPIDecoder agrees with JSONDecoder")
struct BotAPIDecoderTests {
    @Test("every shared sample decodes to the same Update with both decoders")
    func samplesAgree() throws {
        for (name, data) in try SharedData.updateSamples() {
            let fast = try BotAPIDecoder().decode(Update.self, from: data)
            let reference = try JSONDecoder().decode(Update.self, from: data)
            #expect(fast == reference, "\(name)")
            #expect(try BotAPIDecoder().decode(JSONValue.self, from: data) == JSONDecoder().decode(JSONValue.self, from: data), "\(name)")
        }
    }

    @Test("strings with escapes, unicode and surrogate pairs", arguments: [
        #""plain""#, #""quote \" backslash \\ slash \/""#, #""\n\t\r\b\f""#, #""caf\u00e9 \u4e2d""#,
        #""emoji \ud83d\ude00 direct 😀""#, #""""#, #""ünïcödé bytes""#,
    ])
    func strings(json: String) throws {
        let expected = try JSONDecoder().decode(String.self, from: Data(json.utf8))
        #expect(try BotAPIDecoder().decode(String.self, from: Array(json.utf8)) == expected)
    }

    @Test("numbers as Telegram sends them")
    func numbers() throws {
        let decoder = BotAPIDecoder()
        #expect(try decoder.decode(Int.self, from: Array("-1001234567890123".utf8)) == -1001234567890123)
        #expect(try decoder.decode(Int.self, from: Array("9223372036854775807".utf8)) == Int.max)
        #expect(try decoder.decode(Double.self, from: Array("51.5007".utf8)) == 51.5007)
        #expect(try decoder.decode(Double.self, from: Array("-1.5e3".utf8)) == -1500)
        #expect(try decoder.decode(Double.self, from: Array("7".utf8)) == 7)
        #expect(try decoder.decode(Int.self, from: Array("2.0".utf8)) == 2)
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: Array("9223372036854775808".utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Int.self, from: Array("2.5".utf8)) }
        #expect(throws: DecodingError.self) { try decoder.decode(Int8.self, from: Array("300".utf8)) }
    }

    @Test("malformed JSON is an error, never a crash", arguments: [
        "", " ", "{", "}", "[1,]", "{\"a\":}", "{\"a\" 1}", "{a:1}", "tru", "nul", "01x", "-", "1.", "1e", "\"abc",
        "\"\\x\"", "\"\\u12\"", "{\"a\":1}}", "[1 2]", "\"tab\there\"", "{\"update_id\":1,}",
    ])
    func malformed(json: String) {
        #expect(throws: DecodingError.self) { try BotAPIDecoder().decode(JSONValue.self, from: Array(json.utf8)) }
    }

    @Test("a sample cut at any byte is rejected cleanly")
    func truncated() throws {
        var data = Array(try SharedData.updateSample("01-message-command-start.json"))
        while let last = data.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: " ") { data.removeLast() }
        for length in 0..<data.count {
            let cut = Array(data[0..<length])
            #expect(throws: DecodingError.self) { try BotAPIDecoder().decode(Update.self, from: cut) }
        }
    }

    @Test("nesting beyond the limit is refused")
    func depth() {
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(throws: DecodingError.self) { try BotAPIDecoder().decode(JSONValue.self, from: Array(deep.utf8)) }
    }

    @Test("errors name the missing key and where it is")
    func errors() throws {
        let json = Array(#"{"message_id": 1, "date": 2, "chat": {"id": 3}}"#.utf8)
        do {
            _ = try BotAPIDecoder().decode(Message.self, from: json)
            Issue.record("expected an error")
        } catch DecodingError.keyNotFound(let key, let context) {
            #expect(key.stringValue == "type")
            #expect(context.codingPath.map(\.stringValue) == ["chat"])
        }
        #expect(throws: DecodingError.self) { try BotAPIDecoder().decode(Message.self, from: Array(#"{"message_id": "1", "date": 2, "chat": {"id": 3, "type": "private"}}"#.utf8)) }
        #expect(throws: DecodingError.self) { try BotAPIDecoder().decode(Message.self, from: Array(#"{"message_id": null, "date": 2, "chat": {"id": 3, "type": "private"}}"#.utf8)) }
    }

    @Test("65 and 65.0 are the same JSON number")
    func numericEquality() {
        #expect(JSONValue.integer(65) == .double(65.0))
        #expect(JSONValue.integer(65).hashValue == JSONValue.double(65.0).hashValue)
        #expect(JSONValue.integer(65) != .double(65.5))
    }

    @Test("arrays, nested arrays and dictionaries")
    func containers() throws {
        let markup = try BotAPIDecoder().decode(InlineKeyboardMarkup.self, from: Array(#"{"inline_keyboard": [[{"text": "a", "callback_data": "1"}, {"text": "b", "url": "https://x"}], []]}"#.utf8))
        #expect(markup.inlineKeyboard.map(\.count) == [2, 0])
        #expect(markup.inlineKeyboard[0][1].url == "https://x")
        let dictionary = try BotAPIDecoder().decode([String: [Int]].self, from: Array(#"{"a": [1, 2], "b": []}"#.utf8))
        #expect(dictionary == ["a": [1, 2], "b": []])
    }
}
