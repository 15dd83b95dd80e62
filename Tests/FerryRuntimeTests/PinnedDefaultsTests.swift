import Ferry
import FerryQueue
import FerryRuntime
import FerryServer
import FerrySQLite
import FerryTestSupport
import FerryTesting
import Testing

/// The defaults the README documents. A change to one of them fails here first, so it is made on purpose
/// and the README changes with it. (Also pinned elsewhere: 429 uses no attempt,
/// `DispatcherTests.floodControlWaitsWithoutUsingAttempts`; the 24-hour window's behaviour,
/// `SQLiteUpdateQueueTests.deduplicationForgetsAfterTwentyFourHours`; `synchronous=FULL`, `PinnedStorageDefaultsTests`.)
@Suite struct PinnedDefaultsTests {
    @Test func threeAttemptsThenTheDeadLetters() {
        #expect(UpdateProcessor.Policy().maximumAttempts == 3)
    }

    @Test func retriesBackOffFromOneSecondDoublingToAMinute() {
        let schedule = (1...9).map(UpdateProcessor.Policy.exponentialBackoff)
        #expect(schedule == [1, 2, 4, 8, 16, 32, 60, 60, 60].map { Duration.seconds($0) })
    }

    @Test func theDispatchersTimings() {
        let configuration = Dispatcher.Configuration()
        #expect(configuration.concurrency == 64)
        #expect(configuration.visibilityTimeout == .seconds(120))
        #expect(configuration.shutdownGracePeriod == .seconds(10))
    }

    @Test func theHTTPServersLimits() {
        let limits = ConnectionLimits()
        #expect(limits.idleTimeout == .seconds(30))
        #expect(limits.bodyTimeout == .seconds(30))
        #expect(limits.maximumConnections <= 1_024)
        #expect(WebhookIngress.Configuration().maximumBodySize == 1 << 20)
        #expect(WebhookIngress.Configuration().storageFailureStatus == 503)
    }

    /// `serve`'s flags say the same as the policy and the dispatcher.
    @Test func serveDocumentsTheSameDefaults() async throws {
        // Whitespace folded: the help wraps its lines to the terminal's width.
        let help = try await BotProcess.run(["serve", "--help"]).output.replacing(/\s+/, with: " ")
        #expect(help.contains("--max-attempts <max-attempts> Attempts before an update is dead-lettered. (default: 3)"), "\(help)")
        #expect(help.contains("--concurrency <concurrency> Handlers running at once"), "\(help)")
        #expect(help.contains("one chat is always one at a time). (default: 64)"), "\(help)")
    }

    /// SIGTERM's cut-off (the grace period ending with a handler still running) gives the update back
    /// without using an attempt: the next run's delivery is its first.
    @Test func theShutdownCutOffGivesUpdatesBackWithoutUsingAnAttempt() async throws {
        let directory = temporaryDirectory()
        let started = Attempts()
        try await BotTest.runPipeline(.init(directory: directory), configure: { bot in
            bot.hears("forever") { _, _ in
                started.increment()
                try await Task.sleep(for: .seconds(3_600))
            }
        }) { host in
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: "forever").utf8)) == 200)
            try await eventually { started.count == 1 }
            // Leaving the closure stops the host; its grace period (5 s) ends with the handler still asleep.
        }
        let storage = try await SQLiteStorage.open(directory: directory)
        let received = try await storage.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(120))
        #expect(received.map(\.attempts) == [1], "the cut-off delivery used no attempt")
        #expect(received.first?.previousDeliveryStoppedTheBot == false, "a graceful stop is not a crash")
        try await storage.close()
    }
}
