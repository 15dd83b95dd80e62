import FerryDeploy
import Foundation
import FerryTestSupport
import Testing

/// The template deployed for real, by the real AWS CLI, to moto started on 127.0.0.1.
///
/// Stock moto cannot create function URLs or CloudWatch alarms, so these tests deploy the
/// ``BotStack/Target/localEmulator`` variant, which leaves out exactly those (and the URL's permissions and
/// the alarm topic); the variant test in `BotStackTemplateTests` proves everything else is identical, and
/// `TemplateLintTests` checks the full template.
@Suite("Local emulator deployment", .serialized)
struct LocalEmulatorStackTests {
    static let stack = BotStack(bot: "echo", stage: "dev")

    @Test("create-stack builds the queues, functions, event sources, tables and log groups; delete-stack removes them", .needs(.moto, .awsCLI))
    func createAndDelete() async throws {
        try await MotoServer.with { moto in
            let aws = moto.aws
            let names = Self.stack.names
            let directory = try TemporaryDirectory()

            // The code package the functions point at.
            let package = try directory.write("not really a zip: moto stores the bytes", to: "package.zip")
            try await aws.run("s3api", "create-bucket", ["--bucket", "code", "--create-bucket-configuration", "LocationConstraint=eu-west-1"])
            try await aws.run("s3api", "put-object", ["--bucket", "code", "--key", "echo.zip", "--body", package])

            let template = try directory.write(Self.stack.template(for: .localEmulator).renderedJSON(), to: "template.json")
            try await aws.run("cloudformation", "create-stack", [
                "--stack-name", names.stack,
                "--template-body", "file://\(template)",
                "--parameters", "ParameterKey=CodeBucket,ParameterValue=code", "ParameterKey=CodeKey,ParameterValue=echo.zip",
                "--capabilities", "CAPABILITY_IAM",
            ])
            let status = try await waitForStack(names.stack, aws: aws) { $0 != "CREATE_IN_PROGRESS" }
            #expect(status == "CREATE_COMPLETE")

            // Queues: FIFO, deduplicated by the producer, redriven after 3 x `attempts` receives.
            let updatesURL = try await queueURL(names.queue, aws: aws)
            // moto answers get-queue-url with its own host but fills Ref with the AWS host: compare account and name.
            let queuePath = "/123456789012/\(names.queue)"
            #expect(updatesURL.hasSuffix(queuePath))
            let queue = try await queueAttributes(updatesURL, aws: aws)
            #expect(queue["FifoQueue"] == "true")
            #expect(queue["ContentBasedDeduplication"] == "false")
            #expect(queue["VisibilityTimeout"] == "180")
            let redrive = try #require(
                try JSONSerialization.jsonObject(with: Data((queue["RedrivePolicy"] ?? "").utf8)) as? [String: Any]
            )
            #expect("\(redrive["maxReceiveCount"] ?? "")" == "9")
            #expect((redrive["deadLetterTargetArn"] as? String)?.hasSuffix(":\(names.deadLetterQueue)") == true)
            let deadLetterQueue = try await queueAttributes(try await queueURL(names.deadLetterQueue, aws: aws), aws: aws)
            #expect(deadLetterQueue["FifoQueue"] == "true")

            // Functions.
            for function in BotStack.Function.allCases {
                let configuration = try await json(aws, "lambda", "get-function-configuration", ["--function-name", names.function(function)])
                #expect(configuration["Runtime"] as? String == "provided.al2023")
                #expect(configuration["Handler"] as? String == function.handler)
                let variables = (configuration["Environment"] as? [String: Any])?["Variables"] as? [String: String] ?? [:]
                if function != .deadLetter {
                    #expect(variables["QUEUE_URL"]?.hasSuffix(queuePath) == true, "\(function) gets the queue's URL")
                }
            }

            // Event sources: queue -> consumer, dead-letter queue -> dead-letter function.
            let expected: [(BotStack.Function, String)] = [(.consumer, names.queue), (.deadLetter, names.deadLetterQueue)]
            for (function, queueName) in expected {
                let answer = try await json(aws, "lambda", "list-event-source-mappings", ["--function-name", names.function(function)])
                let mappings = answer["EventSourceMappings"] as? [[String: Any]] ?? []
                #expect(mappings.count == 1, "\(function)")
                #expect((mappings.first?["EventSourceArn"] as? String)?.hasSuffix(":\(queueName)") == true)
                #expect(mappings.first?["BatchSize"] as? Int == 10)
            }

            // Tables and log groups.
            for table in [names.sessionsTable, names.deadLetterTable] {
                let description = try await json(aws, "dynamodb", "describe-table", ["--table-name", table])
                let summary = (description["Table"] as? [String: Any])?["BillingModeSummary"] as? [String: Any]
                #expect(summary?["BillingMode"] as? String == "PAY_PER_REQUEST", "\(table)")
            }
            let groups = try await json(aws, "logs", "describe-log-groups", ["--log-group-name-prefix", "/aws/lambda/\(names.stack)-"])
            let retention = (groups["logGroups"] as? [[String: Any]] ?? []).compactMap { $0["retentionInDays"] as? Int }
            #expect(retention == [30, 30, 30])

            let outputs = try await stackOutputs(names.stack, aws: aws)
            #expect(outputs["QueueUrl"]?.hasSuffix(queuePath) == true)
            #expect(outputs["DeadLetterQueueUrl"]?.hasSuffix(names.deadLetterQueue) == true)
            #expect(outputs["WebhookUrl"] == nil)
            let deployed = try await Deployer(stack: Self.stack, target: .localEmulator, aws: aws).outputs()
            #expect(deployed.stackName == names.stack)
            #expect(deployed.queueURL?.hasSuffix(queuePath) == true)
            #expect(deployed.deadLetterQueueURL?.hasSuffix("/123456789012/\(names.deadLetterQueue)") == true)
            #expect(deployed.outputs["SessionsTableName"] == names.sessionsTable)

            // Removing the stack removes what it made.
            try await aws.run("cloudformation", "delete-stack", ["--stack-name", names.stack])
            let final = try await waitForStack(names.stack, aws: aws) { $0 != "DELETE_IN_PROGRESS" }
            #expect(final == nil || final == "DELETE_COMPLETE")
            await expectGone(aws, "sqs", "get-queue-url", ["--queue-name", names.queue])
            await expectGone(aws, "sqs", "get-queue-url", ["--queue-name", names.deadLetterQueue])
            for function in BotStack.Function.allCases {
                await expectGone(aws, "lambda", "get-function", ["--function-name", names.function(function)])
            }
            await expectGone(aws, "dynamodb", "describe-table", ["--table-name", names.sessionsTable])
            await expectGone(aws, "dynamodb", "describe-table", ["--table-name", names.deadLetterTable])
        }
    }
}

