@testable import FerrySimulator
import TelegramBotAPI
import Testing

@Suite("Simulator: reading parameters")
struct ParsingTests {
    @Test("form values decode into method structs as Telegram reads them")
    func lenientDecoding() throws {
        let values: [String: JSONValue] = [
            "chat_id": "-1001234",
            "text": "42",
            "disable_notification": "true",
            "reply_parameters": #"{"message_id":"7"}"#,
            "reply_markup": #"{"inline_keyboard":[[{"text":"A","callback_data":"a"}]]}"#,
        ]
        let call = try RequestParameters(values: values).decode(SendMessage.self)
        #expect(call.chatID == .id(-1_001_234))
        #expect(call.text == "42", "a numeric text stays text")
        #expect(call.disableNotification == true)
        #expect(call.replyParameters?.messageID == 7)
        #expect(call.replyMarkup == .inlineKeyboardMarkup(InlineKeyboardMarkup(inlineKeyboard: [[InlineKeyboardButton(text: "A", callbackData: "a")]])))

        let channel = try RequestParameters(values: ["chat_id": "@channel", "text": "hi"]).decode(SendMessage.self)
        #expect(channel.chatID == .username("@channel"))
        #expect(throws: BotAPIFailure.badRequest("can't parse parameter chat_id")) {
            try RequestParameters(values: ["chat_id": ["nested": true], "text": "hi"]).decode(SendMessage.self)
        }
    }

    @Test("form-urlencoding: plus, escapes and malformed escapes")
    func formDecoding() {
        let pairs = FormURLEncoding.parse("a=1+2&b=%F0%9F%98%80&c=%zz&flag&=empty")
        #expect(pairs.map(\.name) == ["a", "b", "c", "flag", ""])
        #expect(pairs.map(\.value) == ["1 2", "😀", "%zz", "", "empty"])
        #expect(FormURLEncoding.decode("a+b", plusIsSpace: false) == "a+b")
    }

    @Test("multipart: fields, files with their names and types, quoted boundaries")
    func multipart() throws {
        let body = Array((
            "preamble\r\n--b1\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n42\r\n"
                + "--b1\r\nContent-Disposition: form-data; name=\"file0\"; filename=\"a b.txt\"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n"
                + "--b1--\r\n"
        ).utf8)
        let form = try MultipartFormData(body: body, contentType: "multipart/form-data; boundary=\"b1\"")
        #expect(form.parts.map(\.name) == ["chat_id", "file0"])
        #expect(form.parts[1].filename == "a b.txt")
        #expect(form.parts[1].contentType == "text/plain")
        #expect(Array(form.parts[1].body) == Array("line1\r\nline2".utf8))

        #expect(throws: MultipartFormData.Malformed.self) {
            try MultipartFormData(body: Array("--b1\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nno end".utf8), contentType: "multipart/form-data; boundary=b1")
        }
    }

    @Test("image sizes from PNG, GIF and JPEG headers")
    func imageDimensions() {
        #expect(ImageDimensions(of: PNGImage.solid(width: 640, height: 480)) == ImageDimensions(width: 640, height: 480))
        let gif: [UInt8] = Array("GIF89a".utf8) + [0x20, 0x03, 0x58, 0x02] + [0, 0, 0]
        #expect(ImageDimensions(of: gif) == ImageDimensions(width: 800, height: 600))
        // SOI, an APP0 segment of 16 bytes, then SOF0 with height 0x0100 and width 0x0200.
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array(repeating: 0, count: 14)
            + [0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x00, 0x02, 0x00, 0x03]
        #expect(ImageDimensions(of: jpeg) == ImageDimensions(width: 512, height: 256))
        #expect(ImageDimensions(of: Array("not an image".utf8)) == nil)
    }
}
