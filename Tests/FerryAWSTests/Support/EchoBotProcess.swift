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
        let output = ChildOutput()
        let errors = ChildOutput()
        let process = try ChildProcess(
            executable: EchoBotBinary.url.path, arguments: arguments,
            environment: ["PATH": "/usr/bin:/bin", "LOG_LEVEL": "warning"].merging(environment) { $1 },
            standardOutput: output, standardError: errors
        )
        let status: Int32
        do {
            status = try await process.waitForExit(within: .seconds(120))
        } catch {
            throw DidNotExit()
        }
        return Exit(status: status, standardOutput: output.finish(), standardError: errors.finish())
    }
}
