public import FerryQueue

/// The behaviour every ``UpdateQueue`` backend must share, written once and run against each
/// (the embedded SQLite queue, SQS): a test calls ``run(_:on:)`` per check with a fresh queue.
///
/// Checks tolerate what SQS allows (a receive may return fewer updates than are ready) by
/// receiving repeatedly, bounded in time; they never tolerate a wrong order. The bounds on waiting for
/// what must arrive are generous (30 s), so a loaded machine slows a check down rather than failing it.
public enum UpdateQueueConformance {
    public struct Check: Sendable, CustomStringConvertible {
        public let name: String
        let body: @Sendable (any UpdateQueue, Int) async throws -> Void
        public var description: String { name }
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var check: String
        public var message: String
        public var description: String { "\(check): \(message)" }
    }

    /// Runs one check. `idBase` keeps update ids apart when checks share a queue (SQS deduplicates
    /// for five minutes).
    public static func run(_ check: Check, on queue: any UpdateQueue, idBase: Int = 0) async throws {
        try await check.body(queue, idBase)
    }

    public static let all: [Check] = [
        fifoWithinAGroup, groupsFlowIndependently, duplicatesAreDropped, visibilityTimeoutRedelivers,
        releaseRedeliversWithAttempts, deadLetterUnblocksTheGroup, staleReceiptDoesNotDeleteNewerDelivery,
    ]

    public static let fifoWithinAGroup = Check(name: "updates of one group arrive one at a time, in order") { queue, base in
        let updates = (1...5).map { update(base + $0, group: "chat:1") }
        try await expect(queue.enqueue(updates) == Array(repeating: .enqueued, count: 5), "all five are new", in: "fifo")
        var seen: [Int] = []
        for _ in 0..<5 {
            let batch = try await receiveUntilSome(queue)
            try expect(batch.count == 1, "only the head of a group is in flight, got \(batch.count)", in: "fifo")
            seen.append(batch[0].update.updateID)
            try await queue.acknowledge(batch.map(\.receipt))
        }
        try expect(seen == updates.map(\.updateID), "order \(seen)", in: "fifo")
        try await expectEmpty(queue, in: "fifo")
    }

    public static let groupsFlowIndependently = Check(name: "a group waiting on its head does not hold up others") { queue, base in
        _ = try await queue.enqueue([
            update(base + 1, group: "chat:a"), update(base + 2, group: "chat:a"), update(base + 3, group: "chat:b"),
        ])
        let first = try await receiveAll(queue, expecting: 2)
        try expect(Set(first.map(\.update.updateID)) == [base + 1, base + 3], "heads of both groups, got \(first.map(\.update.updateID))", in: "groups")
        // Finish b's head only: a stays blocked behind its in-flight head, b has nothing left.
        try await queue.acknowledge(first.filter { $0.update.groupID == "chat:b" }.map(\.receipt))
        try await expect(queue.receive(maximumCount: 10, visibilityTimeout: .seconds(30)).isEmpty, "a's second waits for its head", in: "groups")
        try await queue.acknowledge(first.filter { $0.update.groupID == "chat:a" }.map(\.receipt))
        let second = try await receiveUntilSome(queue)
        try expect(second.map(\.update.updateID) == [base + 2], "then a's second", in: "groups")
        try await queue.acknowledge(second.map(\.receipt))
    }

    public static let duplicatesAreDropped = Check(name: "an update_id enqueued twice is delivered once") { queue, base in
        try await expect(queue.enqueue([update(base + 1, group: "chat:1")]) == [.enqueued], "first is new", in: "dedup")
        try await expect(queue.enqueue([update(base + 1, group: "chat:1")]) == [.duplicate], "second is a duplicate", in: "dedup")
        let batch = try await receiveUntilSome(queue)
        try expect(batch.map(\.update.updateID) == [base + 1], "one delivery", in: "dedup")
        try await queue.acknowledge(batch.map(\.receipt))
        try await expect(queue.enqueue([update(base + 1, group: "chat:1")]) == [.duplicate], "still a duplicate after handling", in: "dedup")
        try await expectEmpty(queue, in: "dedup")
    }

