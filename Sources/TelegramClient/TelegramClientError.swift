/// A call that failed before the Bot API could answer it, or whose answer was not a Bot API answer.
///
/// Errors the Bot API itself reports (`{"ok":false,...}`) are thrown as `TelegramAPIError` instead.
/// Every text carried here has had the bot token redacted.
public enum TelegramClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No complete answer arrived within the request timeout. The call may still have taken effect.
    case timeout(method: String)
    /// The connection failed: refused, reset, closed early, TLS, DNS...
    case transport(method: String, description: String)
    /// The server answered something other than a Bot API answer (an HTML error page from a proxy,
    /// an oversized body) or a result that does not decode as the method's `Result`.
    case invalidResponse(method: String, status: Int, description: String)
    /// A file to upload could not be opened or read.
    case upload(method: String, description: String)
    /// The method's parameters could not be encoded.
    case encoding(method: String, description: String)

    /// The Bot API method the failed call was for.
    public var method: String {
        switch self {
        case .timeout(let method),
            .transport(let method, _),
            .invalidResponse(let method, _, _),
            .upload(let method, _),
            .encoding(let method, _):
            method
        }
    }

    public var description: String {
        switch self {
        case .timeout(let method):
            "\(method): no answer within the request timeout"
        case .transport(let method, let description):
            "\(method): transport failure: \(description)"
        case .invalidResponse(let method, let status, let description):
            "\(method): invalid response (HTTP \(status)): \(description)"
        case .upload(let method, let description):
            "\(method): cannot read upload: \(description)"
        case .encoding(let method, let description):
            "\(method): cannot encode parameters: \(description)"
        }
    }
}
