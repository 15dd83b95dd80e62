import FerryPlayground
import FoundationEssentials
import UnixSignals
import Subprocess
import Synchronization

#if canImport(System)
import System
#else
import SystemPackage
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Ctrl-C or SIGTERM, noticed by the loop between its steps.
final class DevStopSignal: Sendable {
    private let stopped = Atomic(false)

    var requested: Bool { stopped.load(ordering: .relaxed) }

    /// Returns once SIGINT or SIGTERM arrives (or the task is cancelled).
    func waitForSignal() async {
        for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
            stopped.store(true, ordering: .relaxed)
            return
        }
    }
}

/// The package's Swift sources and manifests, by modification time, polled: no file-system events API
/// is the same on Linux and macOS, and a few hundred `stat`s a third of a second cost nothing.
struct SourceWatcher: Sendable {
    let root: String
    /// Directories never looked into besides hidden ones and build output: the bot's data directory.
    let excluding: [String]

    /// Every watched file with its modification time.
    func snapshot() -> [String: Date] {
        var files: [String: Date] = [:]
        let manager = FileManager.default
        let skipped = Set(excluding.map(Self.normalized))
        var pending = [root]
        // Bounded: a package has thousands of files at most; anything more is not a package worth watching.
        while let directory = pending.popLast(), files.count < 50_000 {
            guard let entries = try? manager.contentsOfDirectory(atPath: directory) else { continue }
            for entry in entries where !entry.hasPrefix(".") {
                let path = directory + "/" + entry
                guard let attributes = try? manager.attributesOfItem(atPath: path) else { continue }
                if attributes[.type] as? FileAttributeType == .typeDirectory {
                    if !skipped.contains(Self.normalized(path)) { pending.append(path) }
                } else if entry.hasSuffix(".swift") || entry.hasSuffix(".c") || entry.hasSuffix(".h") {
                    files[path] = attributes[.modificationDate] as? Date ?? .distantPast
                }
            }
        }
        return files
    }

    private static func normalized(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/") where part != "." {
            if part == "..", !parts.isEmpty { parts.removeLast() } else { parts.append(part) }
        }
        return parts.joined(separator: "/")
    }
}

/// The bot as a child process of `dev`, sharing its terminal.
final class DevBot: Sendable {
    /// What the task running the process learns about it.
    private final class State: Sendable {
        let processID = Mutex<pid_t?>(nil)
        let finished = Mutex<String?>(nil)
    }

    private let state: State
    private let process: Task<Void, Never>
    private let stopRequest: AsyncStream<Void>.Continuation

    private init(state: State, process: Task<Void, Never>, stopRequest: AsyncStream<Void>.Continuation) {
        self.state = state
        self.process = process
        self.stopRequest = stopRequest
    }

    static func start(executable: String, arguments: [String], environment: [String: String]) -> DevBot {
        let (stopRequests, stopRequest) = AsyncStream.makeStream(of: Void.self)
        let state = State()
        var overrides: [Environment.Key: String?] = [:]
        for (name, value) in environment { overrides[Environment.Key(stringLiteral: name)] = .some(value) }
        let task = Task { [overrides] in
            do {
                let outcome = try await Subprocess.run(
                    .path(FilePath(executable)), arguments: Arguments(arguments),
                    environment: .inherit.updating(overrides),
                    input: .none, output: .currentStandardOutput, error: .currentStandardError
                ) { execution in
                    state.processID.withLock { $0 = execution.processIdentifier.value }
                    for await _ in stopRequests { break }
                    // Graceful: serve finishes the updates in flight (at most 10 s) and exits 0.
                    try? execution.send(signal: .terminate)
                }
                state.finished.withLock { $0 = "\(outcome.terminationStatus)" }
            } catch {
                say("dev: the bot could not start: \(error)")
                state.finished.withLock { $0 = "could not start: \(error)" }
            }
        }
        return DevBot(state: state, process: task, stopRequest: stopRequest)
    }

    /// How the process ended, once it has; `nil` while it runs.
    var exitStatus: String? {
        if let finished = state.finished.withLock({ $0 }) { return finished }
        guard let pid = state.processID.withLock({ $0 }) else { return nil }
        // Subprocess reaps it as soon as it exits: then its process id is gone.
        return kill(pid, 0) == -1 && errno == ESRCH ? "exited" : nil
    }

    /// SIGTERM, then waits for the exit; SIGKILL after 20 s, past serve's own 10-second grace period.
    func stop() async {
        stopRequest.yield()
        stopRequest.finish()
        let watchdog = Task { [state] in
            try await Task.sleep(for: .seconds(20))
            if let pid = state.processID.withLock({ $0 }) { kill(pid, SIGKILL) }
        }
        await process.value
        watchdog.cancel()
    }
}
