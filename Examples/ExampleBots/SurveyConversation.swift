import Ferry

/// `/survey`: a conversation that asks a name, then an age (re-asking until it is a number in
/// range), then confirms with Yes/No buttons. Its progress lives in the session store, so a
/// survey started before a restart goes on after it.
enum SurveyConversation {
    enum Step: String, Codable, Sendable {
        case name, age, confirm
    }

    struct Answers: Codable, Sendable {
        var name = ""
        var age = 0
    }

    /// The Yes/No buttons of the confirm step.
    struct Confirmation: Codable, Sendable {
        var yes: Bool
    }

    static let confirmationPrefix = "survey:"
    static let ages = 1...120
    static let maxNameLength = 64

    static let askName = "What is your name?"
    static let reAskName = "Please send your name as text (up to 64 characters), or /cancel to stop."
    static let reAskAge = "Please send your age as a whole number from 1 to 120, or /cancel to stop."
    static let reAskConfirmation = "Please tap Yes or No above, or /cancel to stop."

    typealias Survey = Conversation<Step, Answers>

    /// Registers the conversation and the `/survey` command that enters it. Call it before the
    /// bot's other handlers: while a survey is in progress, its steps see the chat's updates first.
    static func register(on bot: Bot, store: any SessionStore) {
        let survey = make(store: store)
        bot.use(survey)
        // Listed in private chats' menus only: a survey is a talk between one user and the bot.
        bot.command("survey", description: "A short conversation", scope: .allPrivateChats, localized: ["de": "Ein kurzes Gespräch"]) { ctx, _ in
            try survey.enter(ctx, at: .name)
            try await ctx.reply(askName)
        }
    }

    static func make(store: any SessionStore) -> Survey {
        let survey = Survey("survey", initial: Answers(), store: store)

        survey.step(.name, Filter.text.where { !$0.hasPrefix("/") && (1...maxNameLength).contains($0.count) }) { ctx, state, name in
            state.data.name = name
            state.go(to: .age)
            try await ctx.reply("Nice to meet you, \(name)! How old are you?")
        }
        survey.step(.name, .incomingMessage) { ctx, _, _ in try await ctx.reply(reAskName) }

        survey.step(.age, Filter.text(as: Int.self).where { ages.contains($0) }) { ctx, state, age in
            state.data.age = age
            state.go(to: .confirm)
            try await ctx.reply("\(state.data.name), \(age). Is that right?", replyMarkup: try confirmationKeyboard())
        }
        survey.step(.age, .incomingMessage) { ctx, _, _ in try await ctx.reply(reAskAge) }

        survey.step(.confirm, .callbackData(Confirmation.self, prefix: confirmationPrefix)) { ctx, state, confirmation in
            try await ctx.answerCallbackQuery()
            if confirmation.yes {
                let answers = state.data
                state.leave()
                try await ctx.editMessageText("Thanks, \(answers.name)! You are \(answers.age). Survey complete.")
            } else {
                state.enter(at: .name, with: Answers())
                try await ctx.editMessageText("Let's start over. \(askName)")
            }
        }
        survey.step(.confirm, .incomingMessage) { ctx, _, _ in try await ctx.reply(reAskConfirmation) }

        // Anything else (the counter's buttons, say) is not the survey's business: let it through.
        survey.otherwise { _, state in state.passOn() }
        survey.onCancel { ctx, _ in try await ctx.reply("Survey cancelled.") }
        return survey
    }

    static func confirmationKeyboard() throws -> InlineKeyboard {
        try InlineKeyboard()
            .button("Yes", payload: Confirmation(yes: true), prefix: confirmationPrefix)
            .button("No", payload: Confirmation(yes: false), prefix: confirmationPrefix)
    }
}
