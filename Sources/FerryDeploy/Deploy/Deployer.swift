import FerryHashing
public import Logging

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Deploys one ``BotStack`` with the AWS CLI, and removes it.
///
/// Deploying is five idempotent steps, each safe to repeat after a failure:
/// 1. make sure the artifact bucket exists (private, one per account and region, shared by all bots);
/// 2. upload the code package under a key made of its SHA-256, so an unchanged package is not uploaded again
///    and a changed one always updates the functions;
/// 3. write the bot token and the webhook secret as SecureString parameters (CloudFormation cannot create
///    SecureStrings); the secret is generated once and kept, since Telegram holds a copy;
/// 4. create or update the stack (`aws cloudformation deploy`), reporting progress as it goes;
/// 5. read the stack's outputs.
public struct Deployer: Sendable {
    public var stack: BotStack
    public var target: BotStack.Target
    public var aws: AWSCommandLine
    /// The bucket code packages are uploaded to; `nil` uses ``defaultArtifactBucket(account:region:)``.
    public var artifactBucket: String?
    public var logger: Logger
    /// How long creating or updating the stack may take before the deploy step gives up waiting.
    public var stackTimeout: Duration = .seconds(30 * 60)

    public init(
        stack: BotStack,
        target: BotStack.Target = .aws,
        aws: AWSCommandLine = AWSCommandLine(),
        artifactBucket: String? = nil,
        logger: Logger = Logger(label: "ferry.deploy")
    ) {
        self.stack = stack
        self.target = target
        self.aws = aws
        self.artifactBucket = artifactBucket
        self.logger = logger
    }

    /// The artifact bucket's name when none is given: bucket names are global across accounts, so the account
    /// and region make it unique.
    public static func defaultArtifactBucket(account: String, region: String) -> String {
        "ferry-artifacts-\(account)-\(region)"
    }

    /// A deployed stack's outputs.
    public struct DeployedStack: Sendable, Hashable {
        public var stackName: String
        /// By output name; see ``BotStack/OutputName``.
        public var outputs: [String: String]

        /// The URL to register with Telegram's `setWebhook`; `nil` for a local emulator.
        public var webhookURL: String? { outputs[BotStack.OutputName.webhookURL] }
        public var queueURL: String? { outputs[BotStack.OutputName.queueURL] }
        public var deadLetterQueueURL: String? { outputs[BotStack.OutputName.deadLetterQueueURL] }
    }

    /// Deploys the stack with the code package at `codePackage` (a zip holding the `bootstrap` binary).
    ///
    /// - Parameter botToken: The bot token to store; required the first time, `nil` afterwards keeps the stored one.
    @discardableResult
    public func deploy(codePackage: String, botToken: String?) async throws(DeployError) -> DeployedStack {
        let template = try renderedTemplate()
        let account = try await identity()
        let bucket = try await resolvedArtifactBucket(account: account)
        try await ensureBucket(bucket, owner: account)
        let key = try await upload(codePackage: codePackage, to: bucket, owner: account)
        try await writeSecrets(botToken: botToken)
        try await deployStack(template: template, codeBucket: bucket, codeKey: key)
        let deployed = try await outputs()
        logger.info("deployed", metadata: ["stack": "\(deployed.stackName)", "webhook": "\(deployed.webhookURL ?? "-")"])
        return deployed
    }

    /// The stack's template as deployed.
    public func renderedTemplate() throws(DeployError) -> String {
        do {
            return try stack.template(for: target).renderedJSON()
        } catch {
            throw .invalidStack(String(describing: error))
        }
    }

    // MARK: Steps

    /// The account the CLI's credentials belong to.
    public func identity() async throws(DeployError) -> String {
        struct CallerIdentity: Decodable { var Account: String }
        return try await callJSON(CallerIdentity.self, "sts", "get-caller-identity").Account
    }

