import FerryTestSupport
import Foundation

/// Runs the built EchoBot binary with `arguments` and ends it if it has not exited within 120 s.
enum EchoBotProcess {
    struct Exit {
        var status: Int32
        var standardOutput: String
        var standardError: String
    }

    struct DidNotExit: Error {}

    static func run(_ arguments: [String], environment: [String: String]) async throws -> Exit {
        let process = Process()
        process.executableURL = EchoBotBinary.url
        process.arguments = arguments
        process.environment = ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "warning"].merging(environment) { $1 }
        let output = ChildOutput()
        let errors = ChildOutput()
        process.standardOutput = output.pipe
        process.standardError = errors.pipe
        try process.run()
        for _ in 0..<1_200 where process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning {
            process.terminate()
            throw DidNotExit()
        }
        return Exit(
            status: process.terminationStatus,
            standardOutput: output.finish(),
            standardError: errors.finish()
        )
    }
}
