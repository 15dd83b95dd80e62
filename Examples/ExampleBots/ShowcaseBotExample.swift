public import Ferry

/// A tour of the framework in one bot: typed inline buttons (`/rate`), a counter kept in the
/// session (`/count`) and a multi-step conversation (`/survey`). Its state goes to `sessions`:
/// the command line passes an SQLite store, so counters and surveys in progress survive restarts.
public enum ShowcaseBotExample {
    public static let welcome = """
        Hi! I'm the Ferry showcase bot. Try:
        /rate - rate Ferry with inline buttons
        /count - a counter kept in your chat's session
        /survey - a short conversation (/cancel stops it)
        /whoami - your name and id, formatted
        /lang - the language I speak with you
        /settings - an inline menu with a submenu
        Send me a text file and I'll count its lines,
        or several photos at once and I'll count them.
        """

    public static func register(on bot: Bot, sessions: any SessionStore) {
        // Middleware that loads the chat's session before the handlers below and saves it after.
        bot.use(session(initial: CounterSession(), store: sessions))
        // The user's language for `ctx.t`, their choice kept in the same store.
        bot.use(I18n(LanguageFeature.translations, store: sessions))
        AlbumFeature.register(on: bot, store: sessions)
        // First among the handlers: a survey in progress sees the chat's updates before the others.
        SurveyConversation.register(on: bot, store: sessions)
        bot.command("start", "help") { ctx, _ in try await ctx.reply(welcome) }
        RatingFeature.register(on: bot)
        CounterFeature.register(on: bot)
        ProfileFeature.register(on: bot)
        LanguageFeature.register(on: bot)
        SettingsMenu.register(on: bot)
        DocumentFeature.register(on: bot)
    }
}
