import FerryDeploy
import Foundation
import Synchronization
import Testing

/// A deploy that fails explains itself and can be retried; a region that cannot work is refused first; `remove`
/// says what it kept (issue 17, items 1, 5 and 6). CloudFormation's failures and rollbacks are what moto cannot
/// act out, so the AWS CLI's answers are scripted here, in the shapes the real CLI prints.
@Suite("Deploy safety")
struct DeploySafetyTests {
    static let token = "123456:AAEXAMPLE-token-value_abcdefghijklmnopqr"

    func deployer(_ runner: ScriptedRunner, region: String = "eu-west-1") -> Deployer {
        Deployer(stack: BotStack(bot: "echo", stage: "dev"), aws: AWSCommandLine(region: region, runner: runner))
    }

    static let identity = ScriptedRunner.json(#"{"Account":"123456789012","UserId":"x","Arn":"arn:aws:iam::123456789012:user/x"}"#)
    static let noStack = ScriptedRunner.failure("An error occurred (ValidationError) when calling the DescribeStacks operation: Stack with id ferry-echo-dev does not exist")
    static func stack(_ status: String) -> CommandResult {
        ScriptedRunner.json(#"{"Stacks":[{"StackName":"ferry-echo-dev","StackStatus":"\#(status)","Outputs":[]}]}"#)
    }

    func package() throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-safety-\(UUID().uuidString).zip")
        try Data("a code package".utf8).write(to: file)
        return file.path
    }

    @Test("a region without Lambda function URLs is refused before anything is created")
    func regionWithoutFunctionURLs() async throws {
        let runner = ScriptedRunner(answers: [:])
        let error = try await #require(throws: DeployError.self) {
            try await deployer(runner, region: "eu-central-2").deploy(codePackage: try package(), botToken: Self.token)
        }
        #expect(error == .noFunctionURLs(region: "eu-central-2"))
        #expect(error.description.contains("Nothing was created"))
        #expect(runner.commands.isEmpty, "not one AWS call")
    }

    @Test("a first deploy that rolled back (ROLLBACK_COMPLETE) is deleted, said, and created afresh")
    func rollbackCompleteIsCleared() async throws {
        let runner = ScriptedRunner(
            answers: [
                "sts get-caller-identity": Self.identity, "cloudformation describe-stacks": Self.stack("CREATE_COMPLETE"),
                "ssm get-parameter": ScriptedRunner.parameterNotFound,
            ],
            sequences: ["cloudformation describe-stacks": [Self.stack("ROLLBACK_COMPLETE")]]
        )
        try await deployer(runner).deploy(codePackage: try package(), botToken: Self.token)
        let operations = runner.operations
        let deleted = try #require(operations.firstIndex(of: "cloudformation delete-stack"))
        let waited = try #require(operations.firstIndex(of: "cloudformation wait"))
        let deployed = try #require(operations.firstIndex(of: "cloudformation deploy"))
        #expect(deleted < waited && waited < deployed)
        #expect(runner.commands[waited].arguments.contains("stack-delete-complete"))
    }

    @Test("a stack in any other state is never deleted by deploy")
    func healthyStackIsLeftAlone() async throws {
        for status in ["CREATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "UPDATE_COMPLETE"] {
            let runner = ScriptedRunner(answers: [
                "sts get-caller-identity": Self.identity, "cloudformation describe-stacks": Self.stack(status),
                "ssm get-parameter": ScriptedRunner.parameterNotFound,
            ])
            try? await deployer(runner).deploy(codePackage: try package(), botToken: Self.token)
            #expect(!runner.operations.contains("cloudformation delete-stack"), "\(status)")
        }
    }

