import FerryDeploy
import Testing

/// A command-line tool the tests run for real (cfn-lint, checkov, the AWS CLI, moto).
///
/// A missing tool fails the test with the command that installs it, rather than skipping: these checks are
/// what keeps the template honest.
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
            if case .launchFailed = error {
                Issue.record("\(executable) is needed by this test: pip install 'cfn-lint>=1.51' checkov 'moto[server]>=5.2' awscli")
            }
            throw error
        }
    }
}
