import Ferry
import FerryQueue
@testable import FerrySQLite
import FerryTesting
import Foundation
import Synchronization
import Testing
import FerryTestSupport

@Suite struct SQLiteUpdateQueueTests {
    @Test(arguments: UpdateQueueConformance.all)
    func conformance(_ check: UpdateQueueConformance.Check) async throws {
        // Real time: the checks wait for visibility timeouts to end.
        let directory = temporaryDirectory()
        let storage = try await SQLiteStorage.open(directory: directory)
        do {
            try await UpdateQueueConformance.run(check, on: storage.queue)
        } catch {
            try? await storage.close()
            throw error
        }
        try await storage.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func queuedUpdatesSurviveReopeningTheFile() async throws {
        let directory = temporaryDirectory()
        let first = try await SQLiteStorage.open(directory: directory)
        _ = try await first.queue.enqueue([QueuedUpdate(updateID: 7, groupID: "chat:1", body: Array("{\"update_id\":7}".utf8))])
        try await first.close()

        let second = try await SQLiteStorage.open(directory: directory)
        let received = try await second.queue.receive(maximumCount: 10, visibilityTimeout: .seconds(30))
        #expect(received.map(\.update.updateID) == [7])
        #expect(try await second.queue.enqueue([QueuedUpdate(updateID: 7, groupID: "chat:1", body: [])]) == [.duplicate])
        try await second.close()
    }

    @Test func deduplicationForgetsAfterTwentyFourHours() async throws {
        try await withStorage { storage, clock in
            let update = QueuedUpdate(updateID: 1, groupID: "chat:1", body: Array("{}".utf8))
            #expect(try await storage.queue.enqueue([update]) == [.enqueued])
            clock.advance(byMilliseconds: 24 * 60 * 60 * 1000 - 1)
            #expect(try await storage.queue.enqueue([update]) == [.duplicate])
            clock.advance(byMilliseconds: 2)
            // The next enqueue prunes expired ids; the one after sees the id as new.
            _ = try await storage.queue.enqueue([QueuedUpdate(updateID: 2, groupID: "chat:2", body: [])])
            #expect(try await storage.queue.enqueue([update]) == [.enqueued])
        }
    }

    @Test("a shorter deduplication window forgets sooner, and the table holds only the window's ids")
    func aShorterDeduplicationWindow() async throws {
        try await withStorage(deduplicationWindow: .seconds(600)) { storage, clock in
            func remembered() throws -> Int {
                let reader = try SQLiteFile(path: storage.path)
                defer { reader.close() }
                return try reader.count("SELECT COUNT(*) FROM seen_updates")
            }
            let update = QueuedUpdate(updateID: 1, groupID: "chat:1", body: Array("{}".utf8))
            #expect(try await storage.queue.enqueue([update]) == [.enqueued])
            clock.advance(byMilliseconds: 600_000 - 1)
            #expect(try await storage.queue.enqueue([update]) == [.duplicate])
            clock.advance(byMilliseconds: 2)
            #expect(try await storage.queue.enqueue([update]) == [.enqueued], "past the window, the same id is new")
            // Twenty minutes at one update a second: the table settles at the window's 600 ids (and a round's slack).
            for second in 0..<1_200 {
                clock.advance(byMilliseconds: 1_000)
                _ = try await storage.queue.enqueue([QueuedUpdate(updateID: 100 + second, groupID: "chat:2", body: [])])
            }
            let count = try remembered()
            #expect((600...602).contains(count), "\(count) ids remembered")
        }
    }

    @Test("expired ids are forgotten a little at a time, as fast as updates arrive, never all at once")
    func expiredIDsArePrunedInBoundedRounds() async throws {
        try await withStorage { storage, clock in
            let day = (0..<2_000).map { QueuedUpdate(updateID: $0, groupID: "chat:\($0 % 10)", body: []) }
            #expect(try await storage.queue.enqueue(day).allSatisfy { $0 == .enqueued })
            func remembered() throws -> Int {
                let reader = try SQLiteFile(path: storage.path)
                defer { reader.close() }
                return try reader.count("SELECT COUNT(*) FROM seen_updates")
            }
            #expect(try remembered() == 2_000)
            // A day later, one update a second: each round forgets at most 2 x 1 + 256 expired ids.
            clock.advance(byMilliseconds: storage.queue.deduplicationWindowMilliseconds + 1_000)
            _ = try await storage.queue.enqueue([QueuedUpdate(updateID: 10_000, groupID: "chat:1", body: [])])
            #expect(try remembered() == 2_000 - 258 + 1)
            clock.advance(byMilliseconds: 1_000)
            _ = try await storage.queue.enqueue([QueuedUpdate(updateID: 10_001, groupID: "chat:1", body: [])])
            #expect(try remembered() == 2_000 - 2 * 258 + 2)
            // Within the same second, no round at all.
            _ = try await storage.queue.enqueue([QueuedUpdate(updateID: 10_002, groupID: "chat:1", body: [])])
            #expect(try remembered() == 2_000 - 2 * 258 + 3)
            // An expired id counts as new whether or not it has been forgotten yet.
            #expect(try await storage.queue.enqueue([QueuedUpdate(updateID: 1_999, groupID: "chat:9", body: [])]) == [.enqueued])
        }
    }

    @Test func releaseWithoutCountingGivesTheAttemptBack() async throws {
        try await withStorage { storage, _ in
            _ = try await storage.queue.enqueue([QueuedUpdate(updateID: 1, groupID: "chat:1", body: [])])
            let first = try await storage.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
            try await storage.queue.release(first[0].receipt, after: .zero, reason: "429: retry after 1", countingAttempt: false)
            let second = try await storage.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
            #expect(second.first?.attempts == 1)
            #expect(second.first?.lastReason == "429: retry after 1")
        }
    }

    @Test func releasedUpdateWaitsForItsDelayAndHoldsItsGroup() async throws {
        try await withStorage { storage, clock in
            _ = try await storage.queue.enqueue([
                QueuedUpdate(updateID: 1, groupID: "chat:1", body: []), QueuedUpdate(updateID: 2, groupID: "chat:1", body: []),
            ])
            let first = try await storage.queue.receive(maximumCount: 5, visibilityTimeout: .seconds(30))
            try await storage.queue.release(first[0].receipt, after: .seconds(10), reason: "boom", countingAttempt: true)
            #expect(try await storage.queue.receive(maximumCount: 5, visibilityTimeout: .seconds(30)).isEmpty)
            clock.advance(byMilliseconds: 10_000)
            #expect(try await storage.queue.receive(maximumCount: 5, visibilityTimeout: .seconds(30)).map(\.update.updateID) == [1])
        }
    }

    @Test func deadLettersCanBeListedRedrivenAndPurged() async throws {
        try await withStorage { storage, _ in
            let body = Array(#"{"update_id":5,"message":{"text":"poison"}}"#.utf8)
            _ = try await storage.queue.enqueue([
                QueuedUpdate(updateID: 5, groupID: "chat:1", body: body), QueuedUpdate(updateID: 6, groupID: "chat:2", body: []),
            ])
            let received = try await storage.queue.receive(maximumCount: 5, visibilityTimeout: .seconds(30))
            for item in received { try await storage.queue.deadLetter(item.receipt, reason: "error \(item.update.updateID)") }

            let letters = try await storage.queue.deadLetters(limit: 10)
            #expect(letters.map(\.update.updateID) == [5, 6])
            #expect(letters[0].update.body == body)
            #expect(letters[0].reason == "error 5")
            #expect(letters[0].attempts == 1)
            #expect(try await storage.queue.deadLetter(id: letters[0].id)?.update.groupID == "chat:1")

            #expect(try await storage.queue.redrive(ids: [letters[0].id]) == 1)
            let redriven = try await storage.queue.receive(maximumCount: 5, visibilityTimeout: .seconds(30))
            #expect(redriven.map(\.update.updateID) == [5])
            #expect(redriven.first?.attempts == 1)
            #expect(try await storage.queue.purgeDeadLetters() == 1)
            #expect(try await storage.queue.deadLetters(limit: 10).isEmpty)
        }
    }

    @Test func staleReceiptIsRefusedForReleaseAndDeadLetter() async throws {
        try await withStorage { storage, _ in
            _ = try await storage.queue.enqueue([QueuedUpdate(updateID: 1, groupID: "chat:1", body: [])])
            let received = try await storage.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
            try await storage.queue.acknowledge(received.map(\.receipt))
            await #expect(throws: StaleReceiptError.self) {
                try await storage.queue.release(received[0].receipt, after: .zero, reason: "", countingAttempt: true)
            }
            await #expect(throws: StaleReceiptError.self) { try await storage.queue.deadLetter(received[0].receipt, reason: "") }
        }
    }

    @Test func concurrentEnqueuesShareCommitsAndLoseNothing() async throws {
        try await withStorage { storage, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for id in 1...400 {
                    group.addTask {
                        let outcome = try await storage.queue.enqueue([QueuedUpdate(updateID: id, groupID: "chat:\(id % 7)", body: [])])
                        #expect(outcome == [.enqueued])
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await storage.queue.depth() == 400)
        }
    }

    @Test func sessionsPersistAcrossReopen() async throws {
        let directory = temporaryDirectory()
        let first = try await SQLiteStorage.open(directory: directory)
        try await first.sessions.save(Array("{\"count\":3}".utf8), key: "chat:1")
        try await first.sessions.save(Array("{\"count\":4}".utf8), key: "chat:1")
        try await first.sessions.save(Array("{}".utf8), key: "chat:2")
        try await first.sessions.delete(key: "chat:2")
        try await first.close()

        let second = try await SQLiteStorage.open(directory: directory)
        #expect(try await second.sessions.load(key: "chat:1") == Array("{\"count\":4}".utf8))
        #expect(try await second.sessions.load(key: "chat:2") == nil)
        try await second.close()
    }

    @Test func twoProcessesWorthOfConnectionsShareOneFile() async throws {
        // `dlq` commands open the file beside a running `serve`: a second connection must see the
        // first one's dead letters and its redrive must reach the first one's queue.
        let directory = temporaryDirectory()
        let server = try await SQLiteStorage.open(directory: directory)
        let operator_ = try await SQLiteStorage.open(directory: directory)
        _ = try await server.queue.enqueue([QueuedUpdate(updateID: 1, groupID: "chat:1", body: [])])
        let received = try await server.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
        try await server.queue.deadLetter(received[0].receipt, reason: "poison")
        #expect(try await operator_.queue.deadLetters(limit: 5).map(\.update.updateID) == [1])
        #expect(try await operator_.queue.redriveAll() == 1)
        #expect(try await server.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30)).map(\.update.updateID) == [1])
        try await operator_.close()
        try await server.close()
    }
}

extension SQLiteUpdateQueueTests {
    @Test func concurrentCallersEachLearnTheirOwnOutcome() async throws {
        // Callers that arrive together share transactions; each must still get its own answer, and a
        // second delivery of the same update_id racing the first must be the duplicate.
        try await withStorage { storage, _ in
            let outcomes = try await withThrowingTaskGroup(of: (Int, EnqueueOutcome).self) { group in
                for delivery in 0..<200 {
                    let updateID = delivery % 100
                    group.addTask {
                        let update = QueuedUpdate(updateID: updateID, groupID: "chat:\(updateID % 7)", body: Array("{}".utf8))
                        return (updateID, try await storage.queue.enqueue([update])[0])
                    }
                }
                return try await group.reduce(into: [Int: [EnqueueOutcome]]()) { $0[$1.0, default: []].append($1.1) }
            }
            #expect(outcomes.count == 100)
            #expect(outcomes.values.allSatisfy { $0.filter { $0 == .enqueued }.count == 1 && $0.count == 2 })
            #expect(try await storage.queue.depth() == 100)
        }
    }

    @Test("a data directory written by the previous schema opens with its queue, dead letters, dedup and last reasons intact")
    func upgradeFromThePreviousSchema() async throws {
        // The schema before its two indexes on `updates` were dropped, with one update waiting, one in flight
        // (receipt set, so a crash left it) and one dead letter, as an older `serve` leaves them.
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + SQLiteStorage.fileName
        do {
            let old = try SQLiteFile(path: path)
            // ... and before the last failure's reason was renamed from `last_error`.
            for statement in SQLiteSchema.statements where !statement.hasPrefix("DROP INDEX") {
                _ = try old.executeUncached(statement.replacing("last_reason TEXT", with: "last_error TEXT"), [])
            }
            _ = try old.executeUncached("CREATE INDEX updates_by_group ON updates (group_id, seq)", [])
            _ = try old.executeUncached("CREATE INDEX updates_by_visibility ON updates (visible_at, seq)", [])
            _ = try old.executeUncached(
                """
                INSERT INTO updates (update_id, group_id, body, enqueued_at, visible_at, attempts, deliveries, receipt, last_error)
                VALUES (10, 'chat:1', x'7B7D', 1700000000000, 1700000030000, 1, 1, '1.1', NULL),
                       (11, 'chat:1', x'7B7D', 1700000000001, 0, 0, 0, NULL, NULL),
                       (20, 'chat:2', x'7B7D', 1700000000002, 0, 1, 1, NULL, 'handler threw')
                """, [])
            _ = try old.executeUncached(
                """
                INSERT INTO dead_letters (update_id, group_id, body, attempts, reason, enqueued_at, dead_lettered_at)
                VALUES (5, 'chat:3', x'7B7D', 3, 'poison', 1699999999000, 1700000000000)
                """, [])
            old.close()
        }

        let clock = ManualClock()
        let storage = try await SQLiteStorage.open(directory: directory, now: clock.now)
        var indexes: [String] = []
        do {
            let reader = try SQLiteFile(path: path)
            try reader.query("SELECT name FROM sqlite_master WHERE type = 'index'") { indexes.append($0.text(0) ?? "") }
            reader.close()
        }
        #expect(indexes == ["seen_updates_by_time"])
        #expect(try await storage.queue.recoverInFlight() == 1)
        // chat:1's crashed head comes back first with its attempt counted; chat:2 goes on beside it.
        let received = try await storage.queue.receive(maximumCount: 10, visibilityTimeout: .seconds(30))
        #expect(received.map(\.update.updateID) == [10, 20])
        #expect(received.map(\.attempts) == [2, 2])
        #expect(received.map(\.lastReason) == [ReceivedUpdate.stoppedWhileHandling, "handler threw"], "the reason survives the column's rename")
        #expect(try await storage.queue.enqueue([QueuedUpdate(updateID: 11, groupID: "chat:1", body: [])]) == [.duplicate])
        #expect(try await storage.queue.deadLetters(limit: 5).map(\.reason) == ["poison"])
        try await storage.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test("FIFO per group holds while updates arrive, four consumers receive, and some are released to retry")
    func orderHoldsUnderConcurrentEnqueueReceiveAndRelease() async throws {
        let groups = 20, perGroup = 15
        let directory = temporaryDirectory()
        let storage = try await SQLiteStorage.open(directory: directory)
        // Per group: every delivery in the order the consumers got them, and the acknowledged ids.
        let delivered = IDsByGroup()
        let acknowledged = IDsByGroup()
        // Generous: 300 updates take seconds, but a busy machine once stretched them past 60 s.
        let deadline = ContinuousClock.now + .seconds(180)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for group in 0..<groups {
                tasks.addTask {
                    for index in 1...perGroup {
                        let update = QueuedUpdate(updateID: group * 1000 + index, groupID: "chat:\(group)", body: Array("{}".utf8))
                        _ = try await storage.queue.enqueue([update])
                        // Telegram's redelivery of the same update now and then: a duplicate, never a second row.
                        if index % 4 == 0 { #expect(try await storage.queue.enqueue([update]) == [.duplicate]) }
                    }
                }
            }
            for consumer in 0..<4 {
                tasks.addTask {
                    var round = 0
                    while acknowledged.withLock({ $0.values.map(\.count).reduce(0, +) }) < groups * perGroup, ContinuousClock.now < deadline {
                        round += 1
                        let batch = try await storage.queue.receive(maximumCount: 3, visibilityTimeout: .seconds(30))
                        if batch.isEmpty { try await Task.sleep(for: .milliseconds(2)) }
                        for item in batch {
                            let group = item.update.updateID / 1000
                            delivered.withLock { $0[group, default: []].append(item.update.updateID % 1000) }
                            if (item.update.updateID + round + consumer) % 5 == 0 && item.attempts < 3 {
                                try await storage.queue.release(item.receipt, after: .milliseconds(round % 4), reason: "retry", countingAttempt: true)
                            } else {
                                // Noted before the acknowledgement: once it is done, another consumer may receive,
                                // acknowledge and note the group's next update before this one is noted.
                                acknowledged.withLock { $0[group, default: []].append(item.update.updateID % 1000) }
                                try await storage.queue.acknowledge([item.receipt])
                            }
                        }
                    }
                }
            }
            try await tasks.waitForAll()
        }
        try await storage.close()
        try? FileManager.default.removeItem(atPath: directory)

        let expected = Array(1...perGroup)
        for group in 0..<groups {
            #expect(acknowledged.withLock { $0[group] } == expected, "group \(group) acknowledged in order")
            // A release redelivers the same update; the next one may never come before it is acknowledged.
            let deliveries = delivered.withLock { $0[group] ?? [] }
            let firstDeliveries = deliveries.enumerated().filter { $0.offset == 0 || deliveries[$0.offset - 1] != $0.element }.map(\.element)
            #expect(firstDeliveries == expected, "group \(group) delivered in order: \(deliveries)")
        }
    }

    @Test func aReceiptFromElsewhereMatchesNothing() async throws {
        try await withStorage { storage, _ in
            _ = try await storage.queue.enqueue([QueuedUpdate(updateID: 1, groupID: "chat:1", body: [])])
            let received = try await storage.queue.receive(maximumCount: 1, visibilityTimeout: .seconds(30))
            try await storage.queue.acknowledge([QueueReceipt("not-a-receipt"), QueueReceipt("999.1")])
            await #expect(throws: StaleReceiptError.self) {
                try await storage.queue.release(QueueReceipt("1.x"), after: .zero, reason: "e", countingAttempt: true)
            }
            #expect(try await storage.queue.depth() == 1)
            try await storage.queue.acknowledge(received.map(\.receipt))
            #expect(try await storage.queue.depth() == 0)
        }
    }
}

/// Update ids per group, appended from several tasks.
final class IDsByGroup: Sendable {
    private let ids = Mutex<[Int: [Int]]>([:])
    func withLock<Result>(_ body: (inout [Int: [Int]]) -> Result) -> Result { ids.withLock { body(&$0) } }
}

/// A clock the test moves by hand.
final class ManualClock: Sendable {
    private let milliseconds = Mutex<Int64>(1_700_000_000_000)
    func now() -> Int64 { milliseconds.withLock { $0 } }
    func advance(byMilliseconds delta: Int64) { milliseconds.withLock { $0 += delta } }
}


func withStorage(
    deduplicationWindow: Duration = SQLiteStorage.defaultDeduplicationWindow,
    _ body: (SQLiteStorage, ManualClock) async throws -> Void
) async throws {
    let directory = temporaryDirectory()
    let clock = ManualClock()
    let storage = try await SQLiteStorage.open(directory: directory, deduplicationWindow: deduplicationWindow, now: { clock.now() })
    do {
        try await body(storage, clock)
    } catch {
        try? await storage.close()
        try? FileManager.default.removeItem(atPath: directory)
        throw error
    }
    try await storage.close()
    try? FileManager.default.removeItem(atPath: directory)
}

/// Group commit puts many callers' work in one transaction; one caller's failure must not undo the others'.
@Suite struct GroupCommitIsolationTests {
    @Test("a failed one-statement unit (no savepoint) and a failed multi-statement unit undo only their own work")
    func failuresStayWithTheirUnit() async throws {
        let directory = temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let file = try SQLiteFile(path: directory + "/isolation.sqlite")
        try file.executeUncached("CREATE TABLE items (value INTEGER UNIQUE NOT NULL)", [])
        try file.executeUncached("INSERT INTO items (value) VALUES (-1)", [])
        let database = SQLiteTransactions(file: file, checkpointer: try WALCheckpointer(path: directory + "/isolation.sqlite"))

        // 300 callers at once, so most transactions hold many units; every tenth one fails.
        let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<300 {
                group.addTask {
                    let fails = index % 10 == 0
                    do {
                        if index % 20 == 0 {
                            // Two statements: the first succeeds, the second breaks the UNIQUE constraint;
                            // the savepoint must undo the first one too.
                            try await database.run { db in
                                try db.execute("INSERT INTO items (value) VALUES (?)", [.integer(Int64(1000 + index))])
                                try db.execute("INSERT INTO items (value) VALUES (-1)")
                            }
                        } else {
                            // One statement; a failing one inserts a row, then breaks the UNIQUE constraint with
                            // its second row: SQLite itself must undo the first.
                            try await database.run(changesInOneStatement: true) { db in
                                if fails {
                                    try db.execute("INSERT INTO items (value) VALUES (?), (-1)", [.integer(Int64(2000 + index))])
                                } else {
                                    try db.execute("INSERT INTO items (value) VALUES (?)", [.integer(Int64(index))])
                                }
                            }
                        }
                        return (index, true)
                    } catch {
                        return (index, false)
                    }
                }
            }
            return try await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.filter { !$0.value }.keys.sorted() == Array(stride(from: 0, to: 300, by: 10)))

        let stored = try await database.run { db -> [Int] in
            var values: [Int] = []
            try db.query("SELECT value FROM items ORDER BY value") { values.append($0.integer(0)) }
            return values
        }
        let expected = [-1] + (0..<300).filter { $0 % 10 != 0 }
        #expect(stored == expected)
        try await database.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite struct WriteAheadLogTests {
    @Test("the write-ahead log is copied back beside the commits and reused, so it stays small however much is written")
    func logStaysBounded() async throws {
        let directory = temporaryDirectory()
        let storage = try await SQLiteStorage.open(directory: directory)
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 2_048)
        var largestLog = 0
        // 3,000 commits of 2 KiB each: about 9,000 frames (36 MB) of log if nothing were copied back.
        for id in 1...3_000 {
            _ = try await storage.queue.enqueue([QueuedUpdate(updateID: id, groupID: "chat:\(id % 10)", body: body)])
            if id % 100 == 0 {
                let size = (try? FileManager.default.attributesOfItem(atPath: storage.path + "-wal")[.size] as? Int) ?? 0
                largestLog = max(largestLog, size)
            }
        }
        #expect(try await storage.queue.depth() == 3_000)
        #expect(largestLog > 0)
        #expect(largestLog < 16 << 20, "the log reached \(largestLog) bytes")
        try await storage.close()
        // Closing copies the rest back: reopened, every update is there.
        let reopened = try await SQLiteStorage.open(directory: directory)
        #expect(try await reopened.queue.depth() == 3_000)
        try await reopened.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