    /// Creates the artifact bucket unless it exists, with all public access blocked.
    public func ensureBucket(_ bucket: String, owner account: String) async throws(DeployError) {
        do {
            try await aws.run("s3api", "head-bucket", ["--bucket", bucket, "--expected-bucket-owner", account])
            return
        } catch let error where error.isNotFound {
            logger.info("creating the artifact bucket", metadata: ["bucket": "\(bucket)"])
        } catch {
            throw .aws(error)
        }
        let region = try await resolvedRegion()
        var create = ["--bucket", bucket]
        // us-east-1 is the one region that refuses an explicit location constraint.
        if region != "us-east-1" { create += ["--create-bucket-configuration", "LocationConstraint=\(region)"] }
        try await call("s3api", "create-bucket", create)
        try await call("s3api", "put-public-access-block", [
            "--bucket", bucket, "--expected-bucket-owner", account, "--public-access-block-configuration",
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        ])
    }

    /// Uploads the code package unless an identical one is there already; returns its key.
    public func upload(codePackage path: String, to bucket: String, owner account: String) async throws(DeployError) -> String {
        let contents: Data
        do {
            contents = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .codePackage(path: path, reason: String(describing: error))
        }
        guard !contents.isEmpty else { throw .codePackage(path: path, reason: "the file is empty") }
        let digest = SHA256.hash(contents).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
        let key = "ferry/\(stack.bot)/\(stack.stage)/\(digest).zip"
        do {
            try await aws.run("s3api", "head-object", ["--bucket", bucket, "--key", key, "--expected-bucket-owner", account])
            logger.info("code package unchanged", metadata: ["key": "\(key)"])
            return key
        } catch let error where error.isNotFound {
            logger.info("uploading the code package", metadata: ["key": "\(key)", "bytes": "\(contents.count)"])
        } catch {
            throw .aws(error)
        }
        try await call(
            "s3api", "put-object",
            ["--bucket", bucket, "--key", key, "--body", path, "--expected-bucket-owner", account],
            timeout: .seconds(15 * 60)
        )
        return key
    }

    /// Stores the bot token (when given) and, unless one exists, a new webhook secret.
    public func writeSecrets(botToken: String?) async throws(DeployError) {
        let names = stack.names
        if let botToken {
            guard !botToken.isEmpty, botToken.count <= 4096 else { throw .invalidBotToken }
            try await putSecureString(names.botTokenParameter, value: botToken, description: "Telegram bot token")
        } else if try await !parameterExists(names.botTokenParameter) {
            throw .missingBotToken(parameter: names.botTokenParameter)
        }
        // Telegram keeps the secret it was given with setWebhook; a new one here would lock its calls out until
        // the webhook is registered again, so an existing secret stays.
        if try await !parameterExists(names.webhookSecretParameter) {
            logger.info("generating the webhook secret", metadata: ["parameter": "\(names.webhookSecretParameter)"])
            try await putSecureString(
                names.webhookSecretParameter,
                value: WebhookSecret.generate(),
                description: "Telegram webhook secret token"
            )
        }
    }

