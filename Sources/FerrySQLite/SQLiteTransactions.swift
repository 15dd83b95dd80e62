import NIOPosix
import Synchronization

/// Runs every read and write of one SQLite connection on a thread of its own, in transactions that
/// batch whatever arrives while the previous one commits ("group commit").
///
/// A commit with `synchronous = FULL` costs an fsync; one per webhook would cap ingress at the
/// disk's fsync rate. Callers queue units of work; the writer thread takes every pending unit, runs
/// them in one transaction, commits, resumes their callers, and repeats until nothing is pending.
/// A unit is synchronous code against ``SQLiteFile``: a whole batch costs one thread hop there and
/// one back per caller, however many statements its units run.
final class SQLiteTransactions: Sendable {
    /// Runs inside the transaction; returns what resumes its caller once the transaction has committed.
    private typealias Work = @Sendable (SQLiteFile) throws -> @Sendable () -> Void

    private struct Unit: Sendable {
        var work: Work
        var fail: @Sendable (any Error) -> Void
        /// See `run(changesInOneStatement:_:)`: such a unit needs no savepoint.
        var changesInOneStatement: Bool
    }

    private struct State {
        var pending: [Unit] = []
        var committing = false
        var closed = false
    }

    /// The connection, only ever used on the writer thread or, after it stopped, by `close`. The
    /// mutex is uncontended: it makes that ownership checkable instead of asserted.
    private let file: Mutex<SQLiteFile>
    private let writer: NIOThreadPool
    private let checkpointer: WALCheckpointer
    private let state = Mutex(State())
    /// Units per transaction: enough to amortize the fsync, few enough that callers whose work
    /// arrived first are not held long behind a burst.
    private let maximumBatch = 1024

    init(file: consuming sending SQLiteFile, checkpointer: WALCheckpointer) {
        file.reportLogLength(to: checkpointer.logLength)
        self.file = Mutex(file)
        self.checkpointer = checkpointer
        self.writer = NIOThreadPool(numberOfThreads: 1)
        writer.start()
    }

    /// Runs `body` inside a transaction (shared with other callers' work) and returns its result
    /// once the transaction has committed. When `body` throws, only its own changes are rolled
    /// back; when the commit fails, every unit in the transaction fails.
    ///
    /// - Parameter changesInOneStatement: `body` changes the database in one statement at most and
    ///   throws only from that statement. SQLite undoes a failed statement by itself, so such a unit
    ///   runs without a savepoint of its own: two statements and a journal fewer (the webhook's enqueue).
    /// - Parameter rolledBack: runs on the writer thread when `body`'s changes were undone (it threw,
    ///   or the transaction failed), before any other unit runs: for state kept beside the file.
    @discardableResult
    func run<Result: Sendable>(
        changesInOneStatement: Bool = false,
        rolledBack: (@Sendable () -> Void)? = nil,
        _ body: @escaping @Sendable (SQLiteFile) throws -> Result
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
            let unit = Unit(
                work: { file in
                    let value: Result
                    do {
                        value = try body(file)
                    } catch {
                        // Now, not with the failure below: later units of this transaction come first.
                        rolledBack?()
                        throw error
                    }
                    return { continuation.resume(returning: value) }
                },
                fail: { error in
                    rolledBack?()
                    continuation.resume(throwing: error)
                },
                changesInOneStatement: changesInOneStatement
            )
            let startsCommitter = state.withLock { state -> Bool? in
                guard !state.closed else { return nil }
                state.pending.append(unit)
                if state.committing { return false }
                state.committing = true
                return true
            }
            switch startsCommitter {
            case nil: continuation.resume(throwing: SQLiteStorageError.closed)
            case false?: break  // the running committer takes it in its next transaction
            case true?: writer.submit { _ in self.commitPending() }
            }
        }
    }

    /// On the writer thread: commits batches until nothing is pending.
    private func commitPending() {
        while true {
            let batch = state.withLock { state -> [Unit] in
                guard state.pending.count > maximumBatch else {
                    let batch = state.pending
                    state.pending = []
                    if batch.isEmpty { state.committing = false }
                    return batch
                }
                let batch = Array(state.pending.prefix(maximumBatch))
                state.pending.removeFirst(maximumBatch)
                return batch
            }
            if batch.isEmpty { return }
            let finishes = file.withLock { file in commit(batch, in: file) }
            for finish in finishes { finish() }
            // After the callers are resumed: the writer's share of a checkpoint never delays their answers.
            file.withLock { file in checkpointer.commitFinished(writer: file) }
        }
    }

    /// Runs the batch in one transaction, each unit inside a savepoint so that one unit's failure
    /// (a constraint, a bad row) undoes only its own changes. Returns how to resume each caller.
    private func commit(_ batch: [Unit], in file: SQLiteFile) -> [@Sendable () -> Void] {
        do {
            try file.execute("BEGIN IMMEDIATE")
        } catch {
            return batch.map { unit in { unit.fail(error) } }
        }
        if batch.count == 1 {
            return [commitAlone(batch[0], in: file)]
        }
        var finishes: [@Sendable () -> Void] = []
        finishes.reserveCapacity(batch.count)
        for unit in batch {
            if unit.changesInOneStatement {
                do {
                    finishes.append(try unit.work(file))
                } catch {
                    finishes.append { unit.fail(error) }
                    guard file.inTransaction else { return batch.map { unit in { unit.fail(error) } } }
                }
                continue
            }
            do {
                try file.execute("SAVEPOINT unit")
                let finish = try unit.work(file)
                try file.execute("RELEASE unit")
                finishes.append(finish)
            } catch {
                finishes.append { unit.fail(error) }
                guard file.inTransaction else {
                    // SQLite rolled the whole transaction back (I/O error, full disk): the units
                    // before this one lost their changes too, and the ones after have nowhere to run.
                    return batch.map { unit in { unit.fail(error) } }
                }
                _ = try? file.execute("ROLLBACK TO unit")
                _ = try? file.execute("RELEASE unit")
            }
        }
        do {
            try file.execute("COMMIT")
            return finishes
        } catch {
            if file.inTransaction { _ = try? file.execute("ROLLBACK") }
            return batch.map { unit in { unit.fail(error) } }
        }
    }

    /// A transaction of one unit needs no savepoint: when the unit fails, the whole transaction is
    /// its own to roll back. (At low load most transactions hold one unit.)
    private func commitAlone(_ unit: Unit, in file: SQLiteFile) -> @Sendable () -> Void {
        do {
            let finish = try unit.work(file)
            try file.execute("COMMIT")
            return finish
        } catch {
            if file.inTransaction { _ = try? file.execute("ROLLBACK") }
            return { unit.fail(error) }
        }
    }

    /// Refuses new work, lets pending work commit, stops the writer thread and closes the file.
    func close() async throws {
        state.withLock { $0.closed = true }
        // Bounded: pending work only shrinks once `closed` is set.
        for _ in 0..<2_000 {
            if state.withLock({ !$0.committing && $0.pending.isEmpty }) { break }
            try? await Task.sleep(for: .milliseconds(5))
        }
        try await writer.shutdownGracefully()
        try await checkpointer.close()
        // The last connection to close checkpoints what is left and removes the log.
        file.withLock { $0.close() }
    }
}
