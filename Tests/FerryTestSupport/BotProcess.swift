public import Foundation
import Synchronization

/// An example bot binary (`EchoBot`, `ShowcaseBot`) run as a separate process, the way an operator or a
/// newcomer runs it; its standard output and error are collected together in ``log``.
public final class BotProcess: Sendable {
    /// A product built by `swift build`/`swift test` next to the test bundle.
    public static func builtExecutable(_ name: String) -> URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name)
    }

    private let name: String
    private let process: ChildProcess
    private let output: ChildOutput

    private init(name: String, process: ChildProcess, output: ChildOutput) {
        self.name = name
        self.process = process
        self.output = output
    }

    /// Starts `bot arguments...` with `environment` added to a minimal one (`PATH`, `LOG_LEVEL=info`): in
    /// particular no `TELEGRAM_BOT_TOKEN` unless given. `openFileLimit` runs it under `ulimit -n`. Its standard
    /// input is `input`, then end of file (without `input`, end of file at once, as for a command run by a script).
    public static func start(
        _ arguments: [String], bot: String = "EchoBot", environment: [String: String] = [:], openFileLimit: Int? = nil,
        input: String? = nil
    ) throws -> BotProcess {
        let executable: String
        let fullArguments: [String]
        if let openFileLimit {
            // The shell sets the limit and becomes the bot (exec), so signals and the exit status are the bot's.
            executable = "/bin/sh"
            fullArguments = ["-c", "ulimit -n \(openFileLimit) && exec \"$0\" \"$@\"", builtExecutable(bot).path] + arguments
        } else {
            executable = builtExecutable(bot).path
            fullArguments = arguments
        }
        let output = ChildOutput()
        let process = try ChildProcess(
            executable: executable, arguments: fullArguments,
            environment: ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "info"].merging(environment) { $1 },
            input: input, standardOutput: output, standardError: output
        )
        return BotProcess(name: bot, process: process, output: output)
    }

    /// Runs `bot arguments...` to completion (at most `limit`); returns its exit status and output.
    public static func run(
        _ arguments: [String], bot: String = "EchoBot", environment: [String: String] = [:], input: String? = nil,
        limit: Duration = .seconds(30)
    ) async throws -> (status: Int32, output: String) {
        let started = try start(arguments, bot: bot, environment: environment, input: input)
        try await started.waitForExit(within: limit)
        return (started.exitStatus, started.log)
    }

    public var log: String { output.text }
    public var isRunning: Bool { !process.hasExited }
    /// The exit status (or the signal that ended it); -1 while it runs.
    public var exitStatus: Int32 { process.exitStatus ?? -1 }

    /// Waits until `find` finds what it looks for in the log. Generous, as a process starts slowly on a loaded
    /// machine; the log is looked at once more after the deadline, as a busy test process may oversleep it.
    public func waitForLog<Found>(
        _ what: String, within limit: Duration = .seconds(120), _ find: (String) -> Found?
    ) async throws -> Found {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while true {
            let log = self.log
            if let found = find(log) { return found }
            guard !process.hasExited else { throw TestFailure("\(name) exited (\(exitStatus)) before \(what):\n\(log)") }
            guard clock.now < deadline else { throw TestFailure("\(name) did not get to \(what) within \(limit):\n\(log)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The port from the "listening" log line, once the server is up.
    public func waitForPort(within limit: Duration = .seconds(120)) async throws -> Int {
        try await waitForLog("listening", within: limit) { log in
            guard log.contains("listening") else { return nil }
            return log.firstMatch(of: /port=(\d+)/).flatMap { Int($0.1) }
        }
    }

    /// The playground's address from the log line that announces it, once the server listens.
    public func waitForPlayground(within limit: Duration = .seconds(120)) async throws -> String {
        try await waitForLog("announcing its playground", within: limit) { log in
            log.firstMatch(of: /(http:\/\/127\.0\.0\.1:\d+\/playground)/).map { String($0.1) }
        }
    }

    /// Runs `body`; when it throws, kills the process and waits for it, so a failed test leaves no bot
    /// running (holding its data directory and port) behind it.
    public func stoppedOnFailure<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            process.signal(SIGKILL)
            try? await waitForExit()
            throw error
        }
    }

    public func signal(_ signal: Int32) {
        process.signal(signal)
    }

    /// SIGTERM, as an operator stops it; the exit status once it exited (SIGKILL and a failure after `limit`).
    public func stop(within limit: Duration = .seconds(20)) async throws -> Int32 {
        signal(SIGTERM)
        try await waitForExit(within: limit)
        return exitStatus
    }

    public func waitForExit(within limit: Duration = .seconds(30)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while !process.hasExited {
            guard clock.now < deadline else {
                process.signal(SIGKILL)
                throw TestFailure("\(name) did not exit within \(limit):\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Take what the handler has not read yet: the process is gone, so this reaches end of file.
        _ = output.finish()
    }
}

/// A test's own failure, with what it saw.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