    /// Creates the stack, or updates it to the current template and code; an unchanged stack is left alone.
    public func deployStack(template: String, codeBucket: String, codeKey: String) async throws(DeployError) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-\(stack.names.stack)-\(UUID().uuidString).json")
        do {
            try Data(template.utf8).write(to: file)
        } catch {
            throw .templateFile(String(describing: error))
        }
        defer { try? FileManager.default.removeItem(at: file) }
        logger.info("deploying the stack", metadata: ["stack": "\(stack.names.stack)"])
        let logger = self.logger
        do {
            try await deployChangeSet(templateFile: file.path, codeBucket: codeBucket, codeKey: codeKey, logger: logger)
        } catch .aws(.failed(_, _, let message)) where message.contains("No updates are to be performed") {
            // What UpdateStack (and some emulators' CreateChangeSet) answer for an unchanged stack; the CLI's
            // --no-fail-on-empty-changeset covers only the change-set form of the same news.
            logger.info("the stack is up to date", metadata: ["stack": "\(stack.names.stack)"])
        }
    }

    private func deployChangeSet(templateFile: String, codeBucket: String, codeKey: String, logger: Logger) async throws(DeployError) {
        try await call(
            "cloudformation", "deploy",
            [
                "--template-file", templateFile,
                "--stack-name", stack.names.stack,
                "--parameter-overrides",
                "\(BotStack.TemplateParameter.codeBucket)=\(codeBucket)",
                "\(BotStack.TemplateParameter.codeKey)=\(codeKey)",
                // The roles are named by CloudFormation, so plain CAPABILITY_IAM suffices.
                "--capabilities", "CAPABILITY_IAM",
                "--no-fail-on-empty-changeset",
                "--tags", "ferry:bot=\(stack.bot)", "ferry:stage=\(stack.stage)",
            ],
            timeout: stackTimeout,
            onOutputLine: { line in
                let progress = line.filter { !$0.isNewline }
                if !progress.allSatisfy(\.isWhitespace) { logger.info("\(progress)") }
            }
        )
    }

    /// The deployed stack's outputs.
    public func outputs() async throws(DeployError) -> DeployedStack {
        struct Answer: Decodable {
            struct Stack: Decodable {
                struct Output: Decodable {
                    var OutputKey: String
                    var OutputValue: String
                }
                var StackName: String
                var StackStatus: String
                var Outputs: [Output]?
            }
            var Stacks: [Stack]
        }
        let answer = try await callJSON(Answer.self, "cloudformation", "describe-stacks", ["--stack-name", stack.names.stack])
        guard let described = answer.Stacks.first else { throw .stackNotFound(stack.names.stack) }
        guard described.StackStatus.hasSuffix("_COMPLETE"), !described.StackStatus.contains("ROLLBACK") else {
            throw .stackFailed(stack: described.StackName, status: described.StackStatus)
        }
        var outputs: [String: String] = [:]
        for output in described.Outputs ?? [] { outputs[output.OutputKey] = output.OutputValue }
        return DeployedStack(stackName: described.StackName, outputs: outputs)
    }

    /// The webhook secret, decrypted: what to pass to Telegram's `setWebhook` as `secret_token`.
    public func webhookSecret() async throws(DeployError) -> String {
        struct Answer: Decodable {
            struct Parameter: Decodable { var Value: String }
            var Parameter: Parameter
        }
        let name = stack.names.webhookSecretParameter
        return try await callJSON(Answer.self, "ssm", "get-parameter", ["--name", name, "--with-decryption"]).Parameter.Value
    }

    /// Deletes the stack and waits until it is gone; then deletes the two secrets and this stage's code packages,
    /// unless `keepingSecrets`.
    public func remove(keepingSecrets: Bool = false) async throws(DeployError) {
        let name = stack.names.stack
        logger.info("removing the stack", metadata: ["stack": "\(name)"])
        try await call("cloudformation", "delete-stack", ["--stack-name", name])
        try await call("cloudformation", "wait", ["stack-delete-complete", "--stack-name", name], timeout: stackTimeout)
        if !keepingSecrets {
            try await call("ssm", "delete-parameters", [
                "--names", stack.names.botTokenParameter, stack.names.webhookSecretParameter,
            ])
            let bucket = try await resolvedArtifactBucket(account: identity())
            try await call("s3", "rm", ["s3://\(bucket)/ferry/\(stack.bot)/\(stack.stage)/", "--recursive"])
        }
    }

    // MARK: Helpers

    private func putSecureString(_ name: String, value: String, description: String) async throws(DeployError) {
        var arguments = [
            "--name", name, "--type", "SecureString", "--overwrite",
            "--description", "\(description) of \(stack.names.stack)",
        ]
        if case .customerManagedKey(let arn) = stack.parameterEncryption { arguments += ["--key-id", arn] }
        // The value travels on standard input, never in the arguments, which anyone on the machine can list.
        // (Only the value: the CLI reads `--cli-input-json file:///dev/stdin` twice and would see it empty.)
        arguments += ["--value", "file:///dev/stdin"]
        try await call("ssm", "put-parameter", arguments, input: value, redacting: [value])
    }

    private func parameterExists(_ name: String) async throws(DeployError) -> Bool {
        do {
            try await aws.run("ssm", "get-parameter", ["--name", name])
            return true
        } catch let error where error.isNotFound {
            return false
        } catch {
            throw .aws(error)
        }
    }

    private func resolvedArtifactBucket(account: String) async throws(DeployError) -> String {
        if let artifactBucket { return artifactBucket }
        return try await Self.defaultArtifactBucket(account: account, region: resolvedRegion())
    }

    /// The region the CLI will use: the one given, else the environment's, else the CLI's configured one.
    private func resolvedRegion() async throws(DeployError) -> String {
        if let region = aws.region { return region }
        for variable in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            // The CLI's own environment wins over this process's, and may remove a variable (nil).
            let value = aws.environment[variable] ?? ProcessInfo.processInfo.environment[variable]
            if let region = value ?? nil, !region.isEmpty { return region }
        }
        let configured = try? await aws.run("configure", "get", ["region"])
        guard let region = configured?.filter({ !$0.isWhitespace }), !region.isEmpty else { throw .noRegion }
        return region
    }

    /// Runs an AWS CLI call, as a deploy step's error.
    private func call(
        _ service: String,
        _ operation: String,
        _ arguments: [String],
        input: String? = nil,
        redacting secrets: [String] = [],
        timeout: Duration = .seconds(120),
        onOutputLine: (@Sendable (String) -> Void)? = nil
    ) async throws(DeployError) {
        do {
            try await aws.run(
                service, operation, arguments,
                input: input, redacting: secrets, timeout: timeout, onOutputLine: onOutputLine
            )
        } catch {
            throw .aws(error)
        }
    }

    /// Runs an AWS CLI call and decodes its answer, as a deploy step's error.
    private func callJSON<Answer: Decodable>(
        _ answer: Answer.Type,
        _ service: String,
        _ operation: String,
        _ arguments: [String] = []
    ) async throws(DeployError) -> Answer {
        do {
            return try await aws.json(Answer.self, service, operation, arguments)
        } catch {
            throw .aws(error)
        }
    }
}

