import Ferry

/// `/whoami`: the user's own name and id, formatted with entities. A name with `<`, `*` or `_` in it
/// arrives as typed, since nothing is parsed as markup.
enum ProfileFeature {
    static func register(on bot: Bot) {
        bot.command("whoami", description: "Your name and id, formatted", localized: ["de": "Dein Name und deine ID, formatiert"]) { ctx in
            guard let user = ctx.from else { return }
            let name = [user.firstName, user.lastName].compactMap { $0 }.joined(separator: " ")
            let username = user.username.map { FormattedText(" (@\($0))") } ?? ""
            try await ctx.reply("You are \(bold: name)\(username), id \(code: user.id), language \(italic: user.languageCode ?? "unknown").")
        }
    }
}
