import Ferry
import FerryTesting
import Synchronization
import TelegramBotAPI
import Testing

@Suite struct AlbumTests {
    /// Counts the reads of a store, to show which updates cost one.
    final class CountingStore: SessionStore {
        let inner = InMemorySessionStore()
        private let counts = Mutex(0)
        var loads: Int { counts.withLock { $0 } }

        func load(key: String) async throws -> [UInt8]? {
            counts.withLock { $0 += 1 }
            return try await inner.load(key: key)
        }
        func save(_ data: [UInt8], key: String) async throws { try await inner.save(data, key: key) }
        func delete(key: String) async throws { try await inner.delete(key: key) }
    }

    /// A photo of an album, as Telegram sends each item: its own message with the group's id.
    static func photo(_ group: String, chatID: Int = UpdateFactory.user.id, file: String, caption: String? = nil) -> Update {
        UpdateFactory.message(chatID: chatID) { message in
            message.mediaGroupID = group
            message.photo = [
                PhotoSize(fileID: "\(file)-small", fileUniqueID: "\(file)s", width: 90, height: 60),
                PhotoSize(fileID: file, fileUniqueID: "\(file)l", width: 1280, height: 853),
            ]
            message.caption = caption
        }
    }

    /// A bot that says what albums and texts it got, in the order its handlers ran.
    static func albumBot(store: any SessionStore, quiet: Duration, trace: Trace) -> (Bot, BotAPIRecorder) {
        let (bot, api) = makeBot()
        bot.album(store: store, quiet: quiet) { ctx, album in
            trace.record("album \(album.chat.id): \(album.photos.map(\.fileID).joined(separator: ",")) \(album.caption ?? "-") last=\(ctx.message?.messageID == album.messages.last?.messageID)")
            try await ctx.reply("Got an album of \(album.count)")
        }
        bot.on(.text) { ctx, text in trace.record("text \(ctx.chat?.id ?? 0): \(text)") }
        return (bot, api)
    }

    @Test func threePhotosAndACaptionAreOneCallAfterTheQuietPeriod() async throws {
        let trace = Trace()
        let store = InMemorySessionStore()
        let (bot, api) = Self.albumBot(store: store, quiet: .milliseconds(50), trace: trace)
        try await bot.handle(Self.photo("g1", file: "a", caption: "Holidays"))
        try await bot.handle(Self.photo("g1", file: "b"))
        try await bot.handle(Self.photo("g1", file: "c"))
        try await eventually { !trace.all.isEmpty }
        // Longer than the quiet period again: no second call comes.
        try await Task.sleep(for: .milliseconds(150))
        #expect(trace.all == ["album \(UpdateFactory.user.id): a,b,c Holidays last=true"])
        #expect(api.sentTexts == ["Got an album of 3"])
        #expect(store.keys.isEmpty)
    }

    @Test func anAlbumIsHandedOverBeforeTheTextAfterIt() async throws {
        let trace = Trace()
        let store = InMemorySessionStore()
        let (bot, _) = Self.albumBot(store: store, quiet: .seconds(60), trace: trace)
        try await bot.handle(Self.photo("g2", file: "a"))
        try await bot.handle(Self.photo("g2", file: "b", caption: "second has it"))
        try await bot.handle(Self.photo("g2", file: "c"))
        #expect(trace.all.isEmpty)
        #expect(store.keys == ["album:\(UpdateFactory.user.id)"])
        try await bot.handle(UpdateFactory.message(text: "and that was it"))
        #expect(trace.all == ["album \(UpdateFactory.user.id): a,b,c second has it last=true", "text \(UpdateFactory.user.id): and that was it"])
        #expect(store.keys.isEmpty)
    }

    @Test func interleavedChatsGetAnAlbumEach() async throws {
        let trace = Trace()
        let (bot, _) = Self.albumBot(store: InMemorySessionStore(), quiet: .seconds(60), trace: trace)
        for (file, chat) in [("a1", 1), ("b1", 2), ("a2", 1), ("b2", 2), ("b3", 2), ("a3", 1)] {
            try await bot.handle(Self.photo("g-\(chat)", chatID: chat, file: file))
        }
        try await bot.handle(UpdateFactory.message(text: "two", chatID: 2))
        try await bot.handle(UpdateFactory.message(text: "one", chatID: 1))
        #expect(trace.all == ["album 2: b1,b2,b3 - last=true", "text 2: two", "album 1: a1,a2,a3 - last=true", "text 1: one"])
    }

    @Test func aNewAlbumHandsTheLastOneOver() async throws {
        let trace = Trace()
        let (bot, _) = Self.albumBot(store: InMemorySessionStore(), quiet: .seconds(60), trace: trace)
        try await bot.handle(Self.photo("first", file: "a"))
        try await bot.handle(Self.photo("first", file: "b"))
        try await bot.handle(Self.photo("second", file: "c"))
        #expect(trace.all == ["album \(UpdateFactory.user.id): a,b - last=true"])
    }

