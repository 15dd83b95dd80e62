import Synchronization

/// Runs the jobs of tasks that prefer it on the thread that calls ``drain()``, one after another.
/// Routing never suspends for real (the benchmark's handlers call nothing), so a task started on it
/// runs to its end inside `drain`, on the main thread: valgrind, which crashes when the concurrency
/// runtime starts its thread pool, can then count the instructions of the whole async routing path.
final class CallingThreadExecutor: TaskExecutor {
    private let jobs = Mutex<[UnownedJob]>([])

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        jobs.withLock { $0.append(job) }
    }

    /// Runs jobs until none is left.
    func drain() {
        while let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
