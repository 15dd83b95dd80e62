import Ferry
import FerryTesting
import TelegramBotAPI
import Testing

@Suite struct ConversationTests {
    enum Step: String, Codable, Sendable { case name, age, confirm }

    struct Answers: Codable, Sendable, Equatable {
        var name = ""
        var age = 0
    }

    typealias SignUp = Conversation<Step, Answers>

    /// A bot with a three-step sign-up and a few ordinary handlers around it, built fresh over
    /// `store` as a restarted process would build it.
    func signUpBot(store: any SessionStore) -> (Bot, BotAPIRecorder, SignUp) {
        let (bot, api) = makeBot()
        let signUp = SignUp("sign-up", initial: Answers(), store: store)
        signUp.step(.name, .text) { ctx, state, name in
            state.data.name = name
            state.go(to: .age)
            try await ctx.reply("How old are you, \(name)?")
        }
        signUp.step(.age, Filter.text(as: Int.self).where { (1...130).contains($0) }) { ctx, state, age in
            state.data.age = age
            state.go(to: .confirm)
            try await ctx.reply("\(state.data.name), \(age). Correct? (yes/no)")
        }
        signUp.step(.age) { ctx, _ in try await ctx.reply("Please send your age as a number from 1 to 130.") }
        // Registered before the confirm step's text handler, which would take `/help` as an answer.
        signUp.step(.confirm, .command("help")) { _, state, _ in state.passOn() }
        signUp.step(.confirm, .text) { ctx, state, answer in
            switch answer.lowercased() {
            case "yes":
                let answers = state.data
                state.leave()
                try await ctx.reply("Signed up: \(answers.name), \(answers.age).")
            case "no":
                state.enter(at: .name, with: Answers())
                try await ctx.reply("Let's start over. What is your name?")
            default:
                try await ctx.reply("Please answer yes or no.")
            }
        }
        signUp.onCancel { ctx, answers in try await ctx.reply("Cancelled (had \"\(answers.name)\").") }

        bot.use(signUp)
        bot.command("signup") { ctx, _ in
            try signUp.enter(ctx, at: .name)
            try await ctx.reply("What is your name?")
        }
        bot.command("help") { ctx, _ in try await ctx.reply("help text") }
        bot.command("cancel") { ctx, _ in try await ctx.reply("Nothing to cancel.") }
        bot.on(.text) { ctx, text in try await ctx.reply("echo: \(text)") }
        return (bot, api, signUp)
    }

