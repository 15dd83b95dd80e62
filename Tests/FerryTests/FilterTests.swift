import Ferry
import FerryTesting
import TelegramBotAPI
import Testing

@Suite struct FilterTests {
    @Test func textNarrowsToNonOptionalString() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.on(.text) { _, text in trace.record("text \(text.uppercased())") }
        bot.onAny { ctx in trace.record("other \(ctx.update.kind)") }
        try await bot.handle(UpdateFactory.message(text: "hi"))
        try await bot.handle(UpdateFactory.photo(caption: "cap"))
        try await bot.handle(UpdateFactory.editedMessage(text: "edited"))
        #expect(trace.all == ["text HI", "other message", "other edited_message"])
    }

    @Test func textAsParsesTypedValues() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.on(.text(as: Int.self)) { _, number in trace.record("int \(number + 1)") }
        bot.on(.text(as: Double.self)) { _, number in trace.record("double \(number)") }
        bot.on(.text) { _, text in trace.record("text \(text)") }
        for text in ["41", "  7\n", "2.5", "4 2", "", " "] {
            try await bot.handle(UpdateFactory.message(text: text))
        }
        #expect(trace.all == ["int 42", "int 8", "double 2.5", "text 4 2", "text ", "text  "])
    }

    @Test func photoGivesSizes() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.on(.photo) { _, sizes in trace.record("\(sizes.count) \(sizes.last?.fileID ?? "")") }
        bot.on(.document) { _, document in trace.record(document.fileName ?? "") }
        bot.on(.location) { _, location in trace.record("\(location.latitude)") }
        try await bot.handle(UpdateFactory.photo())
        try await bot.handle(UpdateFactory.document(fileName: "a.pdf"))
        try await bot.handle(UpdateFactory.location(latitude: 52.5, longitude: 13.4))
        try await bot.handle(UpdateFactory.message(text: "no photo"))
        #expect(trace.all == ["2 photo-large", "a.pdf", "52.5"])
    }

    @Test func andOrNotCompose() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.on(Filter.text.and(.chatType(.private))) { _, text in trace.record("private \(text)") }
        bot.on(Filter.text.and(Filter.command("skip").not())) { _, text in trace.record("group \(text)") }
        bot.on(Filter.photo.map { _ in "media" }.or(Filter.document.map { _ in "media" })) { _, kind in trace.record(kind) }
        bot.onAny { _ in trace.record("rest") }

        try await bot.handle(UpdateFactory.message(text: "a"))
        try await bot.handle(UpdateFactory.message(text: "b", chatID: -5, chatType: "group"))
        try await bot.handle(UpdateFactory.message(text: "/skip", chatID: -5, chatType: "group"))
        try await bot.handle(UpdateFactory.photo(chatID: -5))
        try await bot.handle(UpdateFactory.document())
        #expect(trace.all == ["private a", "group b", "rest", "media", "media"])
    }

    @Test func updateKindFilters() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.on(.callbackQuery(data: "yes")) { _, query in trace.record("yes from \(query.from.id)") }
        bot.on(.inlineQuery) { _, query in trace.record("inline \(query.query)") }
        bot.on(.preCheckoutQuery) { _, query in trace.record("pay \(query.invoicePayload)") }
        bot.on(.channelPost) { _, post in trace.record("post \(post.text ?? "")") }
        bot.on(.editedMessage) { _, message in trace.record("edit \(message.text ?? "")") }
        bot.on(Filter.kind(.callbackQuery)) { _, _ in trace.record("other button") }

        try await bot.handle(UpdateFactory.callbackQuery(data: "yes"))
        try await bot.handle(UpdateFactory.callbackQuery(data: "no"))
        try await bot.handle(UpdateFactory.inlineQuery(query: "cats"))
        try await bot.handle(UpdateFactory.preCheckoutQuery(payload: "order-1"))
        try await bot.handle(UpdateFactory.channelPost(text: "news"))
        try await bot.handle(UpdateFactory.editedMessage(text: "fix"))
        #expect(trace.all == ["yes from \(UpdateFactory.user.id)", "other button", "inline cats", "pay order-1", "post news", "edit fix"])
    }

    @Test func branchSeesOnlyMatchingUpdates() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        let admin = bot.filter(Filter.from(1))
        admin.command("ban") { _, _ in trace.record("banned") }
        bot.command("ban") { _, _ in trace.record("not allowed") }
        try await bot.handle(UpdateFactory.message(text: "/ban", from: User(id: 1, isBot: false, firstName: "Admin")))
        try await bot.handle(UpdateFactory.message(text: "/ban"))
        #expect(trace.all == ["banned", "not allowed"])
    }
}
