import NIOCore
import SQLiteNIO
import Synchronization

/// Runs every read and write of one connection in transactions, batching whatever arrives while a
/// transaction commits into the next one ("group commit").
///
/// A commit with `synchronous = FULL` costs an fsync; one per webhook would cap ingress at the
/// disk's fsync rate. Here the caller that finds no transaction running becomes the committer: it
/// takes every pending unit of work, runs them in one transaction, resumes their callers, and
/// repeats until nothing is pending. Units run one after another, so no two interleave.
final class SQLiteTransactions: Sendable {
    typealias Work = @Sendable (SQLiteConnection) async throws -> Void

    private struct Pending: Sendable {
        var work: Work
        var finish: @Sendable ((any Error)?) -> Void
    }

    private struct State {
        var pending: [Pending] = []
        var committing = false
        var closed = false
    }

    private let connection: SQLiteConnection
    private let state = Mutex(State())
    /// Units per transaction: enough to amortize the fsync, few enough that one slow unit does
    /// not hold many callers.
    private let maximumBatch = 512

    init(connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Runs `body` inside a transaction (shared with other callers' work) and returns its result
    /// once the transaction has committed. When the commit fails, every unit in it fails.
    func run<Result: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) async throws -> Result) async throws -> Result {
        let result = Mutex<Result?>(nil)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let unit = Pending(
                work: { connection in
                    let value = try await body(connection)
                    result.withLock { $0 = value }
                },
                finish: { error in
                    if let error { continuation.resume(throwing: error) } else { continuation.resume() }
                }
            )
            let admitted = state.withLock { state -> Bool? in
                guard !state.closed else { return nil }
                state.pending.append(unit)
                if state.committing { return false }
                state.committing = true
                return true
            }
            switch admitted {
            case nil: continuation.resume(throwing: SQLiteStorageError.closed)
            case false?: break
            case true?:
                // The first caller to find no commit running starts one for everyone; it ends
                // when no work is left. Every caller, this one included, waits on its continuation.
                Task { await self.commitPending() }
            }
        }
        return result.withLock { $0! }
    }

    private func commitPending() async {
        while true {
            let batch = state.withLock { state -> [Pending] in
                let count = min(state.pending.count, maximumBatch)
                let batch = Array(state.pending.prefix(count))
                state.pending.removeFirst(count)
                if batch.isEmpty { state.committing = false }
                return batch
            }
            if batch.isEmpty { return }
            await commit(batch)
        }
    }

    private func commit(_ batch: [Pending]) async {
        if let error = await transaction(batch.map(\.work)) {
            guard batch.count > 1 else { return batch[0].finish(error) }
            // One unit's failure (a constraint, a bad row) must not fail the others: run each in a
            // transaction of its own. Only the failing one reports its error.
            for unit in batch { unit.finish(await transaction([unit.work])) }
        } else {
            for unit in batch { unit.finish(nil) }
        }
    }

    /// Runs the units in one transaction; returns the error that rolled it back, if any.
    private func transaction(_ units: [Work]) async -> (any Error)? {
        do {
            _ = try await connection.query("BEGIN IMMEDIATE")
        } catch {
            return error
        }
        do {
            for unit in units { try await unit(connection) }
            _ = try await connection.query("COMMIT")
            return nil
        } catch {
            _ = try? await connection.query("ROLLBACK")
            return error
        }
    }

    /// Refuses new work, lets pending work commit, and closes the connection.
    func close() async throws {
        state.withLock { $0.closed = true }
        // Bounded: pending work only shrinks once `closed` is set.
        for _ in 0..<1_000 {
            if state.withLock({ !$0.committing && $0.pending.isEmpty }) { break }
            try? await Task.sleep(for: .milliseconds(5))
        }
        try await connection.close()
    }
}
