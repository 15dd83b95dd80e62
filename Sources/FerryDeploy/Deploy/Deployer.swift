import FerryHashing
import TelegramBotAPI
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
    /// - Parameters:
    ///   - botToken: The bot token to store; required the first time, `nil` afterwards keeps the stored one.
    ///   - rotateWebhookSecret: Replace the webhook secret; the old one stays accepted for ``retiringSecretWindow``,
    ///     so updates Telegram sends before it has the new one are not refused.
    @discardableResult
    public func deploy(codePackage: String, botToken: String?, rotateWebhookSecret: Bool = false) async throws(DeployError) -> DeployedStack {
        let template = try renderedTemplate()
        if target == .aws { try await refuseRegionWithoutFunctionURLs() }
        let account = try await identity()
        let bucket = try await resolvedArtifactBucket(account: account)
        try await ensureBucket(bucket, owner: account)
        let key = try await upload(codePackage: codePackage, to: bucket, owner: account)
        try await writeSecrets(botToken: botToken, rotateWebhookSecret: rotateWebhookSecret)
        let secretsVersion = try await secretsVersion()
        try await clearFailedFirstCreate()
        try await deployStack(template: template, codeBucket: bucket, codeKey: key, secretsVersion: secretsVersion)
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

    /// Regions where Lambda has no function URLs, the webhook's public address (AWS Lambda Developer Guide,
    /// "Creating and managing Lambda function URLs"). A stack there would fail on its last resources.
    public static let regionsWithoutFunctionURLs: Set<String> = [
        "ap-east-2", "ap-south-2", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
        "ca-west-1", "eu-central-2", "eu-south-2", "il-central-1", "me-central-1",
    ]

    /// Refuses, before anything is created, a region whose Lambda cannot give the webhook a URL.
    public func refuseRegionWithoutFunctionURLs() async throws(DeployError) {
        let region = try await resolvedRegion()
        if Self.regionsWithoutFunctionURLs.contains(region) { throw .noFunctionURLs(region: region) }
    }

    /// The stack's status, or `nil` when there is no such stack.
    public func stackStatus() async throws(DeployError) -> String? {
        struct Answer: Decodable {
            struct Stack: Decodable { var StackStatus: String }
            var Stacks: [Stack]
        }
        do {
            return try await aws.json(Answer.self, "cloudformation", "describe-stacks", ["--stack-name", stack.names.stack]).Stacks.first?.StackStatus
        } catch let error where error.isNotFound {
            return nil
        } catch {
            throw .aws(error)
        }
    }

    /// A first create that failed leaves the stack in `ROLLBACK_COMPLETE`: it holds nothing (CloudFormation deleted
    /// what it had made), yet CloudFormation refuses to update it, so every later deploy would fail. It is deleted
    /// here, so this deploy creates it afresh.
    public func clearFailedFirstCreate() async throws(DeployError) {
        guard try await stackStatus() == "ROLLBACK_COMPLETE" else { return }
        let name = stack.names.stack
        logger.notice(
            "the stack's first deploy failed and was rolled back (ROLLBACK_COMPLETE), which blocks every update: deleting the empty stack and creating it again",
            metadata: ["stack": "\(name)"]
        )
        try await call("cloudformation", "delete-stack", ["--stack-name", name])
        try await call("cloudformation", "wait", ["stack-delete-complete", "--stack-name", name], timeout: stackTimeout)
    }

    /// The account the CLI's credentials belong to.
    public func identity() async throws(DeployError) -> String {
        struct CallerIdentity: Decodable { var Account: String }
        return try await callJSON(CallerIdentity.self, "sts", "get-caller-identity").Account
    }

    /// Creates the artifact bucket unless it exists, with all public access blocked; then (on every deploy, so a
    /// bucket made before these settings gets them too) default encryption and a policy refusing plain HTTP.
    ///
    /// Every call on the bucket names its expected owner: bucket names are global, and the default one is
    /// predictable, so another account could create it first; S3 then refuses the call instead of taking the
    /// code package.
    public func ensureBucket(_ bucket: String, owner account: String) async throws(DeployError) {
        let exists: Bool
        do {
            try await aws.run("s3api", "head-bucket", ["--bucket", bucket, "--expected-bucket-owner", account])
            exists = true
        } catch let error where error.isNotFound {
            exists = false
        } catch .failed(_, _, let message) where message.contains("403") || message.contains("Forbidden") || message.contains("AccessDenied") {
            throw .artifactBucketNotOurs(bucket: bucket, account: account)
        } catch {
            throw .aws(error)
        }
        if exists {
            try await hardenBucket(bucket, owner: account)
            return
        }
        logger.info("creating the artifact bucket", metadata: ["bucket": "\(bucket)"])
        let region = try await resolvedRegion()
        var create = ["--bucket", bucket]
        // us-east-1 is the one region that refuses an explicit location constraint.
        if region != "us-east-1" { create += ["--create-bucket-configuration", "LocationConstraint=\(region)"] }
        try await call("s3api", "create-bucket", create)
        try await call("s3api", "put-public-access-block", [
            "--bucket", bucket, "--expected-bucket-owner", account, "--public-access-block-configuration",
            "BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true",
        ])
        try await hardenBucket(bucket, owner: account)
    }

    /// Default encryption (SSE-S3) and a bucket policy that refuses every request not made over TLS. An endpoint
    /// reached over plain HTTP (a local emulator such as moto, which enforces bucket policies) would be locked
    /// out of its own bucket by that policy, so it gets the encryption only.
    private func hardenBucket(_ bucket: String, owner account: String) async throws(DeployError) {
        try await call("s3api", "put-bucket-encryption", [
            "--bucket", bucket, "--expected-bucket-owner", account, "--server-side-encryption-configuration",
            #"{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":true}]}"#,
        ])
        if aws.endpointURL?.lowercased().hasPrefix("http://") == true {
            logger.notice("the endpoint is plain HTTP: the artifact bucket gets no TLS-only policy", metadata: ["bucket": "\(bucket)"])
            return
        }
        try await call("s3api", "put-bucket-policy", [
            "--bucket", bucket, "--expected-bucket-owner", account, "--policy", Self.tlsOnlyPolicy(bucket: bucket),
        ])
    }

    /// The artifact bucket's policy: deny anything sent without TLS.
    public static func tlsOnlyPolicy(bucket: String) -> String {
        #"{"Version":"2012-10-17","Statement":[{"Sid":"DenyPlainHTTP","Effect":"Deny","Principal":"*","Action":"s3:*","#
            + #""Resource":["arn:aws:s3:::\#(bucket)","arn:aws:s3:::\#(bucket)/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#
    }

    /// Uploads the code package unless an identical one is there already; returns its key.
    public func upload(codePackage path: String, to bucket: String, owner account: String) async throws(DeployError) -> String {
        let contents: Data
        do {
            contents = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .codePackage(path: path, reason: SystemErrorWords.describe(error))
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

    /// How long the webhook still accepts the secret a rotation replaced: the deploy sets the new one with
    /// Telegram within seconds of writing it, and Telegram's retries of deliveries it made before carry the old
    /// one for a little while. After this, the old secret is refused like any other wrong one.
    public static let retiringSecretWindow = Duration.seconds(15 * 60)

    /// Stores the bot token (when given and different from the stored one) and, unless one exists or
    /// `rotateWebhookSecret`, a new webhook secret.
    public func writeSecrets(botToken: String?, rotateWebhookSecret: Bool = false) async throws(DeployError) {
        let names = stack.names
        if let botToken {
            guard !botToken.isEmpty, botToken.count <= 4096 else { throw .invalidBotToken }
            // Writing an unchanged token would make a new parameter version, and so restart every function.
            if try await storedBotToken() != botToken {
                try await putSecureString(names.botTokenParameter, value: botToken, description: "Telegram bot token")
            }
        } else if try await !parameterExists(names.botTokenParameter) {
            throw .missingBotToken(parameter: names.botTokenParameter)
        }
        // Telegram keeps the secret it was given with setWebhook; a new one here would lock its calls out until
        // the webhook is registered again, so an existing secret stays unless a rotation is asked for.
        let exists = try await parameterExists(names.webhookSecretParameter)
        if exists, rotateWebhookSecret {
            let retiring = try await webhookSecret()
            let until = Int(Date().timeIntervalSince1970) + Int(Self.retiringSecretWindow.components.seconds)
            logger.notice(
                "rotating the webhook secret: the old one is accepted for \(Self.retiringSecretWindow.components.seconds / 60) more minutes",
                metadata: ["parameter": "\(names.webhookSecretParameter)"]
            )
            try await putSecureString(
                names.retiringWebhookSecretParameter, value: "\(retiring) \(until)", description: "Telegram webhook secret being retired"
            )
        }
        if !exists || rotateWebhookSecret {
            if !exists { logger.info("generating the webhook secret", metadata: ["parameter": "\(names.webhookSecretParameter)"]) }
            try await putSecureString(
                names.webhookSecretParameter,
                value: WebhookSecretToken.generate(length: 64),
                description: "Telegram webhook secret token"
            )
        }
    }

    /// The versions of the two secrets, as the functions' `FERRY_SECRETS_VERSION` (`EnvironmentVariable.secretsVersion`): SSM
    /// counts a parameter's versions, so a new token or secret gives a new value, and an unchanged one the same.
    public func secretsVersion() async throws(DeployError) -> String {
        let names = stack.names
        let token = try await parameterVersion(names.botTokenParameter)
        let secret = try await parameterVersion(names.webhookSecretParameter)
        return "t\(token ?? 0)-s\(secret ?? 0)"
    }

    private func parameterVersion(_ name: String) async throws(DeployError) -> Int? {
        struct Answer: Decodable {
            struct Parameter: Decodable { var Version: Int? }
            var Parameter: Parameter?
        }
        do {
            return try await aws.json(Answer.self, "ssm", "get-parameter", ["--name", name]).Parameter?.Version
        } catch let error where error.isNotFound {
            return nil
        } catch {
            throw .aws(error)
        }
    }

    /// Creates the stack, or updates it to the current template and code; an unchanged stack is left alone.
    public func deployStack(template: String, codeBucket: String, codeKey: String, secretsVersion: String = "0") async throws(DeployError) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-\(stack.names.stack)-\(UUID().uuidString).json")
        do {
            try Data(template.utf8).write(to: file)
        } catch {
            throw .templateFile(SystemErrorWords.describe(error))
        }
        defer { try? FileManager.default.removeItem(at: file) }
        logger.info("deploying the stack", metadata: ["stack": "\(stack.names.stack)"])
        let logger = self.logger
        do {
            try await deployChangeSet(templateFile: file.path, codeBucket: codeBucket, codeKey: codeKey, secretsVersion: secretsVersion, logger: logger)
        } catch .aws(.failed(_, _, let message)) where message.contains("No updates are to be performed") {
            // What UpdateStack (and some emulators' CreateChangeSet) answer for an unchanged stack; the CLI's
            // --no-fail-on-empty-changeset covers only the change-set form of the same news.
            logger.info("the stack is up to date", metadata: ["stack": "\(stack.names.stack)"])
        } catch .aws(let error) {
            // The CLI's last line says only that the stack failed; the stack's events say which resource and why.
            let failures = await failedResources()
            let status = try? await stackStatus()
            throw .stackDeployFailed(stack: stack.names.stack, status: status ?? nil, failures: failures, cliMessage: error.description)
        }
    }

    /// The resources that failed in the stack's latest create or update, with CloudFormation's reasons, oldest
    /// first; empty when they cannot be read.
    public func failedResources() async -> [StackEventFailure] {
        struct Answer: Decodable {
            struct Event: Decodable {
                var LogicalResourceId: String
                var ResourceType: String
                var ResourceStatus: String
                var ResourceStatusReason: String?
            }
            var StackEvents: [Event]
        }
        guard let answer = try? await aws.json(Answer.self, "cloudformation", "describe-stack-events", ["--stack-name", stack.names.stack]) else {
            return []
        }
        var failures: [StackEventFailure] = []
        // Newest first: everything up to the stack's own start event belongs to the latest attempt.
        for event in answer.StackEvents {
            let isStack = event.ResourceType == "AWS::CloudFormation::Stack"
            if isStack, ["CREATE_IN_PROGRESS", "UPDATE_IN_PROGRESS"].contains(event.ResourceStatus), event.ResourceStatusReason != nil {
                break
            }
            guard event.ResourceStatus.hasSuffix("_FAILED"), !isStack, let reason = event.ResourceStatusReason else { continue }
            // Resources CloudFormation stopped because another failed say only that; the cause is elsewhere.
            if reason.hasPrefix("Resource creation cancelled") || reason.hasPrefix("Resource update cancelled") { continue }
            failures.append(StackEventFailure(logicalID: event.LogicalResourceId, type: event.ResourceType, status: event.ResourceStatus, reason: reason))
        }
        return failures.reversed()
    }

    private func deployChangeSet(
        templateFile: String, codeBucket: String, codeKey: String, secretsVersion: String, logger: Logger
    ) async throws(DeployError) {
        try await call(
            "cloudformation", "deploy",
            [
                "--template-file", templateFile,
                "--stack-name", stack.names.stack,
                "--parameter-overrides",
                "\(BotStack.TemplateParameter.codeBucket)=\(codeBucket)",
                "\(BotStack.TemplateParameter.codeKey)=\(codeKey)",
                "\(BotStack.TemplateParameter.secretsVersion)=\(secretsVersion)",
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
        try await decryptedParameter(stack.names.webhookSecretParameter)
    }

    /// The bot token the stage stores, decrypted; `nil` when it stores none.
    public func storedBotToken() async throws(DeployError) -> String? {
        do {
            return try await decryptedParameter(stack.names.botTokenParameter)
        } catch .aws(let error) where error.isNotFound {
            return nil
        }
    }

    /// The public URL of the stage's webhook function (its function URL); `nil` when it has none, or no function.
    public func webhookFunctionURL() async throws(DeployError) -> String? {
        struct Answer: Decodable { var FunctionUrl: String }
        do {
            return try await aws.json(Answer.self, "lambda", "get-function-url-config", ["--function-name", stack.names.function(.webhook)]).FunctionUrl
        } catch let error where error.isNotFound {
            return nil
        } catch {
            throw .aws(error)
        }
    }

    private func decryptedParameter(_ name: String) async throws(DeployError) -> String {
        struct Answer: Decodable {
            struct Parameter: Decodable { var Value: String }
            var Parameter: Parameter
        }
        return try await callJSON(Answer.self, "ssm", "get-parameter", ["--name", name, "--with-decryption"]).Parameter.Value
    }

    /// Deletes the stack and waits until it is gone; then deletes the two secrets and this stage's code packages,
    /// unless `keepingSecrets`. Returns what was kept on purpose, in words.
    @discardableResult
    public func remove(keepingSecrets: Bool = false) async throws(DeployError) -> [String] {
        let name = stack.names.stack
        // Read before the stack goes: which of its resources CloudFormation keeps when deleting it.
        let retained = await retainedResources()
        logger.info("removing the stack", metadata: ["stack": "\(name)"])
        try await call("cloudformation", "delete-stack", ["--stack-name", name])
        try await call("cloudformation", "wait", ["stack-delete-complete", "--stack-name", name], timeout: stackTimeout)
        var kept = retained.map { "\($0.type) \($0.physicalID): its DeletionPolicy is Retain; delete it by hand when its data is no longer wanted" }
        let account = try await identity()
        let bucket = try await resolvedArtifactBucket(account: account)
        if keepingSecrets {
            kept.append("the parameters \(stack.names.botTokenParameter) and \(stack.names.webhookSecretParameter) and this stage's code packages, as asked")
        } else {
            try await call("ssm", "delete-parameters", [
                "--names", stack.names.botTokenParameter, stack.names.webhookSecretParameter, stack.names.retiringWebhookSecretParameter,
            ])
            try await deleteCodePackages(in: bucket, owner: account)
        }
        kept.append("the artifact bucket \(bucket): every bot and stage of the account and region shares it")
        return kept
    }

    /// Deletes this stage's code packages, naming the bucket's owner on every call (`aws s3 rm` cannot).
    private func deleteCodePackages(in bucket: String, owner account: String) async throws(DeployError) {
        struct Listing: Decodable {
            struct Object: Decodable { var Key: String }
            var Contents: [Object]?
        }
        let prefix = "ferry/\(stack.bot)/\(stack.stage)/"
        // A stage holds one package per code change; 1000 a round, a bounded number of rounds.
        for _ in 0..<100 {
            let listing = try await callJSON(
                Listing.self, "s3api", "list-objects-v2", ["--bucket", bucket, "--prefix", prefix, "--max-items", "1000", "--expected-bucket-owner", account]
            )
            let keys = (listing.Contents ?? []).map(\.Key)
            guard !keys.isEmpty else { return }
            let objects = keys.map { #"{"Key":"\#($0)"}"# }.joined(separator: ",")
            try await call("s3api", "delete-objects", [
                "--bucket", bucket, "--expected-bucket-owner", account, "--delete", #"{"Objects":[\#(objects)],"Quiet":true}"#,
            ])
        }
    }

    /// The stack's resources that deleting it leaves behind (DeletionPolicy `Retain` in the deployed template).
    public func retainedResources() async -> [(type: String, physicalID: String)] {
        struct Template: Decodable {
            struct Resource: Decodable {
                var DeletionPolicy: String?
            }
            var Resources: [String: Resource]
        }
        struct TemplateAnswer: Decodable {
            var template: Template?
            enum CodingKeys: String, CodingKey { case TemplateBody }
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                // The CLI prints a JSON template as an object, a YAML one as text.
                if let object = try? container.decode(Template.self, forKey: .TemplateBody) {
                    template = object
                } else if let text = try? container.decode(String.self, forKey: .TemplateBody) {
                    template = try? JSONDecoder().decode(Template.self, from: Data(text.utf8))
                }
            }
        }
        struct ResourcesAnswer: Decodable {
            struct Resource: Decodable {
                var LogicalResourceId: String
                var PhysicalResourceId: String?
                var ResourceType: String
            }
            var StackResources: [Resource]
        }
        let name = stack.names.stack
        guard let template = try? await aws.json(TemplateAnswer.self, "cloudformation", "get-template", ["--stack-name", name]).template,
              let resources = try? await aws.json(ResourcesAnswer.self, "cloudformation", "describe-stack-resources", ["--stack-name", name])
        else { return [] }
        return resources.StackResources.compactMap { resource in
            guard let policy = template.Resources[resource.LogicalResourceId]?.DeletionPolicy, policy.hasPrefix("Retain") else { return nil }
            return (resource.ResourceType, resource.PhysicalResourceId ?? resource.LogicalResourceId)
        }.sorted { $0.physicalID < $1.physicalID }
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
    /// CloudFormation could not create or update the stack; `failures` are the resources that failed, with its reasons.
    case stackDeployFailed(stack: String, status: String?, failures: [StackEventFailure], cliMessage: String)
    /// Lambda has no function URLs in this region, so the webhook would have no address.
    case noFunctionURLs(region: String)
    /// The artifact bucket exists, but another account owns it (or this one may not use it).
    case artifactBucketNotOurs(bucket: String, account: String)

    public var description: String {
        switch self {
        case .invalidStack(let reason): "the stack is invalid: \(reason)"
        case .aws(let error): error.description
        case .codePackage(let path, let reason): "cannot read the code package \(path): \(reason)"
        case .templateFile(let reason): "cannot write the template file: \(reason)"
        case .missingBotToken(let parameter):
            "no bot token is stored in \(parameter) yet; the first deployment needs the bot token"
        case .invalidBotToken: "the bot token is empty or implausibly long"
        case .noRegion: "no AWS region is configured: pass --region, set AWS_REGION, or run `aws configure`"
        case .stackNotFound(let name): "the stack \(name) does not exist"
        case .stackFailed(let name, let status): "the stack \(name) is in state \(status)"
        case .stackDeployFailed(let name, let status, let failures, let cliMessage):
            Self.describeFailedDeploy(stack: name, status: status, failures: failures, cliMessage: cliMessage)
        case .artifactBucketNotOurs(let bucket, let account):
            "the artifact bucket \(bucket) exists but account \(account) does not own it (bucket names are global; someone may have taken the name): choose another with --artifact-bucket"
        case .noFunctionURLs(let region):
            "Lambda has no function URLs in \(region), so Telegram would have no address to post to; deploy to another region (--region eu-west-1, say). Nothing was created."
        }
    }
}

extension DeployError {
    fileprivate static func describeFailedDeploy(stack: String, status: String?, failures: [StackEventFailure], cliMessage: String) -> String {
        var lines = ["CloudFormation could not deploy the stack \(stack)" + (status.map { " (now \($0))" } ?? "") + "."]
        if failures.isEmpty {
            lines.append("The AWS CLI said: \(cliMessage)")
            lines.append("See the stack's events: aws cloudformation describe-stack-events --stack-name \(stack)")
        } else {
            lines.append("What failed:")
            lines += failures.map { "  - \($0.logicalID) (\($0.type)): \($0.reason)" }
        }
        if status == "ROLLBACK_COMPLETE" {
            lines.append("Fix the cause and run deploy again: the rolled-back stack is deleted and created afresh then.")
        } else {
            lines.append("Fix the cause and run deploy again.")
        }
        return lines.joined(separator: "\n")
    }
}

/// One resource that failed in a stack's create or update, as the stack's events tell it.
public struct StackEventFailure: Sendable, Hashable {
    public var logicalID: String
    public var type: String
    public var status: String
    public var reason: String

    public init(logicalID: String, type: String, status: String, reason: String) {
        self.logicalID = logicalID
        self.type = type
        self.status = status
        self.reason = reason
    }
}
