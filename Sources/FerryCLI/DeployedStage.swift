import ArgumentParser
import AsyncHTTPClient
import AWSClients
import FerryDeploy
import FerryStageContract

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The options of the commands that only read a deployed stage (`status`, `logs`): which stage, and where.
struct DeployedStageOptions: ParsableArguments {
    @Option(help: "The stage: lowercase letters and digits (dev, prod, pr42).")
    var stage: String

    @Option(help: "The bot's name in resource names (default: the binary's name, lowercased).")
    var bot: String?

    @Option(help: "AWS region (default: AWS_REGION, then the AWS CLI's).")
    var region: String?

    var stack: BotStack {
        BotStack(bot: bot ?? FerryApp.running.name.lowercased(), stage: stage)
    }

    /// The AWS CLI, pointed at `AWS_ENDPOINT_URL` when set (a local stand-in such as moto), in `--region` or
    /// else `AWS_REGION`: the region Ferry's own clients use, which version 1 of the CLI would not read itself.
    func aws() -> AWSCommandLine {
        let variables = EnvironmentReader.processVariables
        return AWSCommandLine(
            region: region ?? variables["AWS_REGION"].flatMap { $0.isEmpty ? nil : $0 },
            endpointURL: variables["AWS_ENDPOINT_URL"].flatMap { $0.isEmpty ? nil : $0 }
        )
    }

    /// Runs `body` with Ferry's own AWS clients' configuration for this stage's region (see ``withStageAWS(region:_:)``).
    func withAWS<T>(_ body: (Result<AWSClientConfiguration, AWSClientError>, HTTPClient) async throws -> T) async throws -> T {
        try await withStageAWS(region: region, body)
    }
}

/// Runs `body` with the configuration of Ferry's own AWS clients (credentials, region and `AWS_ENDPOINT_URL` from
/// the environment; `region` wins when given), or why there is none, and an HTTP client shut down afterwards:
/// what every command that reads or operates a deployed stage uses.
func withStageAWS<T>(
    region: String?,
    _ body: (Result<AWSClientConfiguration, AWSClientError>, HTTPClient) async throws -> T
) async throws -> T {
    var variables = EnvironmentReader.processVariables
    if let region { variables["AWS_REGION"] = region }
    // The operator's own pool: nothing here follows a redirect, which would carry a signed request elsewhere.
    var httpConfiguration = HTTPClient.Configuration()
    httpConfiguration.redirectConfiguration = .disallow
    let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
    let configuration: Result<AWSClientConfiguration, AWSClientError>
    do {
        configuration = .success(try await AWSClientConfiguration.resolve(variables, httpClient: httpClient, runProcess: runCredentialProcess))
    } catch {
        configuration = .failure(error)
    }
    do {
        let result = try await body(configuration, httpClient)
        try await httpClient.shutdown()
        return result
    } catch {
        try? await httpClient.shutdown()
        throw error
    }
}

/// How the credential chain runs `credential_process` and `aws configure export-credentials`: with this process's
/// environment, for at most a minute (an SSO refresh may ask the identity center once).
let runCredentialProcess: AWSCredentialChain.RunProcess = { arguments in
    let result = try await ProcessCommandRunner().run(
        Command(executable: arguments[0], arguments: Array(arguments.dropFirst()), timeout: .seconds(60))
    )
    guard result.succeeded else {
        throw CommandError("`\(arguments.joined(separator: " "))` failed: \(result.standardError.prefix(500))")
    }
    return result.standardOutput
}

/// The bot token as the stage's functions have it: `TELEGRAM_BOT_TOKEN` when set here, else the stage's
/// SecureString parameter, decrypted.
func stageBotToken(_ stack: BotStack, configuration: AWSClientConfiguration, httpClient: HTTPClient) async -> Result<String, StageReadError> {
    if let token = EnvironmentReader.processVariables[EnvironmentVariable.botToken.name], !token.isEmpty { return .success(token) }
    do {
        let parameter = try await SSMClient(configuration: configuration, httpClient: httpClient)
            .parameter(named: stack.names.botTokenParameter)
        return .success(parameter.value)
    } catch {
        return .failure(StageReadError("\(EnvironmentVariable.botToken) is not set and \(stack.names.botTokenParameter) could not be read: \(error)"))
    }
}

/// Why one part of a stage could not be read: shown in place of the part, never as the command's failure.
struct StageReadError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Bot tokens out of a text that is about to be shown: the known token in every form, and anything shaped like
/// one (digits, a colon, 30 or more token characters), so another bot's token or a token in a URL stays hidden too.
struct TokenRedactor: Sendable {
    static let placeholder = "<redacted>"
    var knownToken: String?

    func redact(_ text: String) -> String {
        var text = text
        if let knownToken, !knownToken.isEmpty {
            for form in [knownToken, knownToken.replacing(":", with: "%3A"), knownToken.replacing(":", with: "%3a")] {
                text = text.replacing(form, with: Self.placeholder)
            }
        }
        return text.replacing(/[0-9]{5,}(?::|%3[Aa])[A-Za-z0-9_\-]{30,}/, with: Self.placeholder)
    }
}

func printToStandardError(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { bytes in _ = write(STDERR_FILENO, bytes.baseAddress, bytes.count) }
}
