import FerryTestSupport
import Foundation
import Hummingbird
import TelegramBotAPI

/// Answers as the Bot API writes them, for `FakeHTTPServer`.
extension ScriptedReply {
    static func ok(_ result: String, delay: Duration? = nil) -> ScriptedReply {
        ScriptedReply(contentType: "application/json", #"{"ok":true,"result":\#(result)}"#, delay: delay)
    }

    /// An error exactly as Telegram writes it, e.g. `{"ok":false,"error_code":403,"description":"..."}`.
    static func error(_ code: Int, _ description: String, parameters: String? = nil) -> ScriptedReply {
        var body = #"{"ok":false,"error_code":\#(code),"description":"\#(description)""#
        if let parameters { body += #","parameters":\#(parameters)"# }
        body += "}"
        return ScriptedReply(status: .init(code: code), contentType: "application/json", body)
    }

    /// Where a reply's body holds this, `withClient` puts the path it was called at (token included), as a
    /// careless proxy or local server that quotes the request in its error page would.
    static let echoedPath = "{path}"

    /// This reply with `echoedPath` replaced by the request's path.
    func echoingPath(of request: ReceivedRequest) -> ScriptedReply {
        var reply = self
        reply.body = Array(String(decoding: body, as: UTF8.self).replacing(Self.echoedPath, with: request.path).utf8)
        return reply
    }
}

extension ReceivedRequest {
    /// The body as JSON, for calls sent as `application/json`.
    func json() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(body))
    }

    /// The body's parts, for calls sent as `multipart/form-data`.
    func formParts() throws -> [FormPart] {
        try FormPart.parse(body, contentType: contentType ?? "")
    }
}
