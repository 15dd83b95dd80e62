import Ferry
import FerryTesting
import Testing

@Suite struct HearsTests {
    @Test func exactText() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.hears("ping") { _, text in trace.record("heard \(text)") }
        bot.onAny { _ in trace.record("other") }
        try await bot.handle(UpdateFactory.message(text: "ping"))
        try await bot.handle(UpdateFactory.message(text: "ping pong"))
        #expect(trace.all == ["heard ping", "other"])
    }

    @Test func regexExposesCaptures() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.hears(/buy (\d+) (?<item>\w+)/) { _, match in
            trace.record("\(match.1) x \(match.item)")
        }
        try await bot.handle(UpdateFactory.message(text: "please buy 3 apples now"))
        try await bot.handle(UpdateFactory.message(text: "sell 3 apples"))
        #expect(trace.all == ["3 x apples"])
    }

    @Test func callbackPatternMatchesWholeData() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.callbackQuery(pattern: /page-(\d+)/) { _, match in trace.record("page \(match.1)") }
        try await bot.handle(UpdateFactory.callbackQuery(data: "page-7"))
        try await bot.handle(UpdateFactory.callbackQuery(data: "page-7x"))
        #expect(trace.all == ["page 7"])
    }
}
