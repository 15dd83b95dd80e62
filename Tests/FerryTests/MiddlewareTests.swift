import Ferry
import FerryTesting
import Testing

@Suite struct MiddlewareTests {
    @Test func runsInOrderAroundTheHandler() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.use { _, next in
            trace.record("a before")
            try await next()
            trace.record("a after")
        }
        bot.use { _, next in
            trace.record("b before")
            try await next()
            trace.record("b after")
        }
        bot.on(.text) { _, _ in trace.record("handler") }
        bot.use { _, next in
            trace.record("after handler")
            try await next()
        }
        try await bot.handle(UpdateFactory.message(text: "hi"))
        #expect(trace.all == ["a before", "b before", "handler", "b after", "a after"])

        let fallThrough = Trace()
        bot.use { _, _ in fallThrough.record("reached") }
        try await bot.handle(UpdateFactory.photo())
        #expect(fallThrough.all == ["reached"])
    }

    @Test func notCallingNextShortCircuits() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.use { ctx, next in
            guard ctx.from?.id != 666 else { return trace.record("blocked") }
            try await next()
        }
        bot.on(.text) { _, text in trace.record(text) }
        try await bot.handle(UpdateFactory.message(text: "spam", from: .init(id: 666, isBot: false, firstName: "Spam")))
        try await bot.handle(UpdateFactory.message(text: "hello"))
        #expect(trace.all == ["blocked", "hello"])
    }

    @Test func composerIsMiddlewareAndPassesOnWhatItDoesNotTake() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        let greetings = Composer()
        greetings.hears("hi") { _, _ in trace.record("greeting") }
        bot.use(greetings)
        bot.onAny { _ in trace.record("fallback") }
        try await bot.handle(UpdateFactory.message(text: "hi"))
        try await bot.handle(UpdateFactory.message(text: "bye"))
        #expect(trace.all == ["greeting", "fallback"])
    }

    struct RequestTag: ContextKey { typealias Value = String }

    @Test func middlewareStateReachesHandlers() async throws {
        let (bot, _) = makeBot()
        let trace = Trace()
        bot.use { ctx, next in
            ctx[RequestTag.self] = "tagged"
            try await next()
        }
        bot.onAny { ctx in trace.record(ctx[RequestTag.self] ?? "none") }
        try await bot.handle(UpdateFactory.message(text: "x"))
        #expect(trace.all == ["tagged"])
    }
}