    public static let visibilityTimeoutRedelivers = Check(name: "an update not acknowledged in time is delivered again") { queue, base in
        let body = Array(#"{"update_id":1,"message":{"text":"hi"}}"#.utf8)
        _ = try await queue.enqueue([QueuedUpdate(updateID: base + 1, groupID: "chat:9", body: body)])
        // One at a time: a batch receive that takes longer than the second of visibility (a loaded
        // machine) may meet the same update again, as a second delivery.
        let first = try await receiveUntilSome(queue, maximumCount: 1, visibilityTimeout: .seconds(1))
        try expect(first.first?.attempts == 1, "first delivery is attempt 1", in: "visibility")
        try expect(first.first?.update.body == body, "body comes back byte for byte", in: "visibility")
        let second = try await receiveUntilSome(queue, visibilityTimeout: .seconds(30))
        try expect(second.map(\.update.updateID) == [base + 1], "redelivered", in: "visibility")
        try expect(second.first?.attempts == 2, "second delivery is attempt 2", in: "visibility")
        try await queue.acknowledge(second.map(\.receipt))
        try await expectEmpty(queue, in: "visibility")
    }

    public static let releaseRedeliversWithAttempts = Check(name: "a released update comes back first in its group") { queue, base in
        _ = try await queue.enqueue([update(base + 1, group: "chat:r"), update(base + 2, group: "chat:r")])
        let first = try await receiveUntilSome(queue)
        try await queue.release(first[0].receipt, after: .zero, reason: "boom", countingAttempt: true)
        let again = try await receiveUntilSome(queue)
        try expect(again.map(\.update.updateID) == [base + 1], "the released head again, before its follower", in: "release")
        try expect(again[0].attempts == 2, "attempt 2, got \(again[0].attempts)", in: "release")
        try await queue.acknowledge(again.map(\.receipt))
        let next = try await receiveUntilSome(queue)
        try expect(next.map(\.update.updateID) == [base + 2], "then the follower", in: "release")
        try await queue.acknowledge(next.map(\.receipt))
    }

    public static let deadLetterUnblocksTheGroup = Check(name: "a dead-lettered head lets its group go on") { queue, base in
        _ = try await queue.enqueue([update(base + 1, group: "chat:d"), update(base + 2, group: "chat:d")])
        let head = try await receiveUntilSome(queue)
        try await queue.deadLetter(head[0].receipt, reason: "poison")
        let next = try await receiveUntilSome(queue)
        try expect(next.map(\.update.updateID) == [base + 2], "the follower is delivered", in: "dead letter")
        try await queue.acknowledge(next.map(\.receipt))
        try await expectEmpty(queue, in: "dead letter")
    }

    public static let staleReceiptDoesNotDeleteNewerDelivery = Check(name: "an old receipt cannot acknowledge a newer delivery") { queue, base in
        _ = try await queue.enqueue([update(base + 1, group: "chat:s")])
        // One at a time: a batch receive that takes longer than the second of visibility (a loaded
        // machine) may meet the same update again, as a second delivery.
        let first = try await receiveUntilSome(queue, maximumCount: 1, visibilityTimeout: .seconds(1))
        let second = try await receiveUntilSome(queue, visibilityTimeout: .seconds(30))
        try? await queue.acknowledge(first.map(\.receipt))
        try await queue.release(second[0].receipt, after: .zero, reason: "retry", countingAttempt: true)
        let third = try await receiveUntilSome(queue)
        try expect(third.map(\.update.updateID) == [base + 1], "still queued after the stale acknowledgement", in: "stale receipt")
        try await queue.acknowledge(third.map(\.receipt))
    }

    // MARK: Helpers

    static func update(_ id: Int, group: String) -> QueuedUpdate {
        QueuedUpdate(updateID: id, groupID: group, body: Array(#"{"update_id":\#(id)}"#.utf8))
    }

    static func receiveUntilSome(
        _ queue: any UpdateQueue, maximumCount: Int = 10, visibilityTimeout: Duration = .seconds(30), within limit: Duration = .seconds(30)
    ) async throws -> [ReceivedUpdate] {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        // One more receive after the deadline: a busy test process may oversleep it.
        while true {
            let batch = try await queue.receive(maximumCount: maximumCount, visibilityTimeout: visibilityTimeout)
            if !batch.isEmpty { return batch }
            guard clock.now < deadline else { throw Failure(check: "receive", message: "nothing was delivered within \(limit)") }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    static func receiveAll(_ queue: any UpdateQueue, expecting count: Int, within limit: Duration = .seconds(30)) async throws -> [ReceivedUpdate] {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var received: [ReceivedUpdate] = []
        while received.count < count, clock.now < deadline {
            received += try await queue.receive(maximumCount: 10, visibilityTimeout: .seconds(30))
            if received.count < count { try await Task.sleep(for: .milliseconds(50)) }
        }
        return received
    }

    static func expectEmpty(_ queue: any UpdateQueue, in check: String) async throws {
        let extra = try await queue.receive(maximumCount: 10, visibilityTimeout: .seconds(30))
        try expect(extra.isEmpty, "nothing left, got \(extra.map(\.update.updateID))", in: check)
    }

    static func expect(_ condition: Bool, _ message: @autoclosure () -> String, in check: String) throws {
        if !condition { throw Failure(check: check, message: message()) }
    }
}
