@testable import Ferry
import FerryTesting
import TelegramBotAPI
import Testing

/// The throttle's schedule, with the clock in the test's hands: what it promises about spacing, without waiting.
@Suite struct ThrottleScheduleTests {
    let start = ContinuousClock.now
    let limits = ThrottleLimits.telegram

    func seconds(_ instant: ContinuousClock.Instant, since origin: ContinuousClock.Instant) -> Double {
        let (whole, fraction) = (instant - origin).components
        return Double(whole) + Double(fraction) / 1e18
    }

    @Test func aBroadcastIsSpreadAtThirtyASecondLessTheMargin() {
        var schedule = SendSchedule(limits: limits, origin: start)
        let times = (1...1000).map { schedule.reserve(chat: .id($0), isPrivate: true, now: start) }
        let gaps = zip(times, times.dropFirst()).map { seconds($1, since: $0) }
        #expect(gaps.allSatisfy { abs($0 - 0.035) < 1e-6 }, "one message every 1.05 s / 30")
        // 999 gaps of 35 ms: as long as Telegram's 30 a second allow, plus the 5 % margin.
        #expect(abs(seconds(times.last!, since: start) - 34.965) < 1e-3)
    }

    @Test func aPrivateChatGetsOneMessageASecondWithoutHoldingUpOthers() {
        var schedule = SendSchedule(limits: limits, origin: start)
        let first = schedule.reserve(chat: .id(1), isPrivate: true, now: start)
        let second = schedule.reserve(chat: .id(1), isPrivate: true, now: start)
        let other = schedule.reserve(chat: .id(2), isPrivate: true, now: start)
        let third = schedule.reserve(chat: .id(1), isPrivate: true, now: start)
        #expect(seconds(second, since: first) >= 1.05)
        #expect(seconds(third, since: second) >= 1.05)
        #expect(seconds(other, since: start) < 0.1, "another chat goes in the next free slot, not after chat 1's wait")
    }

    @Test func aGroupGetsTwentyAMinuteAtOneASecond() {
        var schedule = SendSchedule(limits: limits, origin: start)
        let times = (1...25).map { _ in schedule.reserve(chat: .id(-100), isPrivate: false, now: start) }
        let gaps = zip(times, times.dropFirst()).map { seconds($1, since: $0) }
        #expect(gaps.allSatisfy { $0 >= 1.05 - 1e-6 })
        for index in 20..<times.count {
            #expect(seconds(times[index], since: times[index - 20]) >= 63 - 1e-6, "no 21 within a minute (and the margin)")
        }
        #expect(seconds(times[19], since: start) < 21, "the first twenty a second apart")
    }

    @Test func aChatsMessagesKeepTheirOrderAndTimePassingFreesTheChat() {
        var schedule = SendSchedule(limits: limits, origin: start)
        let early = schedule.reserve(chat: .username("@news"), isPrivate: false, now: start)
        let later = schedule.reserve(chat: .username("@news"), isPrivate: false, now: start)
        #expect(later > early)
        let muchLater = start + .seconds(120)
        #expect(schedule.reserve(chat: .username("@news"), isPrivate: false, now: muchLater) == muchLater)
    }
}

@Suite struct ThrottledBotAPITests {
    @Test func onlyMessagesToChatsAreThrottledAndTheBaseAnswers() async throws {
        let recorder = BotAPIRecorder()
        // One message every 2 s: a throttled call would show at once.
        let limits = ThrottleLimits(privateChat: [.init(messages: 1, per: .seconds(60))], groupChat: [], global: .init(messages: 1, per: .seconds(2)))
        let api = recorder.throttled(limits)
        let clock = ContinuousClock()
        let begin = clock.now
        let sent = try await api.sendMessage(chatID: 7, text: "first")
        #expect(sent.chat.id == 7)
        _ = try await api.answerCallbackQuery(callbackQueryID: "q")
        _ = try await api.sendChatAction(chatID: 7, action: "typing")
        _ = try await api.editMessageText(chatID: 7, messageID: sent.messageID, text: "edited")
        #expect(clock.now - begin < .seconds(1), "no wait for the first message, nor for what is not a message")
        #expect(recorder.calls.map(\.method) == ["sendMessage", "answerCallbackQuery", "sendChatAction", "editMessageText"])
        #expect(ThrottledBotAPI.countsAsMessage("sendPhoto") && ThrottledBotAPI.countsAsMessage("copyMessage"))
        #expect(!ThrottledBotAPI.countsAsMessage("sendChatAction") && !ThrottledBotAPI.countsAsMessage("getMe"))
    }

    @Test func aBotAnswersThroughTheThrottle() async throws {
        let recorder = BotAPIRecorder()
        let bot = Bot(api: recorder.throttled(), username: "OurBot")
        bot.on(.text) { ctx, text in try await ctx.reply("You said: \(text)") }
        try await bot.handle(UpdateFactory.message(text: "hi"))
        #expect(recorder.sentTexts == ["You said: hi"])
    }
}
