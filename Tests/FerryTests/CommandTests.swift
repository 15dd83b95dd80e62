import Ferry
import FerryTesting
import Testing

@Suite struct CommandTests {
    @Test func matchesPlainAndMentionedCommandsCaseInsensitively() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.command("start") { _, command in trace.record("start:\(command.arguments)") }
        bot.onAny { _ in trace.record("other") }

        for text in ["/start", "/start@OurBot", "/START@ourbot", "/Start@OURBOT hi", "/start@OtherBot", "/starter", "start", "/help"] {
            try await bot.handle(UpdateFactory.message(text: text))
        }
        #expect(trace.all == ["start:", "start:", "start:", "start:hi", "other", "other", "other", "other"])
    }

    @Test func exposesArgumentsAndDeepLinkPayload() async throws {
        let (bot, _) = makeBot()
        let seen = Trace()
        bot.command("start", "go") { _, command in
            seen.record("\(command.name)|\(command.arguments)|\(command.payload ?? "-")|\(command.argumentList)")
        }
        try await bot.handle(UpdateFactory.message(text: "/start ref-42"))
        try await bot.handle(UpdateFactory.message(text: "/go  north   fast"))
        try await bot.handle(UpdateFactory.message(text: "/start"))
        #expect(seen.all == [
            "start|ref-42|ref-42|[\"ref-42\"]",
            "go|north   fast|-|[\"north\", \"fast\"]",
            "start||-|[]",
        ])
    }

    @Test func unknownUsernameIsFetchedWhenACommandMentionsABot() async throws {
        let (bot, api) = makeBot(username: nil)
        let trace = Trace()
        bot.command("start") { _, _ in trace.record("start") }
        try await bot.handle(UpdateFactory.message(text: "/start"))
        #expect(api.calls(to: "getMe").isEmpty)
        try await bot.handle(UpdateFactory.message(text: "/start@TestBot"))
        try await bot.handle(UpdateFactory.message(text: "/start@OurBot"))
        #expect(trace.all == ["start", "start"])
        #expect(api.calls(to: "getMe").count == 1)
        #expect(bot.username == "TestBot")
    }

    @Test func parsing() {
        #expect(Command(parsing: "/a@B c\nd") == Command(name: "a", mention: "B", arguments: "c\nd"))
        #expect(Command(parsing: "hello") == nil)
        #expect(Command(parsing: "/") == nil)
        #expect(Command(parsing: "/@bot") == nil)
    }

    // ASCII text takes a byte-scanning fast path; it must agree with the Character-based parse.
    @Test func asciiAndUnicodeParsingAgree() {
        #expect(Command(parsing: "/a@") == Command(name: "a", mention: "", arguments: ""))
        #expect(Command(parsing: "/go\t\r\n  x y ") == Command(name: "go", arguments: "x y "))
        #expect(Command(parsing: "/go\u{00A0}x") == Command(name: "go", arguments: "x"))
        #expect(Command(parsing: "/café@Bot é") == Command(name: "café", mention: "Bot", arguments: "é"))
        #expect(Command(parsing: "/a@B c\nd é") == Command(name: "a", mention: "B", arguments: "c\nd é"))
    }
}
