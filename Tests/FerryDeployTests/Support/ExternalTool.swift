import FerryDeploy
import FerryTestSupport
import Testing

/// A command-line tool the tests run for real (cfn-lint, checkov, python3). Tests declare the outside tools
/// they need with `.needs(...)`, which skips them where a tool is missing unless `CI` is set; a tool that
/// still fails to launch fails the test with the command that installs it.
enum ExternalTool {
    static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String?] = [:],
        timeout: Duration = .seconds(300)
    ) async throws -> CommandResult {
        do {
            return try await ProcessCommandRunner().run(
                Command(executable: executable, arguments: arguments, environment: environment, timeout: timeout)
            )
        } catch {
            if case .launchFailed = error, let tool = OutsideTool.all.first(where: { $0.path == executable || $0.name == executable }) {
                Issue.record(Comment(rawValue: OutsideToolMissing(tool: tool).description))
            }
            throw error
        }
    }
}
