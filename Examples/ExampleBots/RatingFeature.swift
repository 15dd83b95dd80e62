import Ferry

/// `/rate`: an inline keyboard whose buttons carry typed callback data.
enum RatingFeature {
    /// What a rating button carries; `"rate:"` tells it apart from other buttons' data.
    struct Rating: Codable, Sendable {
        var stars: Int
    }

    static let prefix = "rate:"
    static let stars = 1...5

    static func register(on bot: Bot) {
        bot.command("rate", description: "Rate Ferry with inline buttons", localized: ["de": "Ferry mit Knöpfen bewerten"]) { ctx, _ in
            var keyboard = InlineKeyboard()
            for count in stars {
                keyboard = try keyboard.button(String(repeating: "⭐", count: count), payload: Rating(stars: count), prefix: prefix)
                if count == 3 { keyboard = keyboard.row() }
            }
            try await ctx.reply("How do you like Ferry?", replyMarkup: keyboard)
        }
        bot.callbackQuery(Rating.self, prefix: prefix) { ctx, rating in
            // Callback data comes from the client and can be forged: check it like any input.
            guard stars.contains(rating.stars) else {
                try await ctx.answerCallbackQuery(text: "That is not a rating.")
                return
            }
            try await ctx.answerCallbackQuery(text: "Thanks!")
            try await ctx.editMessageText("You rated Ferry \(rating.stars)/\(stars.upperBound). Thank you!")
        }
    }
}
