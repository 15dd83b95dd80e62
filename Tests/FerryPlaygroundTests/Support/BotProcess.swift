import Foundation
import Synchronization

/// An example bot binary run as a separate process the way a newcomer runs it: `serve` without a token.
final class BotProcess: Sendable {
    /// Built by `swift build`/`swift test` next to the test bundle.
    static func executable(_ name: String) -> URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name)
    }

    private let process: Process
    private let output = Mutex("")
    private let outputPipe = Pipe()

    private init(process: Process) {
        self.process = process
    }

    /// Starts `name arguments...` with only `PATH` and `LOG_LEVEL` set: in particular no `TELEGRAM_BOT_TOKEN`.
    static func start(_ name: String, _ arguments: [String]) throws -> BotProcess {
        let process = Process()
        process.executableURL = executable(name)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "info"]
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

    var log: String { output.withLock { $0 } }

    /// The playground's address from the log line that announces it, once the server listens.
    /// Generous, as a process starts slowly on a loaded machine; the log is looked at once more after the
    /// deadline, as a busy test process may oversleep it.
    func waitForPlayground(within limit: Duration = .seconds(120)) async throws -> String {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while true {
            if let match = log.firstMatch(of: /(http:\/\/127\.0\.0\.1:\d+\/playground)/) { return String(match.1) }
            guard process.isRunning else { throw TestFailure("the bot exited (\(process.terminationStatus)) before listening:\n\(log)") }
            guard clock.now < deadline else { throw TestFailure("the bot did not announce its playground within \(limit):\n\(log)") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// SIGTERM, as an operator stops it; the exit status once it exited (SIGKILL after `limit`).
    func stop(within limit: Duration = .seconds(20)) async throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while process.isRunning {
            guard clock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw TestFailure("the bot did not exit within \(limit) of SIGTERM:\n\(log)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        outputPipe.fileHandleForReading.readabilityHandler = nil
        let rest = String(decoding: outputPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        output.withLock { $0 += rest }
        return process.terminationStatus
    }
}
