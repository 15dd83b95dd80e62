public import Foundation
import Synchronization

/// A child process for tests, started with `posix_spawn` rather than Foundation's `Process`.
///
/// Foundation's `Process.run()` on Linux (Swift 6.3.1) now and then crashes the whole test process while it
/// spawns: it copies 256 bytes of each `/proc/self/fd` directory entry, more than a short entry holds, and
/// faults when one ends at an unmapped page (swift-corelibs-foundation#5472, seen here as "Bad pointer
/// dereference" in `Process.run()` in one run of five). It also learns of a child's exit only when a socket
/// the child holds closes, which a process spawned at the same moment can inherit and hold open.
///
/// Here the child gets its standard input, output and error and no other descriptor (all others are closed
/// at spawn), and its exit is asked of the kernel.
public final class ChildProcess: Sendable {
    public let processIdentifier: pid_t
    /// The wait status once the child has been reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable` with exactly `arguments` and `environment`. Its standard input is `input` and then
    /// end of file (end of file at once without it; keep it under a pipe's 64 KiB). Output and errors go to
    /// the `ChildOutput` given, or nowhere.
    public init(
        executable: String, arguments: [String] = [], environment: [String: String],
        input: String? = nil, standardOutput: ChildOutput? = nil, standardError: ChildOutput? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }

        var inputPipe: [Int32] = [-1, -1]
        if input != nil {
            // Without O_CLOEXEC (pipe2 is not in Swift's Glibc): every spawn here closes what it does not pass on.
            guard pipe(&inputPipe) == 0 else { throw TestFailure("pipe: \(String(cString: strerror(errno)))") }
            posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        for (output, descriptor) in [(standardOutput, Int32(1)), (standardError, Int32(2))] {
            if let output {
                posix_spawn_file_actions_adddup2(&actions, output.writeDescriptor, descriptor)
            } else {
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", O_WRONLY, 0)
            }
        }
        guard Self.addCloseFrom(&actions, 3) == 0 else { throw TestFailure("posix_spawn_file_actions_addclosefrom_np failed") }

        // The child starts with default signal handling and nothing blocked, whatever the test runner set.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        if inputPipe[0] >= 0 { close(inputPipe[0]) }
        guard result == 0 else {
            if inputPipe[1] >= 0 { close(inputPipe[1]) }
            throw TestFailure("could not start \(executable): \(String(cString: strerror(result)))")
        }
        processIdentifier = pid
        // The child has its copies; the parent's would keep the pipes open after the child ends.
        standardOutput?.closeWriteEnd()
        standardError?.closeWriteEnd()
        if let input {
            let bytes = Array(input.utf8)
            var written = 0
            while written < bytes.count {
                let count = bytes[written...].withUnsafeBytes { write(inputPipe[1], $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                guard count > 0 else { break }  // the child closed its input: what it did not read, it did not want
                written += count
            }
            close(inputPipe[1])
        }
    }

    /// Whether the child has exited (and been reaped).
    public var hasExited: Bool { waitStatus(blocking: false) != nil }

    /// The exit status, or the number of the signal that ended it; `nil` while it runs.
    public var exitStatus: Int32? {
        waitStatus(blocking: false).map { status in
            let signal = status & 0x7F
            return signal == 0 ? (status >> 8) & 0xFF : signal
        }
    }

    /// Sends `signal` unless the child has been reaped (its pid could be another process's by then).
    public func signal(_ signal: Int32) {
        reaped.withLock { status in
            if status == nil { _ = kill(processIdentifier, signal) }
        }
    }

    /// Waits at most `limit` for the exit; sends SIGKILL and throws after it.
    @discardableResult
    public func waitForExit(within limit: Duration = .seconds(120)) async throws -> Int32 {
        let deadline = ContinuousClock.now + limit
        while true {
            if let status = exitStatus { return status }
            guard ContinuousClock.now < deadline else {
                signal(SIGKILL)
                throw TestFailure("process \(processIdentifier) did not exit within \(limit)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Blocks the thread until the child exits: only for commands that end at once (`mount`, `python3 -c`).
    @discardableResult
    public func waitUntilExit() -> Int32 {
        _ = waitStatus(blocking: true)
        return exitStatus ?? -1
    }

    private func waitStatus(blocking: Bool) -> Int32? {
        reaped.withLock { reaped in
            if let reaped { return reaped }
            var status: Int32 = 0
            while true {
                let result = waitpid(processIdentifier, &status, blocking ? 0 : WNOHANG)
                if result == processIdentifier {
                    reaped = status
                    return status
                }
                if result < 0, errno == EINTR { continue }
                return nil
            }
        }
    }

    /// glibc has `posix_spawn_file_actions_addclosefrom_np` since 2.34, but Swift's Glibc module does not
    /// declare it; it is looked up once by name.
    private static let addCloseFrom: @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32 = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else {
            fatalError("this glibc has no posix_spawn_file_actions_addclosefrom_np (glibc 2.34 or later is needed)")
        }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()
}
