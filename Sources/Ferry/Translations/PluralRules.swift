/// Which plural form a count takes in a language, by the Unicode CLDR's cardinal rules for whole numbers.
public enum PluralCategory: String, Sendable, Hashable, CaseIterable, Codable {
    case zero, one, two, few, many, other
}

/// The CLDR cardinal plural rules for whole numbers. Languages are named by their code, region dropped
/// ("pt-BR" is "pt"); one without rules here takes `other` for every count, as Indonesian does.
public enum PluralRules {
    /// The languages with rules of their own (every other language has only `other`).
    public static let languages: Set<String> = ["en", "de", "es", "pt", "ru", "uk", "ar", "fa", "tr", "it", "nl", "fr", "pl"]

    public static func category(for count: Int, language: String) -> PluralCategory {
        let n = count.magnitude
        let mod10 = n % 10, mod100 = n % 100
        switch baseLanguage(language) {
        case "en", "de", "it", "nl", "tr":
            return n == 1 ? .one : .other
        case "es":
            if n == 1 { return .one }
            return n != 0 && n % 1_000_000 == 0 ? .many : .other
        case "pt", "fr":
            // Portuguese (Brazil, the CLDR default) and French say "one" for 0 and 1.
            if n <= 1 { return .one }
            return n % 1_000_000 == 0 ? .many : .other
        case "fa":
            return n <= 1 ? .one : .other
        case "ru", "uk":
            if mod10 == 1 && mod100 != 11 { return .one }
            if (2...4).contains(mod10) && !(12...14).contains(mod100) { return .few }
            return .many
        case "pl":
            if n == 1 { return .one }
            if (2...4).contains(mod10) && !(12...14).contains(mod100) { return .few }
            return .many
        case "ar":
            switch n {
            case 0: return .zero
            case 1: return .one
            case 2: return .two
            default:
                if (3...10).contains(mod100) { return .few }
                if (11...99).contains(mod100) { return .many }
                return .other
            }
        default:
            return .other
        }
    }

    /// "pt-BR", "pt_br" -> "pt".
    static func baseLanguage(_ code: String) -> String {
        String(code.lowercased().prefix { $0 != "-" && $0 != "_" })
    }
}
