/// A bot token: whoever reads it controls the bot, so it must never reach a log, an error or a crash report.
///
/// The token only leaves this type when the request URL is built. Every text that could carry it back
/// (an error from AsyncHTTPClient or NIO, an answer from a misconfigured server) goes through ``redact(_:)``.
struct BotToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    static let placeholder = "<redacted>"

    let value: String

    /// Every form in which the token could show up in a text, longest first so that a
    /// shorter form never leaves part of a longer one behind.
    private let forms: [String]

    init(_ value: String) {
        self.value = value
        var forms = [value, value.replacing(":", with: "%3A"), value.replacing(":", with: "%3a")]
        // The part after the colon is the actual secret; the numeric bot id before it is public.
        // A short "secret" (as in hand-written test tokens) would match ordinary words, so it is left to the full forms.
        if let colon = value.firstIndex(of: ":") {
            let secret = String(value[value.index(after: colon)...])
            if secret.count >= 16 { forms.append(secret) }
        }
        self.forms = Array(Set(forms.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
    }

    /// `text` with every occurrence of the token replaced by `<redacted>`.
    func redact(_ text: String) -> String {
        forms.reduce(text) { text, form in text.replacing(form, with: Self.placeholder) }
    }

    var description: String { Self.placeholder }
    var debugDescription: String { Self.placeholder }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
