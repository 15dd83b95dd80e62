#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The AWS CLI (`aws`, version 1 or 2) as the deploy step runs it: credentials, region and profile come from
/// the user's usual AWS configuration, so Ferry never handles AWS credentials itself.
public struct AWSCommandLine: Sendable {
    /// The CLI program: a name looked up on `PATH`, or a path.
    public var executable: String
    /// The region to use; `nil` uses the CLI's configured region.
    public var region: String?
    /// The named profile to use; `nil` uses the CLI's default.
    public var profile: String?
    /// Another endpoint than AWS's, such as a local emulator (`http://127.0.0.1:5000`).
    public var endpointURL: String?
    /// Changes to this process's environment for the CLI: a value sets the variable, `nil` removes it.
    public var environment: [String: String?]
    public var runner: any CommandRunner

    public init(
        executable: String = "aws",
        region: String? = nil,
        profile: String? = nil,
        endpointURL: String? = nil,
        environment: [String: String?] = [:],
        runner: any CommandRunner = ProcessCommandRunner()
    ) {
        self.executable = executable
        self.region = region
        self.profile = profile
        self.endpointURL = endpointURL
        self.environment = environment
        self.runner = runner
    }

    /// Runs `aws <service> <operation> <arguments>` and returns its standard output.
    ///
    /// - Parameters:
    ///   - input: Text for the CLI's standard input, read by an argument of the form `file:///dev/stdin`; the
    ///     way to pass a secret.
    ///   - redacting: Secret values that must not appear in a thrown error, should the CLI echo them.
    ///   - onOutputLine: Called with each line the CLI prints, as it prints it.
    /// - Throws: ``AWSCommandLineError``; its text never contains the values in `redacting`.
    @discardableResult
    public func run(
        _ service: String,
        _ operation: String,
        _ arguments: [String] = [],
        input: String? = nil,
        redacting secrets: [String] = [],
        timeout: Duration = .seconds(120),
        onOutputLine: (@Sendable (String) -> Void)? = nil
    ) async throws(AWSCommandLineError) -> String {
        var fullArguments = [service, operation] + arguments + ["--output", "json"]
        if let region { fullArguments += ["--region", region] }
        if let profile { fullArguments += ["--profile", profile] }
        if let endpointURL { fullArguments += ["--endpoint-url", endpointURL] }
        // Version 2 pipes long output through a pager by default, which would wait for a keypress.
        let environment = self.environment.merging(["AWS_PAGER": ""]) { mine, _ in mine }
        let command = Command(
            executable: executable,
            arguments: fullArguments,
            environment: environment,
            callsAWS: true,
            input: input,
            timeout: timeout,
            onOutputLine: onOutputLine
        )
        let operationName = "\(service) \(operation)"
        let result: CommandResult
        do {
            result = try await runner.run(command)
        } catch {
            throw .couldNotRun(operation: operationName, reason: Self.redact(error.description, secrets))
        }
        guard result.succeeded else {
            let message = result.standardError.trimmingWhitespace
            throw .failed(operation: operationName, exitCode: result.exitCode, message: Self.redact(message, secrets))
        }
        return result.standardOutput
    }

    /// Runs an operation and decodes its JSON answer.
    public func json<Answer: Decodable>(
        _ answer: Answer.Type,
        _ service: String,
        _ operation: String,
        _ arguments: [String] = []
    ) async throws(AWSCommandLineError) -> Answer {
        let output = try await run(service, operation, arguments)
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(output.utf8))
        } catch {
            throw .unexpectedAnswer(operation: "\(service) \(operation)", reason: String(describing: error))
        }
    }

    private static func redact(_ text: String, _ secrets: [String]) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { text, secret in
            text.replacing(secret, with: "<redacted>")
        }
    }
}

/// Why an AWS CLI call failed.
public enum AWSCommandLineError: Error, Hashable, CustomStringConvertible {
    /// The CLI could not be run, or did not finish in time.
    case couldNotRun(operation: String, reason: String)
    /// The CLI ran and reported an error (AWS refused the call, the credentials are missing, ...).
    case failed(operation: String, exitCode: Int32?, message: String)
    /// The CLI answered with something other than the JSON expected.
    case unexpectedAnswer(operation: String, reason: String)

    /// Whether AWS answered that the thing asked about does not exist, as opposed to any other failure.
    public var isNotFound: Bool {
        guard case .failed(_, _, let message) = self else { return false }
        return ["NotFound", "Not Found", "does not exist", "(404)"].contains { message.contains($0) }
    }

    public var description: String {
        switch self {
        case .couldNotRun(let operation, let reason):
            "aws \(operation): \(reason)"
        case .failed(let operation, let exitCode, let message):
            "aws \(operation) failed (exit \(exitCode.map(String.init) ?? "by signal")): \(message)"
        case .unexpectedAnswer(let operation, let reason):
            "aws \(operation) answered unexpectedly: \(reason)"
        }
    }
}

extension String {
    /// The text without leading and trailing whitespace and newlines.
    fileprivate var trimmingWhitespace: String {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
            let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
