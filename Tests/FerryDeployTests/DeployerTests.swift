import FerryDeploy
import Foundation
import Synchronization
import FerryTestSupport
import Testing

/// Answers AWS CLI calls from a script and records every command, to see exactly what the deploy step runs.
final class ScriptedRunner: CommandRunner {
    /// Answers by `service operation`; a missing entry answers `{}`.
    let answers: [String: CommandResult]
    private let recorded = Mutex<[Command]>([])
    /// Answers given once each, in order, before `answers` (by `service operation`).
    private let sequences: Mutex<[String: [CommandResult]]>

    init(answers: [String: CommandResult], sequences: [String: [CommandResult]] = [:]) {
        self.answers = answers
        self.sequences = Mutex(sequences)
    }

    var commands: [Command] { recorded.withLock { $0 } }
    var operations: [String] { commands.map { $0.arguments.prefix(2).joined(separator: " ") } }

    func run(_ command: Command) async throws(CommandError) -> CommandResult {
        recorded.withLock { $0.append(command) }
        let operation = command.arguments.prefix(2).joined(separator: " ")
        let next = sequences.withLock { sequences -> CommandResult? in
            guard var queue = sequences[operation], !queue.isEmpty else { return nil }
            let first = queue.removeFirst()
            sequences[operation] = queue
            return first
        }
        return next ?? answers[operation] ?? CommandResult(exitCode: 0, standardOutput: "{}", standardError: "")
    }

    static func json(_ text: String) -> CommandResult { CommandResult(exitCode: 0, standardOutput: text, standardError: "") }
    static func failure(_ message: String, exitCode: Int32 = 255) -> CommandResult {
        CommandResult(exitCode: exitCode, standardOutput: "", standardError: message)
    }

    static let parameterNotFound = CommandResult(
        exitCode: 254,
        standardOutput: "",
        standardError: "An error occurred (ParameterNotFound) when calling the GetParameter operation: "
    )
}

@Suite("Deployer")
struct DeployerTests {
    static let token = "123456:AAEXAMPLE-token-value_abcdefghijklmnopqr"

    @Test("secrets travel on standard input, never in the CLI's arguments")
    func secretsStayOutOfArguments() async throws {
        let runner = ScriptedRunner(answers: ["ssm get-parameter": ScriptedRunner.parameterNotFound])
        let deployer = Deployer(stack: BotStack(bot: "echo", stage: "dev"), aws: AWSCommandLine(runner: runner))
        try await deployer.writeSecrets(botToken: Self.token)

        let puts = runner.commands.filter { $0.arguments.starts(with: ["ssm", "put-parameter"]) }
        #expect(puts.count == 2, "the token, and a new webhook secret")
        var secrets: [String] = []
        for put in puts {
            #expect(put.arguments.contains("file:///dev/stdin"))
            #expect(put.arguments.split(separator: "--type").count == 2 && put.arguments.contains("SecureString"))
            #expect(put.arguments.contains("--overwrite"))
            secrets.append(try #require(put.input))
        }
        #expect(secrets.first == Self.token)
        let webhookSecret = try #require(secrets.last)
        #expect(webhookSecret.count == 64)
        #expect(webhookSecret.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") })
        for command in runner.commands {
            for secret in secrets {
                #expect(!command.arguments.contains { $0.contains(secret) }, "a secret is in the arguments of \(command.arguments.prefix(2))")
            }
        }
    }

    @Test("an existing webhook secret is kept, and a missing bot token is an error on the first deployment")
    func existingSecrets() async throws {
        let existing = ScriptedRunner(answers: [:])
        let deployer = Deployer(stack: BotStack(bot: "echo", stage: "dev"), aws: AWSCommandLine(runner: existing))
        try await deployer.writeSecrets(botToken: nil)
        #expect(!existing.commands.contains { $0.arguments.starts(with: ["ssm", "put-parameter"]) })

        let fresh = ScriptedRunner(answers: ["ssm get-parameter": ScriptedRunner.parameterNotFound])
        let first = Deployer(stack: BotStack(bot: "echo", stage: "dev"), aws: AWSCommandLine(runner: fresh))
        await #expect(throws: DeployError.missingBotToken(parameter: "/ferry/echo/dev/telegram-bot-token")) {
            try await first.writeSecrets(botToken: nil)
        }
    }

    @Test("a failing call's error text never contains the secret, even if the CLI echoes it")
    func redactedErrors() async throws {
        let echoing = CommandResult(exitCode: 255, standardOutput: "", standardError: "Invalid value \(Self.token) for Value")
        let runner = ScriptedRunner(answers: ["ssm put-parameter": echoing, "ssm get-parameter": ScriptedRunner.parameterNotFound])
        let deployer = Deployer(stack: BotStack(bot: "echo", stage: "dev"), aws: AWSCommandLine(runner: runner))
        let error = try await #require(throws: DeployError.self) { try await deployer.writeSecrets(botToken: Self.token) }
        #expect(!error.description.contains(Self.token))
        #expect(!String(reflecting: error).contains(Self.token))
        #expect(error.description.contains("<redacted>"))
    }