/// The secret Telegram sends in `X-Telegram-Bot-Api-Secret-Token` with every webhook call.
enum WebhookSecret {
    /// The characters Telegram allows in a secret token.
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")

    /// 64 characters from the system's cryptographically secure generator: 384 bits.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<64).map { _ in alphabet.randomElement(using: &generator)! })
    }
}

/// Why deploying or removing a stack failed.
public enum DeployError: Error, Hashable, CustomStringConvertible {
    case invalidStack(String)
    case aws(AWSCommandLineError)
    case codePackage(path: String, reason: String)
    case templateFile(String)
    /// The first deployment of a bot and stage needs its bot token.
    case missingBotToken(parameter: String)
    case invalidBotToken
    case noRegion
    case stackNotFound(String)
    case stackFailed(stack: String, status: String)

    public var description: String {
        switch self {
        case .invalidStack(let reason): "the stack is invalid: \(reason)"
        case .aws(let error): error.description
        case .codePackage(let path, let reason): "cannot read the code package \(path): \(reason)"
        case .templateFile(let reason): "cannot write the template file: \(reason)"
        case .missingBotToken(let parameter):
            "no bot token is stored in \(parameter) yet; the first deployment needs the bot token"
        case .invalidBotToken: "the bot token is empty or implausibly long"
        case .noRegion: "no AWS region is configured; pass one or set AWS_REGION"
        case .stackNotFound(let name): "the stack \(name) does not exist"
        case .stackFailed(let name, let status): "the stack \(name) is in state \(status)"
        }
    }
}