// MARK: - AWS CLI helpers shared by the emulator tests

func json(_ aws: AWSCommandLine, _ service: String, _ operation: String, _ arguments: [String] = []) async throws -> [String: Any] {
    let output = try await aws.run(service, operation, arguments)
    return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "\(output)")
}

func queueURL(_ name: String, aws: AWSCommandLine) async throws -> String {
    try #require(try await json(aws, "sqs", "get-queue-url", ["--queue-name", name])["QueueUrl"] as? String)
}

func queueAttributes(_ url: String, aws: AWSCommandLine) async throws -> [String: String] {
    let answer = try await json(aws, "sqs", "get-queue-attributes", ["--queue-url", url, "--attribute-names", "All"])
    return try #require(answer["Attributes"] as? [String: String])
}

func stackOutputs(_ name: String, aws: AWSCommandLine) async throws -> [String: String] {
    let answer = try await json(aws, "cloudformation", "describe-stacks", ["--stack-name", name])
    let stack = try #require((answer["Stacks"] as? [[String: Any]])?.first)
    var outputs: [String: String] = [:]
    for output in stack["Outputs"] as? [[String: String]] ?? [] {
        if let key = output["OutputKey"] { outputs[key] = output["OutputValue"] }
    }
    return outputs
}

/// Polls the stack's status every half second, for at most a minute, until `done` holds; `nil` once the
/// stack no longer exists. (The CLI's own waiters poll every 30 seconds.)
func waitForStack(_ name: String, aws: AWSCommandLine, until done: (String) -> Bool) async throws -> String? {
    var status: String?
    for _ in 0..<120 {
        do {
            let answer = try await json(aws, "cloudformation", "describe-stacks", ["--stack-name", name])
            status = (answer["Stacks"] as? [[String: Any]])?.first?["StackStatus"] as? String
        } catch let error as AWSCommandLineError where error.isNotFound {
            return nil
        }
        if let status, done(status) { return status }
        try await Task.sleep(for: .milliseconds(500))
    }
    Issue.record("stack \(name) still \(status ?? "?") after a minute")
    return status
}

/// Expects the call to fail because what it asks about does not exist.
func expectGone(_ aws: AWSCommandLine, _ service: String, _ operation: String, _ arguments: [String]) async {
    do {
        _ = try await aws.run(service, operation, arguments)
        Issue.record("\(service) \(operation) \(arguments) still finds it")
    } catch {
        #expect(
            error.isNotFound || error.description.contains("NonExistentQueue"),
            "\(service) \(operation) failed otherwise: \(error)"
        )
    }
}
