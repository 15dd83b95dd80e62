import FerryTesting
import TelegramBotAPI
import Testing

@Suite("Simulator: the wire formats Telegram accepts")
struct WireFormatTests {
    @Test("a form-urlencoded call with JSON-serialized markup, as many libraries send it")
    func formURLEncoded() async throws {
        try await withSimulator(unlimited()) { simulator, _ in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)
            let markup = #"{"inline_keyboard":[[{"text":"Go","callback_data":"go"}]]}"#
            let body = "chat_id=\(ada.id)&text=Hello+w%C3%B6rld%21&disable_notification=true&reply_markup="
                + markup.addingFormEscapes()
            let answer = try await rawCall(try simulator.url("sendMessage"), contentType: "application/x-www-form-urlencoded", body: Array(body.utf8))

            #expect(answer.status == 200)
            let json = try answer.json()
            #expect(json["ok"] == true)
            #expect(json["result"]?["text"] == "Hello wörld!")
            #expect(json["result"]?["chat"]?["id"] == .integer(ada.id))
            #expect(json["result"]?["reply_markup"] == ["inline_keyboard": [[["text": "Go", "callback_data": "go"]]]])
        }
    }

    @Test("GET with the parameters in the query string, and method names in any case")
    func queryString() async throws {
        try await withSimulator(unlimited()) { simulator, _ in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)
            let answer = try await rawCall(try simulator.url("SENDMESSAGE") + "?chat_id=\(ada.id)&text=hi%20there", get: true)
            #expect(answer.status == 200)
            #expect(try answer.json()["result"]?["text"] == "hi there")

            let me = try await rawCall(try simulator.url("getme"), get: true)
            #expect(try me.json()["result"]?["is_bot"] == true)
        }
    }

    @Test("JSON with numbers and booleans as strings is read as Telegram reads it")
    func lenientJSON() async throws {
        try await withSimulator(unlimited()) { simulator, _ in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.openPrivateChat(with: ada)
            let body = #"{"chat_id":"\#(ada.id)","text":"typed loosely","protect_content":"true"}"#
            let answer = try await rawCall(try simulator.url("sendMessage"), contentType: "application/json", body: Array(body.utf8))
            #expect(answer.status == 200)
            #expect(try answer.json()["result"]?["has_protected_content"] == true)
        }
    }

    @Test("the success envelope is exactly {\"ok\":true,\"result\":...}, with a description where Telegram gives one")
    func successEnvelope() async throws {
        try await withSimulator(unlimited()) { simulator, _ in
            let info = try await rawCall(try simulator.url("getWebhookInfo"))
            #expect(info.body == #"{"ok":true,"result":{"has_custom_certificate":false,"pending_update_count":0,"url":""}}"#)

            let set = try await rawCall(
                try simulator.url("setWebhook"),
                contentType: "application/json",
                body: Array(#"{"url":"http://127.0.0.1:9/hook"}"#.utf8)
            )
            #expect(try set.json() == ["ok": true, "result": true, "description": "Webhook was set"])
            let deleted = try await rawCall(try simulator.url("deleteWebhook"))
            #expect(try deleted.json() == ["ok": true, "result": true, "description": "Webhook was deleted"])
            let again = try await rawCall(try simulator.url("deleteWebhook"))
            #expect(try again.json()["description"] == "Webhook is already deleted")
        }
    }
}

extension String {
    /// Percent-escapes everything but unreserved characters, as a form encoder does.
    func addingFormEscapes() -> String {
        var escaped = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                escaped.append(Character(Unicode.Scalar(byte)))
            default:
                escaped += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return escaped
    }
}
