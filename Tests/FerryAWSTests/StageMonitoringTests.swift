import FerryDeploy
import FerryTestSupport
import Foundation
import Testing

@testable import AWSClients
@testable import FerryAWS

/// `status` and `logs` of a deployed stage, and the CloudWatch, CloudWatch Logs and DynamoDB reads under them,
/// against a real `moto_server`: the stage is deployed by the real deploy step (the AWS CLI, the local-emulator
/// template), and the EchoBot binary runs the commands. What moto does not produce by itself (SQS's metrics,
/// Lambda's log lines, alarms, which the local-emulator template leaves out) the tests write into moto first.
@Suite(
    "Watching a deployed stage",
    .needs(.moto),
    .motoServer
)
struct StageMonitoringTests {
    static let token = "123456789:AAFerryMonitoringTestToken_abcdefghijk"

    let server: MotoServer
    let cloudWatch: CloudWatchClient
    let logs: CloudWatchLogsClient
    let sqs: SQSClient
    let dynamoDB: DynamoDBClient

    init() throws {
        server = try #require(MotoServer.current)
        cloudWatch = CloudWatchClient(configuration: server.configuration, httpClient: .shared)
        logs = CloudWatchLogsClient(configuration: server.configuration, httpClient: .shared)
        sqs = SQSClient(configuration: server.configuration, httpClient: .shared)
        dynamoDB = DynamoDBClient(configuration: server.configuration, httpClient: .shared)
    }

    // MARK: Clients

    @Test("CloudWatch: statistics come back per minute, oldest first; alarms only those named, with their state")
    func cloudWatchClient() async throws {
        let queue = "q-" + UUID().uuidString.prefix(8).lowercased()
        let dimensions = [CloudWatchDimension(name: "QueueName", value: queue)]
        let now = Date()
        for (minutesAgo, value) in [(3.0, 40.0), (1.0, 95.0)] {
            try await cloudWatch.putMetricData(
                namespace: "AWS/SQS", metric: "ApproximateAgeOfOldestMessage", dimensions: dimensions, value: value,
                unit: "Seconds", at: now.addingTimeInterval(-minutesAgo * 60)
            )
        }
        let points = try await cloudWatch.statistics(
            namespace: "AWS/SQS", metric: "ApproximateAgeOfOldestMessage", dimensions: dimensions, statistic: "Maximum",
            from: now.addingTimeInterval(-600), to: now.addingTimeInterval(60)
        )
        #expect(points.map(\.value) == [40, 95])
        let other = try await cloudWatch.statistics(
            namespace: "AWS/SQS", metric: "ApproximateAgeOfOldestMessage",
            dimensions: [CloudWatchDimension(name: "QueueName", value: queue + "-other")], statistic: "Maximum",
            from: now.addingTimeInterval(-600), to: now.addingTimeInterval(60)
        )
        #expect(other.isEmpty)

        for name in ["\(queue)-a", "\(queue)-b", "\(queue)-c"] {
            try await cloudWatch.putMetricAlarm(
                named: name, namespace: "AWS/SQS", metric: "ApproximateAgeOfOldestMessage", dimensions: dimensions,
                statistic: "Maximum", periodSeconds: 60, threshold: 600
            )
        }
        try await cloudWatch.setAlarmState(named: "\(queue)-b", to: "ALARM", reason: "Threshold Crossed: 1 datapoint [700.0] was greater than 600.0")
        let alarms = try await cloudWatch.alarms(named: ["\(queue)-a", "\(queue)-b", "\(queue)-missing"])
        #expect(alarms.map(\.name) == ["\(queue)-a", "\(queue)-b"])
        #expect(alarms.last?.state == "ALARM")
        #expect(alarms.last?.reason.contains("700.0") == true)
        #expect(alarms.last?.updatedAt != nil)
    }

    @Test("CloudWatch Logs: events of every stream from the start time on, with their stream and id")
    func logsClient() async throws {
        let group = "/aws/lambda/t-" + UUID().uuidString.prefix(8).lowercased()
        try await logs.createLogGroup(named: group)
        try await logs.createLogStream(named: "a", in: group)
        try await logs.createLogStream(named: "b", in: group)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await logs.putLogEvents([(now - 600_000, "too old"), (now - 2_000, "a1")], to: "a", in: group)
        try await logs.putLogEvents([(now - 1_000, "b1")], to: "b", in: group)
        let page = try await logs.filterLogEvents(group: group, from: now - 60_000)
        #expect(Set(page.events.map(\.message)) == ["a1", "b1"])
        #expect(Set(page.events.map(\.logStream)) == ["a", "b"])
        #expect(Set(page.events.map(\.eventID)).count == 2)
        await #expect(throws: AWSServiceError.self) { try await logs.filterLogEvents(group: group + "-missing", from: 0) }
    }

