import Ferry

/// The showcase's per-chat session.
struct CounterSession: Codable, Sendable {
    var count = 0
}

/// `/count`: a number kept in the chat's session, changed with buttons that edit the message.
enum CounterFeature {
    enum Action: String, Codable, Sendable {
        case decrement, increment, reset
    }

    static let prefix = "count:"

    static func register(on bot: Bot) {
        bot.command("count", description: "A counter kept in your chat's session", localized: ["de": "Ein Zähler in der Sitzung des Chats"]) { ctx, _ in
            let count = try ctx.session(CounterSession.self).value.count
            try await ctx.reply(text(count), replyMarkup: try keyboard())
        }
        bot.callbackQuery(Action.self, prefix: prefix) { ctx, action in
            let session = try ctx.session(CounterSession.self)
            let before = session.value.count
            let after = session.update { counter in
                switch action {
                case .decrement: counter.count -= 1
                case .increment: counter.count += 1
                case .reset: counter.count = 0
                }
                return counter.count
            }
            try await ctx.answerCallbackQuery()
            // Telegram refuses an edit that changes nothing ("message is not modified").
            guard after != before else { return }
            try await ctx.editMessageText(text(after), replyMarkup: try keyboard().markup)
        }
    }

    static func text(_ count: Int) -> String { "Count: \(count)" }

    static func keyboard() throws -> InlineKeyboard {
        try InlineKeyboard()
            .button("-1", payload: Action.decrement, prefix: prefix)
            .button("+1", payload: Action.increment, prefix: prefix)
            .row()
            .button("Reset", payload: Action.reset, prefix: prefix)
    }
}
