/// How spec names become Swift names.
enum Naming {
    /// Words written in capitals inside a name, per the Swift API guidelines: `chat_id` -> `chatID`.
    static let acronyms: [String: String] = ["id": "ID", "ids": "IDs", "url": "URL", "urls": "URLs"]

    static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
        "inout", "internal", "let", "open", "operator", "private", "precedencegroup", "protocol", "public",
        "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
        "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return",
        "throw", "switch", "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self",
        "super", "throws", "true", "try", "Type", "Protocol",
    ]

    /// `reply_to_message` -> `replyToMessage`, `chat_id` -> `chatID`.
    static func camelCase(_ snake: String) -> String {
        let words = snake.split(separator: "_").map(String.init)
        guard let first = words.first else { return snake }
        return first + words.dropFirst().map { acronyms[$0] ?? ($0.prefix(1).uppercased() + $0.dropFirst()) }.joined()
    }

    /// `sendMessage` -> `SendMessage`.
    static func upperFirst(_ name: String) -> String { name.prefix(1).uppercased() + name.dropFirst() }

    /// `InlineKeyboardMarkup` -> `inlineKeyboardMarkup`.
    static func lowerFirst(_ name: String) -> String { name.prefix(1).lowercased() + name.dropFirst() }

    /// A name usable as a declaration: keywords get backticks.
    static func identifier(_ name: String) -> String { keywords.contains(name) ? "`\(name)`" : name }

    /// `InlineQueryResultMpeg4Gif` -> ["Inline", "Query", "Result", "Mpeg4", "Gif"].
    static func words(_ camel: String) -> [String] {
        var words: [String] = []
        for character in camel {
            if character.isUppercase || words.isEmpty {
                words.append(String(character))
            } else {
                words[words.count - 1].append(character)
            }
        }
        return words
    }

    /// Case names for the members of a union: the words all members share at the start and the end
    /// are dropped, so `ChatMemberOwner` is `.owner` and `InputTextMessageContent` is `.text`.
    static func caseNames(for members: [String]) -> [String] {
        let split = members.map(words)
        let shortest = split.map(\.count).min() ?? 0
        var prefix = 0
        while prefix < shortest - 1, Set(split.map { $0[prefix] }).count == 1 { prefix += 1 }
        var suffix = 0
        while prefix + suffix < shortest - 1, Set(split.map { $0[$0.count - 1 - suffix] }).count == 1 { suffix += 1 }
        return split.map { lowerFirst($0[prefix..<($0.count - suffix)].joined()) }
    }
}
