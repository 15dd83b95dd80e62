/// Middleware that gives every update a locale and `ctx.t(...)`: the locale the user chose (kept in `store`,
/// per user, saved when the update succeeds, like a session), else the one of their Telegram app
/// (`language_code`), else the translations' fallback.
///
/// ```swift
/// bot.use(I18n(translations, store: resources.sessions))
/// bot.command("start") { ctx in try await ctx.reply(ctx.t("welcome", ["name": ctx.from?.firstName ?? ""])) }
/// bot.command("de") { ctx in try ctx.setLocale("de") }
/// ```
public struct I18n: Middleware {
    public let translations: Translations
    private let choices: SessionMiddleware<LocaleChoice>

    public init(_ translations: Translations, store: any SessionStore = InMemorySessionStore()) {
        self.translations = translations
        self.choices = SessionMiddleware(initial: { LocaleChoice() }, store: store, key: { ctx in ctx.from.map { "locale:\($0.id)" } })
    }

    public func handle(_ ctx: Context, next: Next) async throws {
        try await choices.withSession(ctx, orElse: {
            ctx[LocaleContextKey.self] = LocaleState(translations: translations, choice: nil, appLanguage: nil)
            try await next()
        }) { choice in
            ctx[LocaleContextKey.self] = LocaleState(translations: translations, choice: choice, appLanguage: ctx.from?.languageCode)
            try await next()
        }
    }

    /// None: it only prepares updates for the handlers after it.
    public var updateKinds: UpdateKindSet { .empty }
}

/// The locale a user picked, kept per user.
struct LocaleChoice: Codable, Sendable, Hashable {
    var locale: String?
}

struct LocaleState: Sendable {
    let translations: Translations
    let choice: Session<LocaleChoice>?
    let appLanguage: String?

    var locale: String {
        if let chosen = choice?.value.locale, translations.catalogs[chosen] != nil { return chosen }
        return translations.locale(for: appLanguage)
    }
}

enum LocaleContextKey: ContextKey {
    typealias Value = LocaleState
}

extension Context {
    /// The locale `ctx.t` speaks in for this update; the fallback's without ``I18n``.
    public var locale: String? {
        self[LocaleContextKey.self]?.locale
    }

    /// The message `key` in the update's locale, `{name}`s replaced from `arguments`. A key missing in the
    /// locale is taken from the fallback locale, and logged; one missing there too is logged as an error and
    /// shown as the key itself, so the user sees something and the log says what to add.
    public func t(_ key: String, _ arguments: [String: String] = [:]) -> String {
        translate(key, count: nil, arguments: arguments)
    }

    /// The plural form of `key` for `count` in the update's locale (`{count}` is filled in):
    /// `ctx.t("apples", count: 3)` is "3 apples", or "3 яблока" for a Russian user.
    public func t(_ key: String, count: Int, _ arguments: [String: String] = [:]) -> String {
        translate(key, count: count, arguments: arguments)
    }

    private func translate(_ key: String, count: Int?, arguments: [String: String]) -> String {
        guard let state = self[LocaleContextKey.self] else {
            logger.error("ctx.t(\"\(key)\") needs the I18n middleware: add `bot.use(I18n(translations))` before the handlers")
            return key
        }
        let locale = state.locale
        let text = state.translations.translate(key, locale: locale, count: count, arguments: arguments) { missingIn in
            if missingIn == state.translations.fallback {
                logger.error("translation missing in the fallback locale too; showing the key", metadata: ["key": "\(key)", "locale": "\(missingIn)"])
            } else {
                logger.warning("translation missing; using the fallback locale's", metadata: [
                    "key": "\(key)", "locale": "\(missingIn)", "fallback": "\(state.translations.fallback)",
                ])
            }
        }
        return text ?? key
    }

    /// Speaks `locale` to this user from now on (saved when the update succeeds); `nil` goes back to their app's language.
    /// Throws when there are no messages in `locale`.
    public func setLocale(_ locale: String?) throws {
        guard let state = self[LocaleContextKey.self], let choice = state.choice else {
            throw TranslationsError("ctx.setLocale needs the I18n middleware and an update from a user")
        }
        if let locale, state.translations.catalogs[locale.lowercased()] == nil {
            throw TranslationsError("no messages in \"\(locale)\"; the locales are \(state.translations.locales)")
        }
        choice.value.locale = locale?.lowercased()
    }
}
