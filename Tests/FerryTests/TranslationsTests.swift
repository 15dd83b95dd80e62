import Ferry
import FerryTesting
import Foundation
import Logging
import Synchronization
import TelegramBotAPI
import Testing

@Suite struct PluralRulesTests {
    /// Counts 0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 111, 1,000,000 and the form each takes, by CLDR.
    static let counts = [0, 1, 2, 3, 5, 11, 21, 22, 25, 101, 111, 1_000_000]
    static let expected: [String: String] = [
        "en": "other one other other other other other other other other other other",
        "de": "other one other other other other other other other other other other",
        "tr": "other one other other other other other other other other other other",
        "es": "other one other other other other other other other other other many",
        "pt": "one one other other other other other other other other other many",
        "fa": "one one other other other other other other other other other other",
        "id": "other other other other other other other other other other other other",
        "ru": "many one few few many many one few many one many many",
        "uk": "many one few few many many one few many one many many",
        "ar": "zero one two few few many many many many other many other",
    ]

    @Test(arguments: expected.keys.sorted())
    func formsFollowCLDR(language: String) {
        let forms = Self.counts.map { PluralRules.category(for: $0, language: language).rawValue }.joined(separator: " ")
        #expect(forms == Self.expected[language], "\(language)")
    }

    @Test func regionsTakeTheirLanguagesRules() {
        #expect(PluralRules.category(for: 3, language: "ru-RU") == .few)
        #expect(PluralRules.category(for: 0, language: "pt_BR") == .one)
    }
}

@Suite struct TranslationsTests {
    let translations = try! Translations(json: [
        "en": #"{"hi": "Hello, {name}!", "apples": {"one": "{count} apple", "other": "{count} apples"}, "only.en": "English only"}"#,
        "ru": #"{"hi": "Привет, {name}!", "apples": {"one": "{count} яблоко", "few": "{count} яблока", "many": "{count} яблок", "other": "{count} яблока"}}"#,
        "pt": #"{"hi": "Olá, {name}!"}"#,
    ], fallback: "en")

    @Test func messagesAreFilledAndPluralizedPerLocale() {
        #expect(translations.translate("hi", locale: "ru", arguments: ["name": "Ada"]) == "Привет, Ada!")
        #expect(translations.translate("apples", locale: "en", count: 1) == "1 apple")
        #expect(translations.translate("apples", locale: "ru", count: 3) == "3 яблока")
        #expect(translations.translate("apples", locale: "ru", count: 25) == "25 яблок")
        #expect(translations.translate("apples", locale: "ru", count: 21) == "21 яблоко")
    }

    @Test func theLocaleComesFromTheAppLanguageRegionDroppedElseTheFallback() {
        #expect(translations.locale(for: "ru") == "ru")
        #expect(translations.locale(for: "pt-br") == "pt")
        #expect(translations.locale(for: "fr") == "en")
        #expect(translations.locale(for: nil) == "en")
    }

    @Test func filesInADirectoryLoadAndMistakesAreSaidInWords() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-i18n-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try #"{"hi": "Hallo!"}"#.write(toFile: directory + "/de.json", atomically: true, encoding: .utf8)
        try #"{"hi": "Hello!"}"#.write(toFile: directory + "/en.json", atomically: true, encoding: .utf8)
        let loaded = try Translations(directory: directory, fallback: "en")
        #expect(loaded.locales == ["de", "en"])
        #expect(loaded.translate("hi", locale: "de") == "Hallo!")

        let badForm = #expect(throws: TranslationsError.self) { try Translations(json: ["en": #"{"x": {"single": "a", "other": "b"}}"#], fallback: "en") }
        #expect(badForm?.description.contains("\"single\" is not a plural form") == true)
        let noOther = #expect(throws: TranslationsError.self) { try Translations(json: ["en": #"{"x": {"one": "a"}}"#], fallback: "en") }
        #expect(noOther?.description.contains("need \"other\"") == true)
        let noFallback = #expect(throws: TranslationsError.self) { try Translations(json: ["de": "{}"], fallback: "en") }
        #expect(noFallback?.description.contains("the fallback locale \"en\" has no messages") == true)
    }

    @Test func theMiddlewareSpeaksTheAppsLanguageUntilTheUserChoosesAndKeepsTheChoice() async throws {
        let store = InMemorySessionStore()
        let (bot, api) = makeBot()
        bot.use(I18n(translations, store: store))
        bot.command("hi") { ctx in try await ctx.reply(ctx.t("hi", ["name": ctx.from?.firstName ?? ""])) }
        bot.command("apples") { ctx in try await ctx.reply(ctx.t("apples", count: 5)) }
        bot.command("ru") { ctx in try ctx.setLocale("ru") }
        bot.command("xx") { ctx in try ctx.setLocale("xx") }
        let anna = User(id: 9, isBot: false, firstName: "Anna", languageCode: "pt-BR")

        try await bot.handle(UpdateFactory.message(text: "/hi", from: anna))
        try await bot.handle(UpdateFactory.message(text: "/ru", from: anna))
        try await bot.handle(UpdateFactory.message(text: "/hi", from: anna))
        try await bot.handle(UpdateFactory.message(text: "/apples", from: anna))
        try await bot.handle(UpdateFactory.message(text: "/hi"))  // Ada, app in English
        #expect(api.sentTexts == ["Olá, Anna!", "Привет, Anna!", "5 яблок", "Hello, Ada!"])
        await #expect(throws: TranslationsError.self) { try await bot.handle(UpdateFactory.message(text: "/xx", from: anna)) }
    }

    @Test func aMissingKeyFallsBackOrShowsItselfAndIsLogged() async throws {
        let lines = LogLines()
        let api = BotAPIRecorder()
        let bot = Bot(api: api, username: "OurBot", logger: Logger(label: "test") { _ in lines })
        bot.use(I18n(translations))
        bot.command("missing") { ctx in
            try await ctx.reply(ctx.t("only.en"))
            try await ctx.reply(ctx.t("nowhere"))
        }
        let ru = User(id: 10, isBot: false, firstName: "Ivan", languageCode: "ru")
        try await bot.handle(UpdateFactory.message(text: "/missing", from: ru))
        #expect(api.sentTexts == ["English only", "nowhere"])
        #expect(lines.all.contains { $0.hasPrefix("warning translation missing; using the fallback locale's") && $0.contains("key=only.en") && $0.contains("locale=ru") })
        #expect(lines.all.contains { $0.hasPrefix("error translation missing in the fallback locale too") && $0.contains("key=nowhere") })
    }
}

/// A log handler keeping "level message key=value ..." lines.
final class LogLines: LogHandler, Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }

    var logLevel: Logger.Level {
        get { .trace }
        set {}
    }
    var metadata: Logger.Metadata {
        get { [:] }
        set {}
    }
    subscript(metadataKey _: String) -> Logger.Metadata.Value? {
        get { nil }
        set {}
    }

    func log(event: LogEvent) {
        let metadata = (event.metadata ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        lines.withLock { $0.append("\(event.level) \(event.message) \(metadata)") }
    }
}
