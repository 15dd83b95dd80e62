import Subprocess

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// One run of an external program.
public struct Command: Sendable {
    /// A program name looked up on `PATH`, or a path.
    public var executable: String
    public var arguments: [String]
    /// Changes to this process's environment for the program: a value sets the variable, `nil` removes it.
    /// (Applied after ``ChildEnvironment`` has taken the secrets out, so a variable named here is passed on.)
    public var environment: [String: String?]
    /// Whether the program calls AWS and so keeps this process's `AWS_*` variables (credentials, profile,
    /// region); every other program starts without them. No program gets the `TELEGRAM_*` ones.
    public var callsAWS: Bool
    /// Text written to the program's standard input; the way to hand it a secret without putting the secret
    /// in its arguments, which every user of the machine can read in the process list.
    public var input: String?
    /// How long the program may run before it is killed.
    public var timeout: Duration
    /// Called with each line of standard output as it arrives, for progress; the output is collected either way.
    public var onOutputLine: (@Sendable (String) -> Void)?

    public init(
        executable: String,
        arguments: [String],
        environment: [String: String?] = [:],
        callsAWS: Bool = false,
        input: String? = nil,
        timeout: Duration = .seconds(120),
        onOutputLine: (@Sendable (String) -> Void)? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.callsAWS = callsAWS
        self.input = input
        self.timeout = timeout
        self.onOutputLine = onOutputLine
    }
}

/// What a program that ran to its end printed, and how it ended.
public struct CommandResult: Sendable, Hashable {
    /// The exit code; `nil` when a signal ended the program.
    public var exitCode: Int32?
    public var standardOutput: String
    public var standardError: String

    public init(exitCode: Int32?, standardOutput: String, standardError: String) {
        self.exitCode = exitCode
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    public var succeeded: Bool { exitCode == 0 }
}

/// Why a program could not be run to its end.
public enum CommandError: Error, Hashable, CustomStringConvertible {
    /// It could not be started (not found, not executable).
    case launchFailed(executable: String, reason: String)
    /// It ran longer than its timeout and was killed.
    case timedOut(executable: String, after: Duration)
    /// It printed more than the runner keeps.
    case outputTooLarge(executable: String)

    public var description: String {
        switch self {
        case .launchFailed(let executable, let reason): "could not run \(executable): \(reason)"
        case .timedOut(let executable, let after): "\(executable) did not finish within \(after) and was stopped"
        case .outputTooLarge(let executable): "\(executable) printed more output than is kept"
        }
    }
}

/// Runs external programs; the seam that lets tests see exactly which commands a deployment runs.
public protocol CommandRunner: Sendable {
    func run(_ command: Command) async throws(CommandError) -> CommandResult
}

/// The environment a child process starts with: this process's, without the secrets it has no use for.
///
/// A child runs code Ferry does not control: `swift build` runs the package's build plugins and the
/// dependencies' build scripts, any of which could read and send away what its environment holds.
public enum ChildEnvironment {
    /// The bot token and the webhook secret: no program Ferry runs needs them (the token reaches AWS
    /// through the AWS CLI's standard input).
    static let telegramPrefix = "TELEGRAM_"
    /// AWS credentials and their configuration: only for programs that call AWS.
    static let awsPrefix = "AWS_"

    /// `parent` without the variables `command` must not see, then with `command`'s own changes.
    public static func variables(for command: Command, inheriting parent: [String: String]) -> [String: String] {
        var variables = parent.filter { name, _ in
            !name.hasPrefix(telegramPrefix) && (command.callsAWS || !name.hasPrefix(awsPrefix))
        }
        for (name, value) in command.environment {
            variables[name] = value  // nil removes the variable
        }
        return variables
    }
}

/// Runs programs as child processes, each with ``ChildEnvironment/variables(for:inheriting:)``.
public struct ProcessCommandRunner: CommandRunner {
    /// The most output kept per stream; the AWS CLI's answers here are a few kilobytes.
    public static let outputLimit = 4 * 1024 * 1024

    /// The environment children inherit from, before the secrets are taken out; `nil` reads this process's at each run.
    private let parentEnvironment: [String: String]?

    public init() {
        parentEnvironment = nil
    }

    /// A runner whose children inherit from `parentEnvironment` instead of this process's environment.
    public init(parentEnvironment: [String: String]) {
        self.parentEnvironment = parentEnvironment
    }

    public func run(_ command: Command) async throws(CommandError) -> CommandResult {
        let executable: Executable = command.executable.contains("/")
            ? .path(FilePath(command.executable)) : .name(command.executable)
        let variables = ChildEnvironment.variables(
            for: command, inheriting: parentEnvironment ?? ProcessInfo.processInfo.environment
        )
        var keys: [Environment.Key: String] = [:]
        for (name, value) in variables { keys[Environment.Key(stringLiteral: name)] = value }
        let environment = Environment.custom(keys)
        do {
            return try await Self.withTimeout(command.timeout, executable: command.executable) {
                try await Self.execute(command, executable: executable, environment: environment)
            }
        } catch let error as CommandError {
            throw error
        } catch let error as SubprocessError {
            throw Self.classify(error, executable: command.executable)
        } catch {
            throw .launchFailed(executable: command.executable, reason: String(describing: error))
        }
    }

    private static func execute(
        _ command: Command,
        executable: Executable,
        environment: Environment
    ) async throws -> CommandResult {
        let outcome = try await Subprocess.run(
            executable,
            arguments: Arguments(command.arguments),
            environment: environment,
            input: .string(command.input ?? ""),
            output: .sequence,
            error: .string(limit: outputLimit)
        ) { execution in
            var lines: [String] = []
            var size = 0
            for try await line in execution.standardOutput.strings() {
                size += line.utf8.count + 1
                guard size <= outputLimit else { throw CommandError.outputTooLarge(executable: command.executable) }
                command.onOutputLine?(line)
                lines.append(line)
            }
            return lines.joined(separator: "\n")
        }
        let exitCode: Int32? =
            switch outcome.terminationStatus {
            case .exited(let code): Int32(code)
            default: nil
            }
        return CommandResult(
            exitCode: exitCode,
            standardOutput: outcome.closureResult,
            standardError: outcome.standardError
        )
    }

    /// Runs `body`, cancelling it once `timeout` has passed; cancelling a run kills its process.
    private static func withTimeout<Result: Sendable>(
        _ timeout: Duration,
        executable: String,
        _ body: @escaping @Sendable () async throws -> Result
    ) async throws -> Result {
        try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let result = first else {
                throw CommandError.timedOut(executable: executable, after: timeout)
            }
            return result
        }
    }

    private static func classify(_ error: SubprocessError, executable: String) -> CommandError {
        error.code == .outputLimitExceeded
            ? .outputTooLarge(executable: executable)
            : .launchFailed(executable: executable, reason: String(describing: error))
    }
}
