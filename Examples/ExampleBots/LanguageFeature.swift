import Ferry

/// `/lang`: the bot's messages in the user's language (their Telegram app's, or the one they pick with
/// `/lang de`), kept per user. The messages are JSON catalogs, one per locale, embedded here so the bot's
/// binary carries them wherever it runs (a Lambda zip holds only the binary); `Translations(directory:)` reads
/// the same files from disk instead.
enum LanguageFeature {
    static let catalogs = [
        "en": #"""
        {
          "language.name": "English",
          "language.current": "I speak {language} with you.",
          "language.available": { "one": "{count} language to choose from: {list}", "other": "{count} languages to choose from: {list}" },
          "language.changed": "From now on I speak English with you.",
          "language.unknown": "I don't speak \"{language}\". Choose one of: {list}"
        }
        """#,
        "de": #"""
        {
          "language.name": "Deutsch",
          "language.current": "Ich spreche {language} mit dir.",
          "language.available": { "one": "{count} Sprache zur Wahl: {list}", "other": "{count} Sprachen zur Wahl: {list}" },
          "language.changed": "Ab jetzt spreche ich Deutsch mit dir."
        }
        """#,
        "ru": #"""
        {
          "language.name": "русский",
          "language.current": "Я говорю с тобой на языке: {language}.",
          "language.available": {
            "one": "{count} язык на выбор: {list}", "few": "{count} языка на выбор: {list}", "many": "{count} языков на выбор: {list}",
            "other": "{count} языка на выбор: {list}"
          },
          "language.changed": "Теперь я говорю с тобой по-русски.",
          "language.unknown": "Я не говорю на «{language}». Выбери: {list}"
        }
        """#,
    ]

    /// The catalogs above; they are constants the tests load, so failing here is a bug in this file.
    static let translations: Translations = {
        do {
            return try Translations(json: catalogs, fallback: "en")
        } catch {
            fatalError("the showcase's translations do not load: \(error)")
        }
    }()

    static func register(on bot: Bot) {
        bot.command("lang", description: "Choose your language", localized: ["de": "Sprache wählen"]) { ctx, command in
            let list = translations.locales.joined(separator: ", ")
            let wanted = command.argumentList.first?.lowercased() ?? ""
            guard !wanted.isEmpty else {
                let current = ctx.t("language.current", ["language": ctx.t("language.name")])
                try await ctx.reply(current + "\n" + ctx.t("language.available", count: translations.locales.count, ["list": list]))
                return
            }
            guard translations.locales.contains(wanted) else {
                try await ctx.reply(ctx.t("language.unknown", ["language": wanted, "list": list]))
                return
            }
            try ctx.setLocale(wanted)
            try await ctx.reply(ctx.t("language.changed"))
        }
    }
}
