/// How Telegram reads the formatting in a message's text or caption: `ctx.reply("<b>Hi</b>", parseMode: .html)`.
///
/// A string literal works too (`parseMode: "HTML"`), for a mode this type does not name yet.
public struct ParseMode: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// `<b>bold</b>`, `<i>italic</i>`, `<a href="...">links</a>`, `<code>`, `<pre>`, `<blockquote>` ...
    public static let html = ParseMode(rawValue: "HTML")
    /// `*bold*`, `_italic_`, `` `code` ``, `[links](...)`; these characters must be escaped with `\` elsewhere:
    /// `_ * [ ] ( ) ~ ` > # + - = | { } . !`
    public static let markdownV2 = ParseMode(rawValue: "MarkdownV2")
    /// Telegram's legacy Markdown, kept for old bots; prefer ``markdownV2``.
    public static let markdown = ParseMode(rawValue: "Markdown")

    public var description: String { rawValue }

    /// `text` made safe to put into a message of this mode as plain text: a user's name, a search term.
    /// HTML escapes `&`, `<`, `>` and `"`; MarkdownV2 puts a backslash before each of its special characters
    /// (and before a backslash); legacy Markdown before `_`, `*`, `` ` `` and `[`. Other modes leave it unchanged.
    /// Not for text inside `pre`, `code` or a link's URL, which follow their own rules; ``FormattedText``
    /// needs no escaping at all.
    public func escape(_ text: String) -> String {
        let specials: Set<Character>
        // Telegram reads the mode's name in any case.
        switch rawValue.lowercased() {
        case "html":
            return text.reduce(into: "") { escaped, character in
                switch character {
                case "&": escaped += "&amp;"
                case "<": escaped += "&lt;"
                case ">": escaped += "&gt;"
                case "\"": escaped += "&quot;"
                default: escaped.append(character)
                }
            }
        case "markdownv2": specials = Set("_*[]()~`>#+-=|{}.!\\")
        case "markdown": specials = Set("_*`[")
        default: return text
        }
        return text.reduce(into: "") { escaped, character in
            if specials.contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
    }
}
