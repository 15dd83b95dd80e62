import Foundation
import Synchronization

/// The example EchoBot binary, run as a separate process the way an operator runs it.
final class BotProcess: Sendable {
    /// Built by `swift build`/`swift test` next to the test bundle.
    static let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("EchoBot")

    private let process: Process
    private let output = Mutex("")
    private let outputPipe = Pipe()

    private init(process: Process) {
        self.process = process
    }

    /// Starts `EchoBot arguments...` with the given environment added to a minimal one.
    static func start(_ arguments: [String], environment: [String: String]) throws -> BotProcess {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "info"].merging(environment) { $1 }
        let bot = BotProcess(process: process)
        process.standardOutput = bot.outputPipe
        process.standardError = bot.outputPipe
        bot.outputPipe.fileHandleForReading.readabilityHandler = { [bot] handle in
            let chunk = String(decoding: handle.availableData, as: UTF8.self)
            bot.output.withLock { $0 += chunk }
        }
        try process.run()
        return bot
    }

    /// Runs `EchoBot arguments...` to completion (at most `limit`); returns exit status and output.
    static func run(_ arguments: [String], environment: [String: String] = [:], limit: Duration = .seconds(30)) async throws -> (status: Int32, output: String) {
        let bot = try start(arguments, environment: environment)
        try await bot.waitForExit(within: limit)
        return (bot.process.terminationStatus, bot.log)
    }

    var log: String { output.withLock { $0 } }
    var isRunning: Bool { process.isRunning }
    var exitStatus: Int32 { process.terminationStatus }

    /// The port from the "listening" log line, once the server is up. Generous, as a process starts slowly
    /// on a loaded machine; the log is looked at once more after the deadline, as a busy test process may
    /// oversleep it.
    func waitForPort(within limit: Duration = .seconds(120)) async throws -> Int {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while true {
            let log = self.log
            if log.contains("listening"), let port = log.firstMatch(of: /port=(\d+)/).flatMap({ Int($0.1) }) {
                return port
            }
            guard process.isRunning else { throw TestFailure("EchoBot exited (\(process.terminationStatus)) before listening:\n\(log)") }
            guard clock.now < deadline else { throw TestFailure("EchoBot did not listen within \(limit):\n\(log)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Runs `body`; when it throws, kills the process and waits for it, so a failed test leaves no bot
    /// running (holding its data directory and port) behind it.
    func stoppedOnFailure<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            try? await waitForExit()
            throw error
        }
    }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    func waitForExit(within limit: Duration = .seconds(30)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while process.isRunning {
            guard clock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw TestFailure("EchoBot did not exit within \(limit):\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        // Take what the handler has not read yet: the process is gone, so this reaches end of file.
        outputPipe.fileHandleForReading.readabilityHandler = nil
        let rest = String(decoding: outputPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        output.withLock { $0 += rest }
    }
}
