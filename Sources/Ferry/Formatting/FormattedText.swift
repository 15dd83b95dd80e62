public import TelegramBotAPI

/// Text with formatting, sent as Telegram's message entities rather than markup, so nothing in it ever
/// needs escaping: a user's name with `<`, `*` or `_` in it arrives exactly as typed.
///
/// ```swift
/// let text: FormattedText = "Hello, \(bold: user.firstName)! Order \(code: order.id) is \(link: "on its way", url: trackingURL)."
/// try await ctx.reply(text)
/// ```
///
/// Styles nest (`\(bold: "a " + .italic("b"))`); plain interpolations (`\(count)`) add plain text.
/// Offsets and lengths count UTF-16 code units, as Telegram's do, so emoji and other scripts are measured right.
public struct FormattedText: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// The text as the user sees it.
    public private(set) var text: String
    /// The formatting, outer entities before the ones they contain.
    public private(set) var entities: [MessageEntity]
    /// The text's length in UTF-16 code units, Telegram's measure; kept so appending does not re-count.
    public private(set) var utf16Count: Int

    /// Plain text, without formatting.
    public init(_ plain: String = "") {
        self.text = plain
        self.entities = []
        self.utf16Count = plain.utf16.count
    }

    /// Text with entities as Telegram sends them: `FormattedText(text: message.text ?? "", entities: message.entities ?? [])`
    /// repeats a message with its formatting.
    public init(text: String, entities: [MessageEntity]) {
        self.text = text
        self.entities = entities
        self.utf16Count = text.utf16.count
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public init(stringInterpolation: StringInterpolation) {
        self = stringInterpolation.result
    }

    public var description: String { text }

    // MARK: Building

    public mutating func append(_ other: FormattedText) {
        entities += other.entities.map { entity in
            var moved = entity
            moved.offset += utf16Count
            return moved
        }
        text += other.text
        utf16Count += other.utf16Count
    }

    public mutating func append(_ plain: String) {
        text += plain
        utf16Count += plain.utf16.count
    }

    public static func + (lhs: FormattedText, rhs: FormattedText) -> FormattedText {
        var result = lhs
        result.append(rhs)
        return result
    }

    public static func += (lhs: inout FormattedText, rhs: FormattedText) {
        lhs.append(rhs)
    }

    /// `parts` one after another, with `separator` between them: `FormattedText.joined(lines, separator: "\n")`.
    public static func joined(_ parts: [FormattedText], separator: FormattedText = "") -> FormattedText {
        var result = FormattedText()
        for (index, part) in parts.enumerated() {
            if index > 0 { result.append(separator) }
            result.append(part)
        }
        return result
    }

    /// The whole of `content` under one more entity; the entity goes first, since it encloses the others.
    /// Empty content stays empty: Telegram refuses an entity of length zero.
    public static func styled(_ content: FormattedText, as entity: MessageEntity) -> FormattedText {
        guard content.utf16Count > 0 else { return content }
        var whole = entity
        whole.offset = 0
        whole.length = content.utf16Count
        var result = content
        result.entities.insert(whole, at: 0)
        return result
    }

    public static func bold(_ content: FormattedText) -> FormattedText { styled(content, as: .init(type: "bold", offset: 0, length: 0)) }
    public static func italic(_ content: FormattedText) -> FormattedText { styled(content, as: .init(type: "italic", offset: 0, length: 0)) }
    public static func underline(_ content: FormattedText) -> FormattedText { styled(content, as: .init(type: "underline", offset: 0, length: 0)) }
    public static func strikethrough(_ content: FormattedText) -> FormattedText {
        styled(content, as: .init(type: "strikethrough", offset: 0, length: 0))
    }
    public static func spoiler(_ content: FormattedText) -> FormattedText { styled(content, as: .init(type: "spoiler", offset: 0, length: 0)) }
    public static func blockquote(_ content: FormattedText) -> FormattedText { styled(content, as: .init(type: "blockquote", offset: 0, length: 0)) }
    /// A quote shown collapsed until the user expands it.
    public static func expandableBlockquote(_ content: FormattedText) -> FormattedText {
        styled(content, as: .init(type: "expandable_blockquote", offset: 0, length: 0))
    }
    /// Monospaced inline code; Telegram allows no other style inside it.
    public static func code(_ text: String) -> FormattedText { styled(FormattedText(text), as: .init(type: "code", offset: 0, length: 0)) }
    /// A monospaced block, highlighted as `language` when given.
    public static func pre(_ text: String, language: String? = nil) -> FormattedText {
        styled(FormattedText(text), as: .init(type: "pre", offset: 0, length: 0, language: language))
    }
    public static func link(_ content: FormattedText, url: String) -> FormattedText {
        styled(content, as: .init(type: "text_link", offset: 0, length: 0, url: url))
    }
    /// A link to a user's profile, for users without a username.
    public static func mention(_ content: FormattedText, user: User) -> FormattedText {
        styled(content, as: .init(type: "text_mention", offset: 0, length: 0, user: user))
    }
    /// A custom emoji; `placeholder` is a regular emoji shown where custom ones cannot be.
    public static func customEmoji(_ placeholder: String, id: String) -> FormattedText {
        styled(FormattedText(placeholder), as: .init(type: "custom_emoji", offset: 0, length: 0, customEmojiID: id))
    }

    // MARK: Interpolation

    /// `"Hi \(bold: name)"`: every style above has an interpolation of the same name. A value that is
    /// itself `FormattedText` keeps its formatting; anything else is plain text.
    public struct StringInterpolation: StringInterpolationProtocol {
        var result = FormattedText()

        public init(literalCapacity: Int, interpolationCount: Int) {}

        public mutating func appendLiteral(_ literal: String) { result.append(literal) }
        public mutating func appendInterpolation(_ formatted: FormattedText) { result.append(formatted) }
        public mutating func appendInterpolation(_ value: some CustomStringConvertible) { result.append(Self.formatted(value)) }

        public mutating func appendInterpolation(bold value: some CustomStringConvertible) { result.append(.bold(Self.formatted(value))) }
        public mutating func appendInterpolation(italic value: some CustomStringConvertible) { result.append(.italic(Self.formatted(value))) }
        public mutating func appendInterpolation(underline value: some CustomStringConvertible) {
            result.append(.underline(Self.formatted(value)))
        }
        public mutating func appendInterpolation(strikethrough value: some CustomStringConvertible) {
            result.append(.strikethrough(Self.formatted(value)))
        }
        public mutating func appendInterpolation(spoiler value: some CustomStringConvertible) { result.append(.spoiler(Self.formatted(value))) }
        public mutating func appendInterpolation(code value: some CustomStringConvertible) { result.append(.code(value.description)) }
        public mutating func appendInterpolation(pre value: some CustomStringConvertible, language: String? = nil) {
            result.append(.pre(value.description, language: language))
        }
        public mutating func appendInterpolation(link value: some CustomStringConvertible, url: String) {
            result.append(.link(Self.formatted(value), url: url))
        }
        public mutating func appendInterpolation(mention value: some CustomStringConvertible, user: User) {
            result.append(.mention(Self.formatted(value), user: user))
        }

        /// `FormattedText` as it is, anything else as plain text.
        private static func formatted(_ value: some CustomStringConvertible) -> FormattedText {
            (value as? FormattedText) ?? FormattedText(value.description)
        }
    }
}
