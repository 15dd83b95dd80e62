#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A bot's messages in every language it speaks, loaded from one JSON file per locale (`en.json`, `de.json`,
/// `pt-br.json`). A message is a text with `{placeholders}`, or an object of plural forms by CLDR category
/// (`zero`, `one`, `two`, `few`, `many`, `other`; `other` is required):
///
/// ```json
/// { "welcome": "Hello, {name}!",
///   "apples": { "one": "{count} apple", "other": "{count} apples" } }
/// ```
///
/// Keys may contain dots to group them (`"menu.title"`); the files are flat. A locale lacking a key falls back
/// to `fallback`, the locale every key must exist in.
public struct Translations: Sendable {
    /// One message: a text, or plural forms.
    public enum Message: Sendable, Hashable, Decodable {
        case text(String)
        case plural([PluralCategory: String])

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self = .text(text)
                return
            }
            let forms = try container.decode([String: String].self)
            var plural: [PluralCategory: String] = [:]
            for (name, text) in forms {
                guard let category = PluralCategory(rawValue: name) else {
                    throw DecodingError.dataCorruptedError(
                        in: container, debugDescription: "\"\(name)\" is not a plural form: use zero, one, two, few, many or other"
                    )
                }
                plural[category] = text
            }
            guard plural[.other] != nil else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "plural forms need \"other\", the form every language has")
            }
            self = .plural(plural)
        }
    }

    /// Messages by locale (lowercased), then key.
    public let catalogs: [String: [String: Message]]
    public let fallback: String

    public init(catalogs: [String: [String: Message]], fallback: String) throws(TranslationsError) {
        let catalogs = Dictionary(catalogs.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
        guard catalogs[fallback.lowercased()] != nil else {
            throw TranslationsError("the fallback locale \"\(fallback)\" has no messages; the locales are \(catalogs.keys.sorted())")
        }
        self.catalogs = catalogs
        self.fallback = fallback.lowercased()
    }

    /// Catalogs given as JSON texts by locale, such as files embedded in the binary.
    public init(json: [String: String], fallback: String) throws(TranslationsError) {
        var catalogs: [String: [String: Message]] = [:]
        for (locale, text) in json {
            catalogs[locale] = try Self.decode(Array(text.utf8), name: "the \(locale) messages")
        }
        try self.init(catalogs: catalogs, fallback: fallback)
    }

    /// Every `<locale>.json` in `directory`.
    public init(directory: String, fallback: String) throws(TranslationsError) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        } catch {
            throw TranslationsError("cannot list the translations in \(directory): \(error)")
        }
        var catalogs: [String: [String: Message]] = [:]
        for name in names {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else { throw TranslationsError("cannot read \(path)") }
            catalogs[String(name.dropLast(".json".count))] = try Self.decode(Array(data), name: path)
        }
        try self.init(catalogs: catalogs, fallback: fallback)
    }

    private static func decode(_ bytes: [UInt8], name: String) throws(TranslationsError) -> [String: Message] {
        do {
            return try JSONDecoder().decode([String: Message].self, from: Data(bytes))
        } catch {
            throw TranslationsError("\(name) is not a JSON object of messages (\"key\": \"text\" or \"key\": {\"one\": ..., \"other\": ...}): \(error)")
        }
    }

    public var locales: [String] { catalogs.keys.sorted() }

    /// The locale to speak to someone whose app is in `languageCode`: itself when there are messages for it,
    /// else its language without the region ("pt-br" -> "pt"), else the fallback.
    public func locale(for languageCode: String?) -> String {
        guard let code = languageCode?.lowercased().replacing("_", with: "-") else { return fallback }
        if catalogs[code] != nil { return code }
        let base = PluralRules.baseLanguage(code)
        return catalogs[base] != nil ? base : fallback
    }

    /// The message `key` in `locale`, plural form for `count` chosen, `{name}`s replaced from `arguments` (and
    /// `{count}` from `count`). A key the locale lacks is taken from the fallback; `missing` hears about it either way.
    /// `nil` when even the fallback lacks it.
    public func translate(
        _ key: String,
        locale: String,
        count: Int? = nil,
        arguments: [String: String] = [:],
        missing: (_ locale: String) -> Void = { _ in }
    ) -> String? {
        let locale = locale.lowercased()
        var chosenLocale = locale
        var message = catalogs[locale]?[key]
        if message == nil {
            missing(locale)
            if locale != fallback {
                chosenLocale = fallback
                message = catalogs[fallback]?[key]
                if message == nil { missing(fallback) }
            }
        }
        guard let message else { return nil }
        var text: String
        switch message {
        case .text(let plain):
            text = plain
        case .plural(let forms):
            let category = PluralRules.category(for: count ?? 0, language: chosenLocale)
            text = forms[category] ?? forms[.other] ?? ""
        }
        var values = arguments
        if let count { values["count"] = String(count) }
        for (name, value) in values {
            text = text.replacing("{\(name)}", with: value)
        }
        return text
    }
}

public struct TranslationsError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
