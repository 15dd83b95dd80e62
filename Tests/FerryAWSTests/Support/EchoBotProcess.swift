import Foundation

/// Runs the built EchoBot binary with `arguments` and ends it if it has not exited within 60 s.
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
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        for _ in 0..<600 where process.isRunning {
            try await Task.sleep(for: .milliseconds(100))
        }
        if process.isRunning {
            process.terminate()
            throw DidNotExit()
        }
        return Exit(
            status: process.terminationStatus,
            standardOutput: String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
            standardError: String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        )
    }
}