    @Test("DynamoDB count: every item, or nil past the limit")
    func tableCount() async throws {
        let table = "t-" + UUID().uuidString.prefix(8).lowercased()
        try await dynamoDB.createTable(named: table, partitionKey: "id")
        #expect(try await dynamoDB.count(table, limit: 10) == 0)
        for index in 0..<5 { try await dynamoDB.putItem(["id": .string("item\(index)")], into: table) }
        #expect(try await dynamoDB.count(table, limit: 10) == 5)
        #expect(try await dynamoDB.count(table, limit: 5) == 5)
        #expect(try await dynamoDB.count(table, limit: 4) == nil)
    }

    // MARK: status

    @Test(
        "status: the stack, the code's hash, Telegram's view of the webhook, the queue, the oldest update, dead letters and alarms",
        .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.url.path), "EchoBot is not built next to the tests")
    )
    func statusOfDeployedStage() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let package = directory.appendingPathComponent("package.zip")
        try Data("a code package".utf8).write(to: package)
        let digest = try await ProcessCommandRunner().run(Command(executable: "sha256sum", arguments: [package.path]))
        let packageHex = String(digest.standardOutput.prefix(64))

        let stack = BotStack(bot: "echobot", stage: "s" + UUID().uuidString.prefix(8).lowercased())
        let deployer = Deployer(stack: stack, target: .localEmulator, aws: awsCommandLine)
        try await deployer.deploy(codePackage: package.path, botToken: Self.token)
        let names = stack.names

        // Two updates waiting, one of them received (in flight); an oldest-message age as SQS would publish it.
        let queueURL = try await sqs.queueURL(named: names.queue)
        for id in 1...3 {
            try await sqs.sendMessage(.init(body: "{\"update_id\":\(id)}", groupID: "chat:\(id)", deduplicationID: "\(id)"), to: queueURL)
        }
        _ = try await sqs.receiveMessages(from: queueURL, maxMessages: 1, waitTimeSeconds: 0)
        try await cloudWatch.putMetricData(
            namespace: "AWS/SQS", metric: "ApproximateAgeOfOldestMessage",
            dimensions: [CloudWatchDimension(name: "QueueName", value: names.queue)], value: 754, unit: "Seconds",
            at: Date().addingTimeInterval(-60)
        )
        // Two parked dead letters; two of the stage's alarms, one firing.
        for id in ["d1", "d2"] { try await dynamoDB.putItem(["id": .string(id)], into: names.deadLetterTable) }
        for name in [names.errorsAlarm(.consumer), names.oldestUpdateAlarm] {
            try await cloudWatch.putMetricAlarm(
                named: name, namespace: "AWS/Lambda", metric: "Errors",
                dimensions: [CloudWatchDimension(name: "FunctionName", value: names.function(.consumer))],
                statistic: "Sum", periodSeconds: 60, threshold: 0
            )
        }
        try await cloudWatch.setAlarmState(named: names.errorsAlarm(.consumer), to: "ALARM", reason: "Threshold Crossed: 1 datapoint [4.0] was greater than the threshold (0.0)")

        let telegramAnswer = """
            {"ok":true,"result":{"url":"https://abc.lambda-url.us-east-1.on.aws/","has_custom_certificate":false,\
            "pending_update_count":3,"last_error_date":1764921600,\
            "last_error_message":"Wrong response from the webhook: 502 Bad Gateway"}}
            """
        try await FakeHTTPServer.withServer(respond: { _, _ in .json(telegramAnswer) }) { telegram in
            var environment = commandEnvironment
            environment["TELEGRAM_API_URL"] = telegram.baseURL
            let screen = try await EchoBotProcess.run(["status", "--stage", stack.stage], environment: environment)
            #expect(screen.status == 0, "\(screen.standardError)")
            let text = screen.standardOutput
            print("status screen from moto:\n\(text)")
            #expect(text.contains("Stage \(stack.stage) of echobot"))
            #expect(text.contains("\(names.stack) CREATE_COMPLETE") || text.contains("\(names.stack) UPDATE_COMPLETE"), "\(text)")
            #expect(text.contains("sha256 \(packageHex)"), "the deployed code's hash is the package's: \(text)")
            #expect(text.contains("https://abc.lambda-url.us-east-1.on.aws/"))
            #expect(text.contains("3 updates pending at Telegram"))
            #expect(text.contains("Wrong response from the webhook: 502 Bad Gateway"))
            #expect(text.contains("2 waiting, 1 in flight"), "\(text)")
            #expect(text.contains("12 min in the queue"), "\(text)")
            #expect(text.contains("2 parked"))
            #expect(text.contains("1 of 2 in ALARM"))
            #expect(text.contains(names.errorsAlarm(.consumer)))
            #expect(text.contains("alarm mail    nobody: deploy with --alarm-email ADDRESS"), "no topic yet: \(text)")
            #expect(!text.contains("unknown"), "\(text)")
            #expect(!text.contains(Self.token) && !screen.standardError.contains(Self.token))
            // The token came from the stage's SecureString parameter: nothing in the environment held it.
            #expect(telegram.requests.first?.path == "/bot\(Self.token)/getWebhookInfo")

            // The topic and subscription deploy --alarm-email would create on AWS.
            let topic = try await awsCommandLine.json([String: String].self, "sns", "create-topic", ["--name", names.alarmTopic])
            try await awsCommandLine.run("sns", "subscribe", [
                "--topic-arn", try #require(topic["TopicArn"]), "--protocol", "email", "--notification-endpoint", "oncall@example.com",
            ])
            let json = try await EchoBotProcess.run(["status", "--stage", stack.stage, "--json"], environment: environment)
            #expect(json.status == 0, "\(json.standardError)")
            let status = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
            #expect((status["queue"] as? [String: Any])?["waiting"] as? Int == 2)
            #expect((status["queue"] as? [String: Any])?["in_flight"] as? Int == 1)
            #expect((status["oldest_update"] as? [String: Any])?["seconds"] as? Int == 754)
            #expect((status["dead_letters"] as? [String: Any])?["parked"] as? Int == 2)
            #expect((status["code"] as? [String: Any])?["sha256"] as? String == packageHex)
            #expect((status["webhook"] as? [String: Any])?["pending_updates"] as? Int == 3)
            let alarms = try #require(status["alarms"] as? [String: Any])
            #expect((alarms["in_alarm"] as? [[String: Any]])?.map { $0["name"] as? String } == [names.errorsAlarm(.consumer)])
            #expect((status["stack"] as? [String: Any])?["code_key"] as? String == "ferry/echobot/\(stack.stage)/\(packageHex).zip")
            // moto confirms email subscriptions at once; AWS lists an unconfirmed one as PendingConfirmation.
            let mail = try #require((status["alarm_mail"] as? [String: Any])?["addresses"] as? [[String: Any]])
            #expect(mail.map { $0["address"] as? String } == ["oncall@example.com"])
            #expect(mail.first?["confirmed"] as? Bool == true)
        }
    }

    @Test(
        "status of a stage that is not there: every part unknown, with its reason, and the command still succeeds",
        .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.url.path), "EchoBot is not built next to the tests")
    )
    func statusOfMissingStage() async throws {
        var environment = commandEnvironment
        environment["TELEGRAM_API_URL"] = "http://127.0.0.1:1"
        let result = try await EchoBotProcess.run(["status", "--stage", "nosuchstage", "--json"], environment: environment)
        #expect(result.status == 0, "\(result.standardError)")
        let status = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        for part in ["stack", "code", "webhook", "queue", "dead_letters", "alarm_mail"] {
            let reason = (status[part] as? [String: Any])?["unknown"] as? String
            #expect(reason?.isEmpty == false, "\(part): \(status[part] ?? "nil")")
        }
        #expect(((status["stack"] as? [String: Any])?["unknown"] as? String)?.contains("does not exist") == true)
        #expect(((status["webhook"] as? [String: Any])?["unknown"] as? String)?.contains("TELEGRAM_BOT_TOKEN is not set") == true)
        #expect(((status["queue"] as? [String: Any])?["unknown"] as? String)?.contains("was not found") == true)

        // Without AWS credentials, the parts read through AWS's APIs say why, and the token from the environment still reads the webhook.
        var noCredentials = environment
        noCredentials["AWS_ACCESS_KEY_ID"] = nil
        noCredentials["AWS_EC2_METADATA_DISABLED"] = "true"
        noCredentials["HOME"] = "/nonexistent"
        noCredentials["TELEGRAM_BOT_TOKEN"] = Self.token
        let screen = try await EchoBotProcess.run(["status", "--stage", "nosuchstage"], environment: noCredentials)
        #expect(screen.status == 0, "\(screen.standardError)")
        #expect(screen.standardOutput.contains("queue         unknown: no AWS credentials found"), "\(screen.standardOutput)")
        #expect(screen.standardOutput.contains("webhook       unknown:"), "Telegram cannot be reached at port 1")
        #expect(!screen.standardOutput.contains(Self.token))
    }

    // MARK: logs

    @Test(
        "logs: the functions' lines interleaved by time, tagged by role, tokens redacted; --role and --since narrow them",
        .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.url.path), "EchoBot is not built next to the tests")
    )
    func logsCommand() async throws {
        let stack = BotStack(bot: "echobot", stage: "l" + UUID().uuidString.prefix(8).lowercased())
        let names = stack.names
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for function in [BotStack.Function.webhook, .consumer] {
            try await logs.createLogGroup(named: names.logGroup(function))
            try await logs.createLogStream(named: "2026/12/05/[$LATEST]abc", in: names.logGroup(function))
        }
        try await logs.putLogEvents([
            (now - 3_600_000, "an hour ago"),
            (now - 4_000, "START RequestId: 1 Version: $LATEST\n"),
            (now - 2_000, "enqueued update 42\n"),
        ], to: "2026/12/05/[$LATEST]abc", in: names.logGroup(.webhook))
        try await logs.putLogEvents([
            (now - 3_000, "handling update 41\nsecond line\n"),
            (now - 1_000, "POST https://api.telegram.org/bot\(Self.token)/sendMessage failed; other 987654321:ZZotherTokenOtherTokenOtherToken_123\n"),
        ], to: "2026/12/05/[$LATEST]abc", in: names.logGroup(.consumer))

        let all = try await EchoBotProcess.run(["logs", "--stage", stack.stage], environment: commandEnvironment)
        #expect(all.status == 0, "\(all.standardError)")
        print("logs excerpt from moto:\n\(all.standardOutput)")
        let lines = all.standardOutput.split(separator: "\n").map(String.init)
        #expect(lines.map { String($0.split(separator: " ", maxSplits: 2)[1]) } == [
            "[webhook]", "[consumer]", "[consumer]", "[webhook]", "[consumer]",
        ])
        #expect(lines[0].hasSuffix("[webhook] START RequestId: 1 Version: $LATEST"))
        #expect(lines[2].hasSuffix("[consumer] second line"))
        #expect(lines[4].contains("bot<redacted>/sendMessage") && lines[4].contains("other <redacted>"))
        #expect(!all.standardOutput.contains(Self.token) && !all.standardOutput.contains("ZZotherToken"))
        #expect(!all.standardOutput.contains("an hour ago"), "older than the default 10 minutes")
        #expect(all.standardError.contains("no logs of the dead-letter function yet"))
        let times = lines.map { String($0.prefix { $0 != " " }) }
        #expect(times == times.sorted())

        let consumer = try await EchoBotProcess.run(["logs", "--stage", stack.stage, "--role", "consumer"], environment: commandEnvironment)
        #expect(consumer.standardOutput.split(separator: "\n").allSatisfy { $0.contains("[consumer]") })
        #expect(consumer.standardOutput.split(separator: "\n").count == 3)

        let longer = try await EchoBotProcess.run(["logs", "--stage", stack.stage, "--role", "webhook", "--since", "2h"], environment: commandEnvironment)
        #expect(longer.standardOutput.contains("an hour ago"))
        let bad = try await EchoBotProcess.run(["logs", "--stage", stack.stage, "--since", "ten minutes"], environment: commandEnvironment)
        #expect(bad.status != 0)
    }

    @Test(
        "logs --follow prints lines that arrive later, each once, until stopped",
        .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.url.path), "EchoBot is not built next to the tests")
    )
    func logsFollow() async throws {
        let stack = BotStack(bot: "echobot", stage: "f" + UUID().uuidString.prefix(8).lowercased())
        let group = stack.names.logGroup(.consumer)
        try await logs.createLogGroup(named: group)
        try await logs.createLogStream(named: "s", in: group)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try await logs.putLogEvents([(now - 1_000, "before following")], to: "s", in: group)

        let follower = try BotProcess.start(
            ["logs", "--stage", stack.stage, "--role", "consumer", "--follow"], environment: commandEnvironment
        )
        try await follower.stoppedOnFailure {
            _ = try await follower.waitForLog("the line logged before") { $0.contains("[consumer] before following") ? true : nil }
            try await logs.putLogEvents([(Int64(Date().timeIntervalSince1970 * 1000), "arrived later")], to: "s", in: group)
            _ = try await follower.waitForLog("the line logged later") { $0.contains("[consumer] arrived later") ? true : nil }
            // Two more polls of the same events print nothing again.
            try await Task.sleep(for: .seconds(5))
        }
        _ = try await follower.stop()
        #expect(follower.log.components(separatedBy: "before following").count == 2, "printed once: \(follower.log)")
        #expect(follower.log.components(separatedBy: "arrived later").count == 2, "printed once: \(follower.log)")
    }

    // MARK: template and deploy

    @Test(
        "template and deploy take the alarm address, thresholds and cost profile; deploy warns once when nobody will be told",
        .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.url.path), "EchoBot is not built next to the tests")
    )
    func monitoringOptions() async throws {
        let template = try await EchoBotProcess.run([
            "template", "--stage", "dev", "--alarm-email", "oncall@example.com", "--alarm-oldest-update-age", "30m",
            "--alarm-webhook-duration-percent", "50", "--cost-profile", "dev",
        ], environment: [:])
        #expect(template.status == 0, "\(template.standardError)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(template.standardOutput.utf8)) as? [String: Any])
        let resources = try #require(root["Resources"] as? [String: [String: Any]])
        let topic = resources[BotStack.LogicalID.alarmTopic]?["Properties"] as? [String: Any]
        #expect((topic?["Subscription"] as? [[String: Any]])?.first?["Endpoint"] as? String == "oncall@example.com")
        #expect((resources[BotStack.LogicalID.oldestUpdateAlarm]?["Properties"] as? [String: Any])?["Threshold"] as? Int == 1800)
        #expect((resources[BotStack.LogicalID.webhookDurationAlarm]?["Properties"] as? [String: Any])?["Threshold"] as? Int == 5000)
        #expect(resources[BotStack.LogicalID.dashboard] == nil, "the dev profile has no dashboard")

        let tooShort = try await EchoBotProcess.run(["template", "--stage", "dev", "--alarm-oldest-update-age", "30s"], environment: [:])
        #expect(tooShort.status != 0)
        #expect(tooShort.standardError.contains("between 60 seconds and 14 days"), "\(tooShort.standardError)")
        let badProfile = try await EchoBotProcess.run(["template", "--stage", "dev", "--cost-profile", "cheap"], environment: [:])
        #expect(badProfile.status != 0)
        #expect(badProfile.standardError.contains("standard") && badProfile.standardError.contains("dev"))

        // Both stop at the missing bootstrap, after saying what they say before the build.
        let silent = try await EchoBotProcess.run(["deploy", "--stage", "dev", "--executable", "/no/such/bootstrap"], environment: [:])
        #expect(silent.status != 0)
        let warnings = silent.standardError.split(separator: "\n").filter { $0.hasPrefix("warning: no --alarm-email") }
        #expect(warnings.count == 1, "\(silent.standardError)")
        #expect(warnings.first?.contains("nobody will be told about dead letters or errors") == true)
        let told = try await EchoBotProcess.run(
            ["deploy", "--stage", "dev", "--executable", "/no/such/bootstrap", "--alarm-email", "oncall@example.com"], environment: [:]
        )
        #expect(told.status != 0)
        #expect(!told.standardError.contains("warning: no --alarm-email"))
    }

    // MARK: Helpers

    /// The AWS CLI on moto, with none of the user's AWS configuration.
    var awsCommandLine: AWSCommandLine {
        AWSCommandLine(region: "us-east-1", endpointURL: server.endpoint.url, environment: isolatedAWSEnvironment.mapValues { $0 })
    }

    var isolatedAWSEnvironment: [String: String] {
        [
            "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "AKIAFERRYTEST", "AWS_SECRET_ACCESS_KEY": "ferry-test-secret",
            "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        ]
    }

    /// What the EchoBot binary runs with: moto, the isolated AWS configuration, and a PATH with the AWS CLI.
    var commandEnvironment: [String: String] {
        var environment = isolatedAWSEnvironment
        // Only AWS_REGION, as for Ferry's own clients: the commands hand it to the AWS CLI, which reads only AWS_DEFAULT_REGION.
        environment["AWS_DEFAULT_REGION"] = nil
        environment["AWS_ENDPOINT_URL"] = server.endpoint.url
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"]
        environment["HOME"] = ProcessInfo.processInfo.environment["HOME"]
        return environment
    }
}
