/// A bot token: whoever reads it controls the bot, so it must never reach a log, an error or a crash report.
///
/// The token only leaves this type when the request URL is built. Every text that could carry it back
/// (an error from AsyncHTTPClient or NIO, an answer from a misconfigured server) goes through ``redact(_:)``,
/// and a text that is shortened is redacted before it is cut (``redactedExcerpt(of:limit:)``): a token cut in
/// half no longer matches, and its first half would otherwise survive.
struct BotToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    static let placeholder = "<redacted>"
    /// The shortest token prefix masked at the very end of a text: a text can end in the middle of a token
    /// only where something cut it, and a shorter tail would match ordinary endings too often.
    static let shortestMaskedTail = 4

    let value: String

    /// Every form in which the whole token could show up in a text, longest first so that a
    /// shorter form never leaves part of a longer one behind.
    private let forms: [[UInt8]]
    /// The public bot id with its separator (`123456:`, `123456%3A`): one followed by even the first
    /// character of the secret is a token that was cut or clipped, and the rest of it is masked too.
    private let idPrefixes: [[UInt8]]
    /// The part after the colon, the actual secret.
    private let secret: [UInt8]

    init(_ value: String) {
        self.value = value
        var forms = [value, value.replacing(":", with: "%3A"), value.replacing(":", with: "%3a")]
        var idPrefixes: [String] = []
        var secret = ""
        if let colon = value.firstIndex(of: ":") {
            secret = String(value[value.index(after: colon)...])
            let id = String(value[..<colon])
            idPrefixes = [id + ":", id + "%3A", id + "%3a"]
            // A short "secret" (as in hand-written test tokens) would match ordinary words, so it is left to the full forms.
            if secret.count >= 16 { forms.append(secret) }
        }
        self.forms = Array(Set(forms.filter { !$0.isEmpty })).sorted { $0.count > $1.count }.map { Array($0.utf8) }
        self.idPrefixes = secret.isEmpty ? [] : Array(Set(idPrefixes)).map { Array($0.utf8) }
        self.secret = Array(secret.utf8)
    }

    /// `text` with every occurrence of the token, whole or cut short after its bot id, replaced by
    /// `<redacted>`, and a token prefix at the very end (where the text was cut) replaced too.
    func redact(_ text: String) -> String {
        String(decoding: redact(Array(text.utf8)), as: UTF8.self)
    }

    /// At most `limit` bytes of `bytes` as text, redacted before it is cut, so that the cut can never
    /// leave part of a token behind; a token prefix right at the cut is masked as well.
    func redactedExcerpt(of bytes: some Collection<UInt8>, limit: Int) -> String {
        // A token that starts within the first `limit` bytes ends within this window.
        let window = bytes.prefix(limit + (forms.first?.count ?? 0))
        let redacted = redact(Array(window))
        return String(decoding: redact(Array(redacted.prefix(limit))), as: UTF8.self)
    }

    private func redact(_ text: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.count)
        var index = 0
        while index < text.count {
            if let length = tokenLength(in: text, at: index) {
                output += Self.placeholder.utf8
                index += length
            } else {
                output.append(text[index])
                index += 1
            }
        }
        if let tail = tokenPrefixLength(atEndOf: output) {
            output.removeLast(tail)
            output += Self.placeholder.utf8
        }
        return output
    }

    /// The length of the token (or of what is left of it) starting at `index`, if one does.
    private func tokenLength(in text: [UInt8], at index: Int) -> Int? {
        for form in forms where text[index...].starts(with: form) {
            return form.count
        }
        for prefix in idPrefixes where text[index...].starts(with: prefix) {
            let afterID = index + prefix.count
            let matching = zip(text[afterID...], secret).prefix { $0.0 == $0.1 }.count
            if matching > 0 { return prefix.count + matching }
        }
        return nil
    }

    /// The length of the longest end of `text` that begins a form of the token, when it is long enough to mask.
    private func tokenPrefixLength(atEndOf text: [UInt8]) -> Int? {
        var longest: Int?
        for form in forms {
            let upTo = min(form.count - 1, text.count)
            guard upTo >= Self.shortestMaskedTail else { continue }
            for length in stride(from: upTo, through: Self.shortestMaskedTail, by: -1) where length > (longest ?? 0) {
                if text.suffix(length).elementsEqual(form.prefix(length)) {
                    longest = length
                    break
                }
            }
        }
        return longest
    }

    var description: String { Self.placeholder }
    var debugDescription: String { Self.placeholder }
    var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