    @Test func aPendingAlbumOutlivesARestartAndGoesOutOnTheChatsNextUpdate() async throws {
        let store = InMemorySessionStore()
        let before = Trace()
        let (first, _) = Self.albumBot(store: store, quiet: .seconds(60), trace: before)
        try await first.handle(Self.photo("g3", file: "a", caption: "kept"))
        try await first.handle(Self.photo("g3", file: "b"))
        // The process stops here, its timer with it.
        let after = Trace()
        let (second, api) = Self.albumBot(store: store, quiet: .seconds(60), trace: after)
        try await second.handle(UpdateFactory.message(text: "hello again"))
        #expect(before.all.isEmpty)
        #expect(after.all == ["album \(UpdateFactory.user.id): a,b kept last=true", "text \(UpdateFactory.user.id): hello again"])
        #expect(api.sentTexts == ["Got an album of 2"])
    }

    @Test func aFailingAlbumHandlerFailsTheUpdateThatFlushedItAndTheRetryHandsItOver() async throws {
        let store = InMemorySessionStore()
        let failures = Mutex(1)
        let trace = Trace()
        let (bot, _) = makeBot()
        bot.album(store: store, quiet: .seconds(60)) { _, album in
            let fail = failures.withLock { left in
                defer { left = max(0, left - 1) }
                return left > 0
            }
            if fail { throw Boom() }
            trace.record("album of \(album.count)")
        }
        bot.on(.text) { _, text in trace.record(text) }
        try await bot.handle(Self.photo("g4", file: "a"))
        try await bot.handle(Self.photo("g4", file: "b"))
        let text = UpdateFactory.message(text: "next")
        await #expect(throws: Boom.self) { try await bot.handle(text) }
        #expect(trace.all.isEmpty)
        try await bot.handle(text)
        #expect(trace.all == ["album of 2", "next"])
    }

    @Test func anAlbumWhoseHandlerFailsOnTheTimerIsKeptForTheChatsNextUpdate() async throws {
        let store = InMemorySessionStore()
        let attempts = Mutex(0)
        let trace = Trace()
        let (bot, _) = makeBot()
        bot.album(store: store, quiet: .milliseconds(50)) { _, album in
            if attempts.withLock({ $0 += 1; return $0 }) == 1 { throw Boom() }
            trace.record("album of \(album.count)")
        }
        bot.on(.text) { _, text in trace.record(text) }
        try await bot.handle(Self.photo("g7", file: "a"))
        try await bot.handle(Self.photo("g7", file: "b"))
        try await eventually { attempts.withLock { $0 } == 1 }
        #expect(store.keys == ["album:\(UpdateFactory.user.id)"])
        try await bot.handle(UpdateFactory.message(text: "later"))
        #expect(trace.all == ["album of 2", "later"])
        #expect(store.keys.isEmpty)
    }

    @Test func updatesOfAChatWithNothingPendingReadTheStoreOnce() async throws {
        let store = CountingStore()
        let trace = Trace()
        let (bot, _) = Self.albumBot(store: store, quiet: .seconds(60), trace: trace)
        for text in ["one", "two", "three"] { try await bot.handle(UpdateFactory.message(text: text, chatID: 7)) }
        #expect(store.loads == 1)
        try await bot.handle(UpdateFactory.inlineQuery(query: "no chat"))
        #expect(store.loads == 1)
        #expect(trace.all.count == 3)
    }

    @Test func finishPendingWorkWaitsForTheQuietTimer() async throws {
        let trace = Trace()
        let (bot, _) = Self.albumBot(store: InMemorySessionStore(), quiet: .milliseconds(100), trace: trace)
        try await bot.handle(Self.photo("g5", file: "a"))
        try await bot.handle(Self.photo("g5", file: "b"))
        // As the Lambda consumer does before answering its batch.
        await bot.finishPendingWork(before: .now + .seconds(30))
        #expect(trace.all == ["album \(UpdateFactory.user.id): a,b - last=true"])
    }

    @Test func aRetriedItemIsOneItem() async throws {
        let trace = Trace()
        let (bot, _) = Self.albumBot(store: InMemorySessionStore(), quiet: .seconds(60), trace: trace)
        let item = Self.photo("g6", file: "a")
        try await bot.handle(item)
        try await bot.handle(item)
        try await bot.handle(Self.photo("g6", file: "b"))
        try await bot.handle(UpdateFactory.message(text: "done"))
        #expect(trace.all.first == "album \(UpdateFactory.user.id): a,b - last=true")
    }
}
