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
}