    @Test("region, profile and endpoint reach every call")
    func commonArguments() async throws {
        let runner = ScriptedRunner(answers: [:])
        let aws = AWSCommandLine(region: "eu-central-1", profile: "bots", endpointURL: "http://127.0.0.1:1", runner: runner)
        try await aws.run("sqs", "list-queues")
        let arguments = try #require(runner.commands.first?.arguments)
        #expect(arguments.starts(with: ["sqs", "list-queues"]))
        for pair in [["--region", "eu-central-1"], ["--profile", "bots"], ["--endpoint-url", "http://127.0.0.1:1"], ["--output", "json"]] {
            #expect(arguments.split(separator: pair[0]).count == 2, "\(pair[0]) once")
            #expect(arguments.firstIndex(of: pair[0]).map { arguments[$0 + 1] } == pair[1])
        }
        #expect(runner.commands.first?.environment["AWS_PAGER"] == "")
    }

    @Test("deploy to moto: bucket, package, secrets and stack; a second deploy changes nothing; remove cleans up", .needs(.moto, .awsCLI))
    func deployToEmulator() async throws {
        try await MotoServer.with { moto in
            let directory = try TemporaryDirectory()
            let package = try directory.write("a code package", to: "package.zip")
            let stack = BotStack(bot: "echo", stage: "dev")
            let deployer = Deployer(stack: stack, target: .localEmulator, aws: moto.aws)

            await #expect(throws: DeployError.missingBotToken(parameter: stack.names.botTokenParameter)) {
                try await deployer.deploy(codePackage: package, botToken: nil)
            }

            let deployed = try await deployer.deploy(codePackage: package, botToken: Self.token)
            #expect(deployed.stackName == "ferry-echo-dev")
            #expect(deployed.webhookURL == nil, "the local-emulator variant has no function URL")
            // moto executes change sets without filling in the stack's outputs (it does for create-stack, where
            // LocalEmulatorStackTests reads them through Deployer.outputs()), so check the resources directly.
            _ = try await queueURL(stack.names.queue, aws: moto.aws)
            _ = try await queueURL(stack.names.deadLetterQueue, aws: moto.aws)
            for function in BotStack.Function.allCases {
                let configuration = try await json(moto.aws, "lambda", "get-function-configuration", ["--function-name", stack.names.function(function)])
                #expect(configuration["Handler"] as? String == function.handler)
            }

            // The package sits in the default bucket under its digest.
            let bucket = Deployer.defaultArtifactBucket(account: "123456789012", region: "eu-west-1")
            let listing = try await json(moto.aws, "s3api", "list-objects-v2", ["--bucket", bucket])
            let keys = (listing["Contents"] as? [[String: Any]] ?? []).compactMap { $0["Key"] as? String }
            #expect(keys.count == 1)
            #expect(keys.first?.hasPrefix("ferry/echo/dev/") == true)
            let code = try await json(moto.aws, "lambda", "get-function", ["--function-name", stack.names.function(.consumer)])
            let location = (code["Code"] as? [String: Any])?["Location"] as? String
            #expect(location != nil)

            // The secrets are SecureStrings holding the token and a generated webhook secret.
            let token = try await json(moto.aws, "ssm", "get-parameter", ["--name", stack.names.botTokenParameter, "--with-decryption"])
            let tokenParameter = try #require(token["Parameter"] as? [String: Any])
            #expect(tokenParameter["Type"] as? String == "SecureString")
            #expect(tokenParameter["Value"] as? String == Self.token)
            let secret = try await deployer.webhookSecret()
            #expect(secret.count == 64)

            // Deploying again without a token keeps both secrets and leaves the stack as it is.
            let again = try await deployer.deploy(codePackage: package, botToken: nil)
            #expect(again == deployed)
            #expect(try await deployer.webhookSecret() == secret)

            try await deployer.remove()
            await expectGone(moto.aws, "cloudformation", "describe-stacks", ["--stack-name", stack.names.stack])
            await expectGone(moto.aws, "ssm", "get-parameter", ["--name", stack.names.botTokenParameter])
            await expectGone(moto.aws, "ssm", "get-parameter", ["--name", stack.names.webhookSecretParameter])
            await expectGone(moto.aws, "sqs", "get-queue-url", ["--queue-name", stack.names.queue])
            let after = try await json(moto.aws, "s3api", "list-objects-v2", ["--bucket", bucket])
            #expect((after["Contents"] as? [Any] ?? []).isEmpty)
        }
    }
}
