public import TelegramBotAPI

extension FormattedText {
    /// Telegram's limit for a message's text, in UTF-16 code units (after entities are parsed).
    public static let maximumMessageLength = 4096

    /// The text cut into parts of at most `maximumLength` UTF-16 code units, for as many messages: at the
    /// last line break that fits, else the last space, else the last character that fits (never inside a
    /// character, so an emoji is not torn in two). The break itself is dropped, parts that would be blank
    /// are left out, and each part keeps the formatting of its stretch of text, offsets counted from its start.
    public func split(maximumLength: Int = FormattedText.maximumMessageLength) -> [FormattedText] {
        precondition(maximumLength > 0, "a part needs room for at least one code unit")
        guard utf16Count > maximumLength else { return [self] }
        let units = Array(text.utf16)
        var parts: [FormattedText] = []
        var start = 0
        while start < units.count {
            let (end, next) = cut(units, from: start, maximumLength: maximumLength)
            let part = slice(units, from: start, to: end)
            if part.text.contains(where: { !$0.isWhitespace }) { parts.append(part) }
            start = next
        }
        return parts
    }

    /// Where the part starting at `start` ends, and where the next one starts (after a dropped break).
    private func cut(_ units: [UInt16], from start: Int, maximumLength: Int) -> (end: Int, next: Int) {
        let limit = start + maximumLength
        guard limit < units.count else { return (units.count, units.count) }
        // A break at `limit` itself still leaves the part before it whole.
        let window = (start + 1)...limit
        if let lineBreak = window.last(where: { units[$0] == 0x0A }) { return (lineBreak, lineBreak + 1) }
        if let space = window.last(where: { units[$0] == 0x20 || units[$0] == 0x09 }) { return (space, space + 1) }
        let end = lastCharacterBoundary(from: start, atMost: limit)
        return (end, end)
    }

    /// The last offset at most `limit` that ends a whole character, counting from `start`, itself a boundary.
    /// A single character longer than the limit (a long run of combining marks) is cut at `limit`.
    private func lastCharacterBoundary(from start: Int, atMost limit: Int) -> Int {
        let utf16 = text.utf16
        let startIndex = utf16.index(utf16.startIndex, offsetBy: start)
        var offset = start
        for character in text[startIndex...] {
            let width = character.utf16.count
            if offset + width > limit { break }
            offset += width
        }
        return offset > start ? offset : limit
    }

    /// The text between two UTF-16 offsets, with the entities that overlap it clipped to it.
    private func slice(_ units: [UInt16], from start: Int, to end: Int) -> FormattedText {
        let text = String(decoding: units[start..<end], as: UTF16.self)
        let entities = entities.compactMap { entity -> MessageEntity? in
            let lower = max(entity.offset, start)
            let upper = min(entity.offset + entity.length, end)
            guard upper > lower else { return nil }
            var clipped = entity
            clipped.offset = lower - start
            clipped.length = upper - lower
            return clipped
        }
        return FormattedText(text: text, entities: entities)
    }
}
