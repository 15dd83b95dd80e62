import FerryQueue
@testable import FerrySQLite
import Foundation
import Testing
import FerryTestSupport

/// Documented guarantees of the SQLite file that must not change unnoticed.
@Suite struct PinnedStorageDefaultsTests {
    /// The README's durability guarantee rests on it: a commit (and so a 200) waits for the log's fsync.
    @Test func everyCommitIsSynchronousFull() async throws {
        let storage = try await SQLiteStorage.open(directory: temporaryDirectory())
        #expect(try await storage.pragma("synchronous") == 2, "2 is FULL")
        #expect(try await storage.pragma("busy_timeout") == 10_000)
        try await storage.close()
    }

    @Test func theDeduplicationWindowIsTwentyFourHours() async throws {
        #expect(SQLiteStorage.defaultDeduplicationWindow == .seconds(24 * 60 * 60))
        let storage = try await SQLiteStorage.open(directory: temporaryDirectory())
        #expect(storage.queue.deduplicationWindowMilliseconds == 24 * 60 * 60 * 1000)
        try await storage.close()
    }

    /// What a crash leaves in flight comes back at once at the next start, its attempt counted, marked as
    /// having stopped the bot (the dispatcher runs such updates alone, and sets aside one that used its attempts).
    @Test func updatesLeftInFlightComeBackMarkedWithTheirAttemptCounted() async throws {
        let storage = try await SQLiteStorage.open(directory: temporaryDirectory())
        _ = try await storage.queue.enqueue([QueuedUpdate(updateID: 1, groupID: "chat:1", body: Array("{}".utf8))])
        let first = try await storage.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(120))
        #expect(first.map(\.attempts) == [1])
        #expect(first.first?.previousDeliveryStoppedTheBot == false)
        #expect(try await storage.queue.recoverInFlight() == 1)
        let second = try await storage.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(120))
        #expect(second.map(\.attempts) == [2])
        #expect(second.first?.previousDeliveryStoppedTheBot == true)
        #expect(second.first?.lastReason == ReceivedUpdate.stoppedWhileHandling)
        // A release that does not count (flood control, a graceful stop) gives the delivery back.
        try await storage.queue.release(try #require(second.first).receipt, after: .zero, reason: "429", countingAttempt: false)
        #expect(try await storage.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(120)).map(\.attempts) == [2])
        try await storage.close()
    }
}