    @Test("a failed deploy names the failing resources and CloudFormation's reasons, not only the CLI's last line")
    func failedDeployShowsStackEvents() async throws {
        let events = #"""
        {"StackEvents":[
          {"LogicalResourceId":"ferry-echo-dev","ResourceType":"AWS::CloudFormation::Stack","ResourceStatus":"ROLLBACK_COMPLETE"},
          {"LogicalResourceId":"SessionsTable","ResourceType":"AWS::DynamoDB::Table","ResourceStatus":"CREATE_FAILED","ResourceStatusReason":"Resource creation cancelled"},
          {"LogicalResourceId":"WebhookFunction","ResourceType":"AWS::Lambda::Function","ResourceStatus":"CREATE_FAILED","ResourceStatusReason":"Resource handler returned message: \"Uploaded file must be a non-empty zip\""},
          {"LogicalResourceId":"ferry-echo-dev","ResourceType":"AWS::CloudFormation::Stack","ResourceStatus":"CREATE_IN_PROGRESS","ResourceStatusReason":"User Initiated"},
          {"LogicalResourceId":"OldFunction","ResourceType":"AWS::Lambda::Function","ResourceStatus":"UPDATE_FAILED","ResourceStatusReason":"an older attempt's failure"}
        ]}
        """#
        let runner = ScriptedRunner(
            answers: [
                "sts get-caller-identity": Self.identity,
                "cloudformation deploy": ScriptedRunner.failure(
                    "\nFailed to create/update the stack. Run the following command\nto fetch the list of events leading up to the failure\naws cloudformation describe-stack-events --stack-name ferry-echo-dev"
                ),
                "cloudformation describe-stack-events": ScriptedRunner.json(events),
                "cloudformation describe-stacks": Self.stack("ROLLBACK_COMPLETE"),
                "ssm get-parameter": ScriptedRunner.parameterNotFound,
            ],
            sequences: ["cloudformation describe-stacks": [Self.noStack]]
        )
        let error = try await #require(throws: DeployError.self) {
            try await deployer(runner).deploy(codePackage: try package(), botToken: Self.token)
        }
        let text = error.description
        #expect(text.contains("WebhookFunction (AWS::Lambda::Function): Resource handler returned message: \"Uploaded file must be a non-empty zip\""))
        #expect(!text.contains("Resource creation cancelled"), "the knock-on cancellations are left out")
        #expect(!text.contains("an older attempt"), "only the latest attempt's events")
        #expect(text.contains("ROLLBACK_COMPLETE") && text.contains("run deploy again"))
    }

    @Test("remove lists what it kept: retained tables and the shared artifact bucket")
    func removeListsWhatItKept() async throws {
        let template = #"{"TemplateBody":{"Resources":{"SessionsTable":{"Type":"AWS::DynamoDB::Table","DeletionPolicy":"Retain"},"Queue":{"Type":"AWS::SQS::Queue","DeletionPolicy":"Delete"}}}}"#
        let resources = #"""
        {"StackResources":[
          {"LogicalResourceId":"SessionsTable","PhysicalResourceId":"ferry-echo-dev-sessions","ResourceType":"AWS::DynamoDB::Table"},
          {"LogicalResourceId":"Queue","PhysicalResourceId":"https://sqs/q.fifo","ResourceType":"AWS::SQS::Queue"}
        ]}
        """#
        let runner = ScriptedRunner(answers: [
            "sts get-caller-identity": Self.identity,
            "cloudformation get-template": ScriptedRunner.json(template),
            "cloudformation describe-stack-resources": ScriptedRunner.json(resources),
        ])
        let kept = try await deployer(runner).remove()
        #expect(kept.count == 2)
        #expect(kept.first?.contains("AWS::DynamoDB::Table ferry-echo-dev-sessions") == true)
        #expect(kept.last?.contains("ferry-artifacts-123456789012-eu-west-1") == true)
    }

    @Test("a missing executable is said in words, with what to do, not as a Foundation error dump")
    func missingExecutableInWords() throws {
        let error = try #require(throws: CodePackageError.self) {
            try CodePackage.write(executable: "/nonexistent/bootstrap", to: FileManager.default.temporaryDirectory.appendingPathComponent("x.zip").path)
        }
        #expect(error.description.contains("no such file or directory"))
        #expect(error.description.contains("--executable"))
        #expect(!error.description.contains("CocoaError") && !error.description.contains("POSIXError"))
    }

    @Test("the code package's folder is created when missing")
    func packageFolderIsCreated() throws {
        let executable = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-exe-\(UUID().uuidString)")
        try Data([0x7F, 0x45, 0x4C, 0x46, 1, 2, 3]).write(to: executable)
        let folder = try CodePackage.makeWorkFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let destination = folder + "/not/yet/there/package.zip"
        try CodePackage.write(executable: executable.path, to: destination)
        #expect(FileManager.default.fileExists(atPath: destination))
        let mode = try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? Int
        #expect(mode == 0o700)
    }

    // MARK: Retention and the artifact bucket (item 7); rotation (item 2) on the rendered template

    @Test("retention of the queues, the parked dead letters and the tables' backups are settings")
    func retentionSettings() throws {
        var stack = BotStack(bot: "echo", stage: "dev")
        let defaults = try TemplateJSON(stack)
        #expect(try defaults.properties(BotStack.LogicalID.queue)["MessageRetentionPeriod"] as? Int == 1_209_600)
        let recovery = try defaults.properties(BotStack.LogicalID.deadLetterTable)["PointInTimeRecoverySpecification"] as? [String: Any]
        #expect(recovery?["RecoveryPeriodInDays"] as? Int == 35)

        stack.queueRetention = .seconds(4 * 86_400)
        stack.deadLetterRetention = .seconds(7 * 86_400)
        stack.backupRetentionDays = 7
        let json = try TemplateJSON(stack)
        for queue in [BotStack.LogicalID.queue, BotStack.LogicalID.deadLetterQueue] {
            #expect(try json.properties(queue)["MessageRetentionPeriod"] as? Int == 345_600)
        }
        for table in [BotStack.LogicalID.sessionsTable, BotStack.LogicalID.deadLetterTable] {
            let recovery = try json.properties(table)["PointInTimeRecoverySpecification"] as? [String: Any]
            #expect(recovery?["RecoveryPeriodInDays"] as? Int == 7)
        }
        let environment = try json.properties(BotStack.LogicalID.function(.deadLetter))["Environment"] as? [String: Any]
        #expect((environment?["Variables"] as? [String: Any])?["FERRY_DEAD_LETTER_RETENTION_SECONDS"] as? String == "604800")

        stack.queueRetention = .seconds(15 * 86_400)
        #expect(throws: BotStackError.self) { try stack.template() }
        stack.queueRetention = .seconds(86_400)
        stack.backupRetentionDays = 36
        #expect(throws: BotStackError.self) { try stack.template() }
    }

    @Test("the webhook may read the retiring secret, and nothing else may")
    func retiringSecretAccess() throws {
        let json = try TemplateJSON(BotStack(bot: "echo", stage: "dev"))
        let webhook = try json.policyStatements(ofRole: BotStack.LogicalID.role(.webhook))
        let read = try #require(webhook.first { $0["Sid"] as? String == "ReadWebhookSecret" })
        let resources = String(describing: read["Resource"] ?? "")
        #expect(resources.contains("parameter/ferry/echo/dev/telegram-webhook-secret-retiring"))
        for function in [BotStack.Function.consumer, .deadLetter] {
            let statements = String(describing: try json.policyStatements(ofRole: BotStack.LogicalID.role(function)))
            #expect(!statements.contains("telegram-webhook-secret"))
        }
    }

    @Test("on AWS the artifact bucket gets default encryption and the TLS-only policy, its owner named on every call")
    func bucketHardeningOnAWS() async throws {
        let runner = ScriptedRunner(answers: [
            "sts get-caller-identity": Self.identity, "ssm get-parameter": ScriptedRunner.parameterNotFound,
            "cloudformation describe-stacks": Self.stack("CREATE_COMPLETE"),
        ])
        try await deployer(runner).deploy(codePackage: try package(), botToken: Self.token)
        let policy = try #require(runner.commands.first { $0.arguments.starts(with: ["s3api", "put-bucket-policy"]) })
        #expect(policy.arguments.contains(Deployer.tlsOnlyPolicy(bucket: "ferry-artifacts-123456789012-eu-west-1")))
        #expect(runner.commands.contains { $0.arguments.starts(with: ["s3api", "put-bucket-encryption"]) })
        for call in runner.commands where call.arguments.first == "s3api" {
            #expect(call.arguments.contains("--expected-bucket-owner"), "\(call.arguments.prefix(2))")
        }
    }

    @Test("the artifact bucket's policy refuses plain HTTP")
    func tlsOnlyPolicy() throws {
        let policy = try #require(try JSONSerialization.jsonObject(with: Data(Deployer.tlsOnlyPolicy(bucket: "b1").utf8)) as? [String: Any])
        let statement = try #require((policy["Statement"] as? [[String: Any]])?.first)
        #expect(statement["Effect"] as? String == "Deny")
        #expect(((statement["Condition"] as? [String: Any])?["Bool"] as? [String: Any])?["aws:SecureTransport"] as? String == "false")
        #expect(statement["Resource"] as? [String] == ["arn:aws:s3:::b1", "arn:aws:s3:::b1/*"])
    }

    @Test("moto: a new token restarts every function, an unchanged deploy none; rotation keeps the old secret for a while")
    func rotationAgainstMoto() async throws {
        try await MotoServer.with { moto in
            let recording = RecordingRunner()
            var aws = moto.aws
            aws.runner = recording
            let stack = BotStack(bot: "echo", stage: "rot")
            let deployer = Deployer(stack: stack, target: .localEmulator, aws: aws, artifactBucket: "ferry-test-artifacts")
            let package = try package()
            func versions() async throws -> [String] {
                var result: [String] = []
                for function in BotStack.Function.allCases {
                    let configuration = try await json(moto.aws, "lambda", "get-function-configuration", ["--function-name", stack.names.function(function)])
                    let variables = (configuration["Environment"] as? [String: Any])?["Variables"] as? [String: String] ?? [:]
                    result.append(try #require(variables["FERRY_SECRETS_VERSION"]))
                }
                return result
            }

            try await deployer.deploy(codePackage: package, botToken: Self.token)
            let first = try await versions()
            #expect(Set(first).count == 1)

            try await deployer.deploy(codePackage: package, botToken: Self.token)
            #expect(try await versions() == first, "the same token again changes nothing")

            try await deployer.deploy(codePackage: package, botToken: "654321:AAEXAMPLE-another-token_abcdefghijklmnop")
            let second = try await versions()
            #expect(second != first && Set(second).count == 1, "every function gets the new version")

            let oldSecret = try await deployer.webhookSecret()
            try await deployer.deploy(codePackage: package, botToken: nil, rotateWebhookSecret: true)
            let newSecret = try await deployer.webhookSecret()
            #expect(newSecret != oldSecret && newSecret.count == 64)
            #expect(try await versions() != second)
            let retiring = try await json(moto.aws, "ssm", "get-parameter", ["--name", stack.names.retiringWebhookSecretParameter, "--with-decryption"])
            let value = try #require((retiring["Parameter"] as? [String: Any])?["Value"] as? String)
            let parts = value.split(separator: " ")
            #expect(parts.first.map(String.init) == oldSecret)
            let until = try #require(parts.last.flatMap { Int($0) })
            let now = Int(Date().timeIntervalSince1970)
            #expect(until > now + 800 && until <= now + 900, "accepted for 15 minutes")

            // The artifact bucket: encrypted by default, TLS only, and its owner named on every call.
            let encryption = try await json(moto.aws, "s3api", "get-bucket-encryption", ["--bucket", "ferry-test-artifacts"])
            #expect(String(describing: encryption).contains("AES256"))
            // moto is reached over plain HTTP and enforces bucket policies: the TLS-only one would lock it out, so
            // it is left out here (the scripted test below sees it put on AWS).
            await expectGone(moto.aws, "s3api", "get-bucket-policy", ["--bucket", "ferry-test-artifacts"])
            let bucketCalls = recording.commands.filter { $0.arguments.first == "s3api" && $0.arguments.dropFirst().first != "create-bucket" }
            #expect(!bucketCalls.isEmpty)
            for call in bucketCalls {
                #expect(call.arguments.contains("--expected-bucket-owner"), "\(call.arguments.prefix(2))")
            }
            #expect(!recording.commands.contains { $0.arguments.first == "s3" }, "the high-level s3 commands cannot name the owner")

            try await deployer.remove()
            let left = try await json(moto.aws, "s3api", "list-objects-v2", ["--bucket", "ferry-test-artifacts"])
            #expect((left["Contents"] as? [Any] ?? []).isEmpty)
            await expectGone(moto.aws, "ssm", "get-parameter", ["--name", stack.names.retiringWebhookSecretParameter])
        }
    }
}

/// The real process runner, recording what it runs.
final class RecordingRunner: CommandRunner {
    private let recorded = Mutex<[Command]>([])
    private let real = ProcessCommandRunner()
    var commands: [Command] { recorded.withLock { $0 } }

    func run(_ command: Command) async throws(CommandError) -> CommandResult {
        recorded.withLock { $0.append(command) }
        return try await real.run(command)
    }
}
