import FerryTestSupport
import Hummingbird

extension ScriptedReply {
    /// A JSON answer as AWS's JSON protocols send it (the content type the clients under test ignore for the
    /// Bot API's answers too).
    static func json(_ text: String, status: HTTPResponse.Status = .ok, headers: [(name: String, value: String)] = []) -> ScriptedReply {
        ScriptedReply(status: status, headers: [("Content-Type", "application/x-amz-json-1.0")] + headers, body: Array(text.utf8))
    }
}
