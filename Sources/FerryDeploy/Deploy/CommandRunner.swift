import Subprocess

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
    public var environment: [String: String?]
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
        input: String? = nil,
        timeout: Duration = .seconds(120),
        onOutputLine: (@Sendable (String) -> Void)? = nil
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
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

/// Runs programs as child processes.
public struct ProcessCommandRunner: CommandRunner {
    /// The most output kept per stream; the AWS CLI's answers here are a few kilobytes.
    public static let outputLimit = 4 * 1024 * 1024

    public init() {}

    public func run(_ command: Command) async throws(CommandError) -> CommandResult {
        let executable: Executable = command.executable.contains("/")
            ? .path(FilePath(command.executable)) : .name(command.executable)
        var overrides: [Environment.Key: String?] = [:]
        for (name, value) in command.environment {
            overrides[Environment.Key(stringLiteral: name)] = .some(value)  // nil removes the variable
        }
        let environment = Environment.inherit.updating(overrides)
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
        let text = String(describing: error)
        if text.lowercased().contains("limit") {
            return .outputTooLarge(executable: executable)
        }
        return .launchFailed(executable: executable, reason: text)
    }
}