    @Test func walksTheStepsReAsksAndLeaves() async throws {
        let store = InMemorySessionStore()
        let (bot, api, _) = signUpBot(store: store)
        for text in ["hello", "/signup", "Ada", "old", "300", " 36 ", "maybe", "yes", "hello again"] {
            try await bot.handle(UpdateFactory.message(text: text))
        }
        #expect(api.sentTexts == [
            "echo: hello",
            "What is your name?",
            "How old are you, Ada?",
            "Please send your age as a number from 1 to 130.",
            "Please send your age as a number from 1 to 130.",
            "Ada, 36. Correct? (yes/no)",
            "Please answer yes or no.",
            "Signed up: Ada, 36.",
            "echo: hello again",
        ])
        // Leaving deletes the stored state; nothing else was ever written.
        #expect(store.keys.isEmpty)
    }

    @Test func survivesARestartOverTheSameStore() async throws {
        let store = InMemorySessionStore()
        let (first, firstAPI, _) = signUpBot(store: store)
        try await first.handle(UpdateFactory.message(text: "/signup"))
        try await first.handle(UpdateFactory.message(text: "Ada"))
        #expect(firstAPI.sentTexts.last == "How old are you, Ada?")
        let chat = UpdateFactory.user.id
        #expect(store.keys == ["conversation:sign-up:\(chat):\(chat)"])

        // A new process: new bot, new conversation object, same store.
        let (second, secondAPI, _) = signUpBot(store: store)
        try await second.handle(UpdateFactory.message(text: "36"))
        try await second.handle(UpdateFactory.message(text: "yes"))
        #expect(secondAPI.sentTexts == ["Ada, 36. Correct? (yes/no)", "Signed up: Ada, 36."])
        #expect(store.keys.isEmpty)
    }

    @Test func cancelLeavesFromAnyStepAndIsOrdinaryOutside() async throws {
        let store = InMemorySessionStore()
        let (bot, api, _) = signUpBot(store: store)
        for text in ["/cancel", "/signup", "Ada", "/CANCEL@OurBot", "Ada"] {
            try await bot.handle(UpdateFactory.message(text: text))
        }
        #expect(api.sentTexts == [
            "Nothing to cancel.",
            "What is your name?",
            "How old are you, Ada?",
            "Cancelled (had \"Ada\").",
            "echo: Ada",
        ])
        #expect(store.keys.isEmpty)
    }

    @Test func activeConversationOwnsUpdatesUnlessAStepPassesThemOn() async throws {
        let (bot, api, _) = signUpBot(store: InMemorySessionStore())
        try await bot.handle(UpdateFactory.message(text: "/signup"))
        // In the name step `/help` is text like any other: the step takes it as the name.
        try await bot.handle(UpdateFactory.message(text: "/help"))
        try await bot.handle(UpdateFactory.message(text: "42"))
        // A photo matches no handler of the confirm step: dropped, not echoed or answered.
        try await bot.handle(UpdateFactory.photo())
        // The confirm step passes `/help` on to the ordinary handler.
        try await bot.handle(UpdateFactory.message(text: "/help"))
        try await bot.handle(UpdateFactory.message(text: "no"))
        try await bot.handle(UpdateFactory.message(text: "Grace"))
        #expect(api.sentTexts == [
            "What is your name?",
            "How old are you, /help?",
            "/help, 42. Correct? (yes/no)",
            "help text",
            "Let's start over. What is your name?",
            "How old are you, Grace?",
        ])
    }

    @Test func eachGroupMemberHasTheirOwnConversation() async throws {
        let store = InMemorySessionStore()
        let (bot, api, _) = signUpBot(store: store)
        let bob = User(id: 7, isBot: false, firstName: "Bob")
        try await bot.handle(UpdateFactory.message(text: "/signup", chatID: -100, chatType: "group"))
        try await bot.handle(UpdateFactory.message(text: "Bob here", chatID: -100, chatType: "group", from: bob))
        try await bot.handle(UpdateFactory.message(text: "Ada", chatID: -100, chatType: "group"))
        #expect(api.sentTexts == ["What is your name?", "echo: Bob here", "How old are you, Ada?"])
        #expect(store.keys == ["conversation:sign-up:-100:\(UpdateFactory.user.id)"])
    }

    @Test func failedUpdateDoesNotAdvanceTheStep() async throws {
        let (bot, api, _) = signUpBot(store: InMemorySessionStore())
        try await bot.handle(UpdateFactory.message(text: "/signup"))
        api.fail(SendMessage.self, with: TelegramAPIError(method: "sendMessage", errorCode: 500, description: "Internal Server Error"))
        await #expect(throws: TelegramAPIError.self) { try await bot.handle(UpdateFactory.message(text: "Ada")) }
        // The retry starts from the name step again.
        try await bot.handle(UpdateFactory.message(text: "Ada"))
        #expect(api.sentTexts.last == "How old are you, Ada?")
    }

    @Test func otherwiseTakesWhatNoStepTakesAndCanPassItOn() async throws {
        let (bot, api) = makeBot()
        let quiz = Conversation<Step, Answers>("quiz", initial: Answers())
        quiz.step(.name, .text) { ctx, state, name in
            state.leave()
            try await ctx.reply("Thanks, \(name)")
        }
        quiz.otherwise { ctx, state in
            if ctx.callbackQuery != nil { return state.passOn() }
            try await ctx.reply("Text, please.")
        }
        bot.use(quiz)
        bot.command("quiz") { ctx, _ in try quiz.enter(ctx, at: .name) }
        bot.on(.callbackQuery) { ctx, _ in try await ctx.answerCallbackQuery(text: "pressed") }

        try await bot.handle(UpdateFactory.message(text: "/quiz"))
        try await bot.handle(UpdateFactory.photo())
        try await bot.handle(UpdateFactory.callbackQuery(data: "x"))
        try await bot.handle(UpdateFactory.message(text: "Ada"))
        #expect(api.calls.map(\.method) == ["sendMessage", "answerCallbackQuery", "sendMessage"])
        #expect(api.sentTexts == ["Text, please.", "Thanks, Ada"])
    }

    @Test func twoConversationsOfOneTypeKeepApart() async throws {
        let (bot, api) = makeBot()
        let store = InMemorySessionStore()
        let first = Conversation<Step, Answers>("first", initial: Answers(), store: store)
        let second = Conversation<Step, Answers>("second", initial: Answers(), store: store)
        first.step(.name, .text) { ctx, state, text in state.leave(); try await ctx.reply("first: \(text)") }
        second.step(.name, .text) { ctx, state, text in state.leave(); try await ctx.reply("second: \(text)") }
        bot.use(first)
        bot.use(second)
        bot.command("second") { ctx, _ in
            #expect(try first.state(in: ctx).isActive == false)
            try second.enter(ctx, at: .name)
        }
        try await bot.handle(UpdateFactory.message(text: "/second"))
        try await bot.handle(UpdateFactory.message(text: "hi"))
        #expect(api.sentTexts == ["second: hi"])
    }

    @Test func stateOutsideTheMiddlewareThrows() async throws {
        let (bot, _) = makeBot()
        let orphan = Conversation<Step, Answers>("orphan", initial: Answers())
        bot.command("go") { ctx, _ in try orphan.enter(ctx, at: .name) }
        await #expect(throws: ConversationError(conversation: "orphan", updateKind: "message")) {
            try await bot.handle(UpdateFactory.message(text: "/go"))
        }
    }
}
