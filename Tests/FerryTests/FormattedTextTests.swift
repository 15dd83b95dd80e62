import Ferry
import FerryTesting
import TelegramBotAPI
import Testing

@Suite struct FormattedTextTests {
    func entity(_ type: String, _ offset: Int, _ length: Int, url: String? = nil, language: String? = nil) -> MessageEntity {
        MessageEntity(type: type, offset: offset, length: length, url: url, language: language)
    }

    @Test func interpolationsBecomeEntitiesOverTheTextAsTyped() {
        let name = "<Ada & *Bob*>"
        let text: FormattedText = "Hi \(bold: name), see \(link: "docs", url: "https://example.org") or run \(code: "swift build")"
        #expect(text.text == "Hi <Ada & *Bob*>, see docs or run swift build")
        #expect(text.entities == [
            entity("bold", 3, 13),
            entity("text_link", 22, 4, url: "https://example.org"),
            entity("code", 34, 11),
        ])
    }

    @Test func offsetsCountUTF16CodeUnitsAsTelegramDoes() {
        // "👩‍💻" is one character but five UTF-16 code units; "é" is one.
        let text: FormattedText = "👩‍💻 café \(italic: "done") \(pre: "let x = 1", language: "swift")"
        #expect(text.entities == [entity("italic", 11, 4), entity("pre", 16, 9, language: "swift")])
        #expect(text.utf16Count == text.text.utf16.count)
    }

    @Test func stylesNestWithTheOuterEntityFirst() {
        let inner: FormattedText = "b \(italic: "c")"
        let text: FormattedText = "a \(bold: inner)!"
        #expect(text.text == "a b c!")
        #expect(text.entities == [entity("bold", 2, 3), entity("italic", 4, 1)])
        let built = FormattedText("x") + .underline("y") + .spoiler(.strikethrough("z"))
        #expect(built.entities == [entity("underline", 1, 1), entity("spoiler", 2, 1), entity("strikethrough", 2, 1)])
        #expect(FormattedText.joined(["one", .bold("two")], separator: "\n").entities == [entity("bold", 4, 3)])
        #expect(FormattedText.bold("").entities.isEmpty, "Telegram refuses an entity of length zero")
    }

    @Test func parseModesEscapePlainText() {
        #expect(ParseMode.html.escape(#"<b>"Tom" & Jerry</b>"#) == "&lt;b&gt;&quot;Tom&quot; &amp; Jerry&lt;/b&gt;")
        #expect(ParseMode.markdownV2.escape(#"1+1=2. (a_b) *x* [y]! \"#) == #"1\+1\=2\. \(a\_b\) \*x\* \[y\]\! \\"#)
        #expect(ParseMode.markdown.escape("a_b *c* `d` [e]") == #"a\_b \*c\* \`d\` \[e]"#)
        #expect(ParseMode(rawValue: "html").escape("<") == "&lt;", "Telegram reads the mode's name in any case")
    }

    // MARK: Splitting

    @Test func aTextThatFitsIsOnePart() {
        let text = FormattedText(String(repeating: "a", count: 4096))
        #expect(text.split() == [text])
    }

    @Test func splitsAtTheLastLineBreakThatFitsAndDropsIt() {
        let first = String(repeating: "a", count: 3000)
        let second = String(repeating: "b", count: 2000)
        let parts = FormattedText(first + "\n" + second).split()
        #expect(parts.map(\.text) == [first, second])
    }

    @Test func withoutALineBreakSplitsAtTheLastSpace() {
        let words = Array(repeating: "word", count: 1200).joined(separator: " ")  // 5,999 code units
        let parts = FormattedText(words).split()
        #expect(parts.count == 2)
        #expect(parts.allSatisfy { $0.utf16Count <= 4096 && !$0.text.hasPrefix(" ") && !$0.text.hasSuffix(" ") })
        #expect(parts.map(\.text).joined(separator: " ") == words)
    }

    @Test func withoutAnyBreakCutsBetweenCharactersNeverInsideOne() {
        // 4,095 code units, then emoji of two code units each: the cut must not tear the one at 4,095-4,096.
        let text = String(repeating: "a", count: 4095) + String(repeating: "😀", count: 10)
        let parts = FormattedText(text).split()
        #expect(parts.map(\.utf16Count) == [4095, 20])
        #expect(parts.map(\.text).joined() == text)
    }

    @Test func entitiesAreClippedToEachPartWithOffsetsFromItsStart() {
        let head = String(repeating: "x", count: 4090)
        // A bold run across the line break, a link wholly in the second part.
        let text: FormattedText = "\(head)\(bold: "12345\n67890") tail \(link: "here", url: "https://example.org")"
        let parts = text.split(maximumLength: 4096)
        #expect(parts.count == 2)
        #expect(parts[0].text == head + "12345")
        #expect(parts[0].entities == [entity("bold", 4090, 5)])
        #expect(parts[1].text == "67890 tail here")
        #expect(parts[1].entities == [entity("bold", 0, 5), entity("text_link", 11, 4, url: "https://example.org")])
        for part in parts {
            for entity in part.entities { #expect(entity.offset + entity.length <= part.utf16Count) }
        }
    }

    @Test func blankStretchesBetweenBreaksAreLeftOut() {
        let parts = FormattedText(String(repeating: "a", count: 10) + "\n\n\n" + String(repeating: "b", count: 10)).split(maximumLength: 10)
        #expect(parts.map(\.text) == [String(repeating: "a", count: 10), String(repeating: "b", count: 10)])
    }

    // MARK: Replies

    @Test func replySendsFormattedTextAsEntitiesWithoutParseMode() async throws {
        let (bot, api) = makeBot()
        bot.command("me") { ctx in try await ctx.reply("You are \(bold: ctx.from?.firstName ?? "?")") }
        try await bot.handle(UpdateFactory.message(text: "/me"))
        #expect(api.takeCalls() == [RecordedCall(method: "sendMessage", parameters: [
            "chat_id": 4242, "text": "You are Ada",
            "entities": [["type": "bold", "offset": 8, "length": 3]],
        ])])
    }

    @Test func aSplitReplyQuotesWithItsFirstPartAndCarriesTheKeyboardOnItsLast() async throws {
        let (bot, api) = makeBot()
        let long = Array(repeating: "line of text", count: 700).joined(separator: "\n")  // 9,099 code units: three parts
        bot.on(.text) { ctx, _ in
            try await ctx.reply(long, replyMarkup: InlineKeyboard().button("More", data: "more"), quote: true, split: true)
        }
        let update = UpdateFactory.message(text: "go")
        try await bot.handle(update)
        let calls = try api.calls(of: SendMessage.self)
        #expect(calls.count == 3)
        #expect(calls.allSatisfy { $0.text.utf16.count <= 4096 })
        #expect(calls.map(\.text).joined(separator: "\n") == long)
        #expect(calls.map { $0.replyParameters?.messageID } == [update.message?.messageID, nil, nil])
        #expect(calls.map { $0.replyMarkup != nil } == [false, false, true])
    }

    @Test func withoutSplitOrWithAParseModeALongTextGoesOutWhole() async throws {
        let (bot, api) = makeBot()
        let long = String(repeating: "<b>x</b> ", count: 600)  // 5,400 code units of markup, 1,200 shown
        bot.command("html") { ctx in try await ctx.reply(long, parseMode: .html, split: true) }
        bot.command("plain") { ctx in try await ctx.reply(long) }
        try await bot.handle(UpdateFactory.message(text: "/html"))
        try await bot.handle(UpdateFactory.message(text: "/plain"))
        #expect(api.sentTexts == [long, long])
    }

    @Test func editsTakeFormattedText() async throws {
        let (bot, api) = makeBot()
        bot.callbackQuery(data: "x") { ctx in try await ctx.editMessageText("Now \(italic: "edited")") }
        try await bot.handle(UpdateFactory.callbackQuery(data: "x"))
        let edit = try #require(try api.calls(of: EditMessageText.self).first)
        #expect(edit.text == "Now edited")
        #expect(edit.entities == [entity("italic", 4, 6)])
        #expect(edit.parseMode == nil)
    }
}
