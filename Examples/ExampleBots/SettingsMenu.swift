import Ferry

/// `/settings`: an inline menu with a submenu. The greeting is computed for each user, the language buttons
/// mark the user's current language and switch it (``LanguageFeature``), and "Back" returns to the main menu;
/// every press edits the menu in place.
enum SettingsMenu {
    static func make() -> Menu {
        let languages = Menu("lang")
        for locale in LanguageFeature.translations.locales {
            languages.text({ ctx in (ctx.locale == locale ? "✓ " : "") + locale }) { ctx, menu in
                try ctx.setLocale(locale)
                menu.toast(ctx.t("language.changed"))
                menu.update()
            }
        }
        languages.row().back("« Back")
        return Menu("settings")
            .text({ ctx in "👋 \(ctx.from?.firstName ?? "?")" }) { ctx, menu in menu.toast("id \(ctx.from?.id ?? 0)") }
            .row()
            .submenu({ ctx in "🌐 " + ctx.t("language.name") }, to: languages)
    }

    static func register(on bot: Bot) {
        let menu = make()
        bot.use(menu)
        bot.command("settings", description: "Settings in an inline menu", localized: ["de": "Einstellungen im Menü"]) { ctx in
            try await ctx.reply("Settings", replyMarkup: try await menu.keyboard(for: ctx))
        }
    }
}
