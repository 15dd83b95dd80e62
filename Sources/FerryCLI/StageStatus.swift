import AsyncHTTPClient
import AWSClients
import FerryDeploy
import FerryStageContract
import FoundationEssentials
import Logging
import TelegramClient

/// One part of a stage's status: what was read, or why it could not be.
enum Reading<Value: Sendable & Encodable>: Sendable, Encodable {
    case known(Value)
    case unknown(String)

    init(_ read: () async throws -> Value, redactor: TokenRedactor) async {
        do {
            self = .known(try await read())
        } catch {
            self = .unknown(redactor.redact(String(describing: error)))
        }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .known(let value): try value.encode(to: encoder)
        case .unknown(let reason): try ["unknown": reason].encode(to: encoder)
        }
    }
}

/// Everything `status` shows of one deployed stage, read from CloudFormation, Lambda, SQS, CloudWatch, DynamoDB
/// and Telegram. Each part is read on its own, so one that cannot be read leaves the others intact.
struct StageStatus: Sendable, Encodable {
    struct Stack: Sendable, Encodable {
        var name: String
        var status: String
        /// The last update, or the creation when there was none.
        var lastUpdated: String
        var codeKey: String?
    }

    struct Code: Sendable, Encodable {
        /// The SHA-256 of the code package, in hex: the digest in its S3 key, and `sha256sum` of the zip.
        var sha256: String
        /// When the functions' code or configuration last changed.
        var deployedAt: String
    }

    struct Webhook: Sendable, Encodable {
        var url: String
        var pendingUpdates: Int
        var lastError: String?
        var lastErrorAt: String?
        /// Whether Telegram calls this stage's function URL; `nil` when the stack has no URL output to compare.
        var pointsAtStage: Bool?
    }

    struct Queue: Sendable, Encodable {
        var waiting: Int
        var inFlight: Int
        var delayed: Int
    }

    struct OldestUpdate: Sendable, Encodable {
        /// The latest minute's value; `nil` when CloudWatch has none from the last 15 minutes (SQS stops
        /// publishing for a queue that has been idle for a while).
        var seconds: Int?
        var at: String?
    }

    struct DeadLetters: Sendable, Encodable {
        /// Parked in the dead-letter table, where `dlq list --stage` reads them; `nil` when more than the
        /// 10,000 counted.
        var parked: Int?
        /// In the dead-letter queue, not yet parked by the dead-letter function.
        var waiting: Int
    }

    struct AlarmMail: Sendable, Encodable {
        struct Address: Sendable, Encodable {
            var address: String
            /// Whether the address followed the confirmation link; until it does, SNS mails it nothing.
            var confirmed: Bool
        }

        /// Empty when the stage was deployed without `--alarm-email`.
        var addresses: [Address]
    }

    struct Alarm: Sendable, Encodable {
        var name: String
        var reason: String
        var since: String?
    }

    struct Alarms: Sendable, Encodable {
        /// The stage's alarms that exist (none on a local emulator, which cannot create them).
        var total: Int
        var inAlarm: [Alarm]
        var insufficientData: Int
    }

    var bot: String
    var stage: String
    var stack: Reading<Stack>
    var code: Reading<Code>
    var webhook: Reading<Webhook>
    var queue: Reading<Queue>
    var oldestUpdate: Reading<OldestUpdate>
    var deadLetters: Reading<DeadLetters>
    var alarms: Reading<Alarms>
    var alarmMail: Reading<AlarmMail>

    static let deadLetterCountLimit = 10_000
}

/// Reads a ``StageStatus``.
struct StageStatusReader: Sendable {
    var stack: BotStack
    var aws: AWSCommandLine
    var configuration: Result<AWSClientConfiguration, AWSClientError>
    var httpClient: HTTPClient
    var now = Date()

    func read() async -> StageStatus {
        let token: Result<String, StageReadError>
        switch configuration {
        case .success(let configuration): token = await stageBotToken(stack, configuration: configuration, httpClient: httpClient)
        case .failure(let error):
            if let variable = EnvironmentReader.processVariables[EnvironmentVariable.botToken.name], !variable.isEmpty {
                token = .success(variable)
            } else {
                token = .failure(StageReadError("\(EnvironmentVariable.botToken) is not set, and the stage's parameter cannot be read: \(error)"))
            }
        }
        let redactor = TokenRedactor(knownToken: try? token.get())
        async let stackReading = Reading({ try await describeStack() }, redactor: redactor)
        async let code = Reading({ try await readCode() }, redactor: redactor)
        async let queue = Reading({ try await readQueue() }, redactor: redactor)
        async let oldest = Reading({ try await readOldestUpdate() }, redactor: redactor)
        async let deadLetters = Reading({ try await readDeadLetters() }, redactor: redactor)
        async let alarms = Reading({ try await readAlarms() }, redactor: redactor)
        let stackStatus = await stackReading
        let described: DescribedStack?
        if case .known(let known) = stackStatus { described = known } else { described = nil }
        async let webhook = Reading({ try await readWebhook(token: token.get(), stageURL: described?.webhookURL) }, redactor: redactor)
        async let alarmMail = Reading({ try await readAlarmMail(stackID: described?.stackID) }, redactor: redactor)
        return StageStatus(
            bot: stack.bot, stage: stack.stage,
            stack: stackStatus.map(\.stack), code: await code, webhook: await webhook, queue: await queue,
            oldestUpdate: await oldest, deadLetters: await deadLetters, alarms: await alarms, alarmMail: await alarmMail
        )
    }

    // MARK: Parts

    private struct DescribedStack: Sendable, Encodable {
        var stack: StageStatus.Stack
        var webhookURL: String?
        /// `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`: where the stage's topic is.
        var stackID: String
    }

    private func describeStack() async throws -> DescribedStack {
        struct Answer: Decodable {
            struct Stack: Decodable {
                struct Pair: Decodable {
                    var ParameterKey: String?
                    var ParameterValue: String?
                    var OutputKey: String?
                    var OutputValue: String?
                }
                var StackId: String
                var StackName: String
                var StackStatus: String
                var CreationTime: String
                var LastUpdatedTime: String?
                var Parameters: [Pair]?
                var Outputs: [Pair]?
            }
            var Stacks: [Stack]
        }
        let name = stack.names.stack
        var answer: Answer?
        var failure: AWSCommandLineError?
        do {
            answer = try await aws.json(Answer.self, "cloudformation", "describe-stacks", ["--stack-name", name])
        } catch {
            failure = error
        }
        if let failure {
            throw failure.isNotFound ? StageReadError("the stack \(name) does not exist (not deployed in this region?)") : StageReadError(failure.description)
        }
        guard let described = answer?.Stacks.first else { throw StageReadError("the stack \(name) does not exist") }
        let codeKey = described.Parameters?.first { $0.ParameterKey == BotStack.TemplateParameter.codeKey }?.ParameterValue
        let webhookURL = described.Outputs?.first { $0.OutputKey == BotStack.OutputName.webhookURL }?.OutputValue
        return DescribedStack(
            stack: .init(
                name: described.StackName, status: described.StackStatus,
                lastUpdated: described.LastUpdatedTime ?? described.CreationTime, codeKey: codeKey
            ),
            webhookURL: webhookURL,
            stackID: described.StackId
        )
    }

    /// Who the alarms mail: the subscriptions of the stage's topic, found beside its stack (same partition,
    /// region and account). No topic is no address.
    private func readAlarmMail(stackID: String?) async throws -> StageStatus.AlarmMail {
        let parts = stackID?.split(separator: ":", omittingEmptySubsequences: false) ?? []
        guard parts.count >= 6, parts[0] == "arn" else { throw StageReadError("the stack could not be read, so neither could its alarm topic") }
        let topic = "arn:\(parts[1]):sns:\(parts[3]):\(parts[4]):\(stack.names.alarmTopic)"
        struct Answer: Decodable {
            struct Subscription: Decodable {
                var SubscriptionArn: String
                var `Protocol`: String
                var Endpoint: String
            }
            var Subscriptions: [Subscription]?
        }
        var answer: Answer?
        var failure: AWSCommandLineError?
        do {
            answer = try await aws.json(Answer.self, "sns", "list-subscriptions-by-topic", ["--topic-arn", topic])
        } catch {
            failure = error
        }
        if let failure {
            if failure.isNotFound { return StageStatus.AlarmMail(addresses: []) }
            throw StageReadError(failure.description)
        }
        let mails = (answer?.Subscriptions ?? []).filter { $0.Protocol == "email" || $0.Protocol == "email-json" }
        // SNS lists a subscription that was not confirmed yet with this word in place of its ARN.
        return StageStatus.AlarmMail(addresses: mails.map { .init(address: $0.Endpoint, confirmed: $0.SubscriptionArn.hasPrefix("arn:")) })
    }

    private func readCode() async throws -> StageStatus.Code {
        struct Answer: Decodable {
            var CodeSha256: String
            var LastModified: String
        }
        let answer = try await aws.json(
            Answer.self, "lambda", "get-function-configuration", ["--function-name", stack.names.function(.consumer)]
        )
        // Lambda reports the package's SHA-256 in base64; the deploy step names the package by it in hex.
        guard let digest = Data(base64Encoded: answer.CodeSha256) else {
            throw StageReadError("Lambda reported a code hash that is not base64: \(answer.CodeSha256)")
        }
        let hex = digest.map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        return StageStatus.Code(sha256: hex, deployedAt: answer.LastModified)
    }

    private func readWebhook(token: String, stageURL: String?) async throws -> StageStatus.Webhook {
        let environment = BotEnvironment(token: token, apiURL: BotEnvironment.apiURL(), webhookSecret: nil)
        let info = try await withClient(environment, quick: true) { try await $0.getWebhookInfo() }
        return StageStatus.Webhook(
            url: info.url,
            pendingUpdates: info.pendingUpdateCount,
            lastError: info.lastErrorMessage,
            lastErrorAt: info.lastErrorDate.map { isoTime(Int64($0) * 1000) },
            pointsAtStage: stageURL.map { $0 == info.url }
        )
    }

    private func readQueue() async throws -> StageStatus.Queue {
        let attributes = try await queueAttributes(stack.names.queue)
        return StageStatus.Queue(
            waiting: try count(attributes, "ApproximateNumberOfMessages"),
            inFlight: try count(attributes, "ApproximateNumberOfMessagesNotVisible"),
            delayed: try count(attributes, "ApproximateNumberOfMessagesDelayed")
        )
    }

    private func readOldestUpdate() async throws -> StageStatus.OldestUpdate {
        let cloudWatch = CloudWatchClient(configuration: try configuration.get(), httpClient: httpClient)
        let points = try await cloudWatch.statistics(
            namespace: "AWS/SQS", metric: "ApproximateAgeOfOldestMessage",
            dimensions: [CloudWatchDimension(name: "QueueName", value: stack.names.queue)],
            statistic: "Maximum", from: now.addingTimeInterval(-15 * 60), to: now
        )
        guard let latest = points.last else { return StageStatus.OldestUpdate(seconds: nil, at: nil) }
        return StageStatus.OldestUpdate(
            seconds: Int(latest.value.rounded()),
            at: isoTime(Int64(latest.timestamp.timeIntervalSince1970 * 1000))
        )
    }

    private func readDeadLetters() async throws -> StageStatus.DeadLetters {
        let dynamoDB = DynamoDBClient(configuration: try configuration.get(), httpClient: httpClient)
        let parked = try await dynamoDB.count(stack.names.deadLetterTable, limit: StageStatus.deadLetterCountLimit)
        let waiting = try count(try await queueAttributes(stack.names.deadLetterQueue), "ApproximateNumberOfMessages")
        return StageStatus.DeadLetters(parked: parked, waiting: waiting)
    }

    private func readAlarms() async throws -> StageStatus.Alarms {
        let cloudWatch = CloudWatchClient(configuration: try configuration.get(), httpClient: httpClient)
        let alarms = try await cloudWatch.alarms(named: stack.alarmNames)
        return StageStatus.Alarms(
            total: alarms.count,
            inAlarm: alarms.filter { $0.state == "ALARM" }.map { alarm in
                StageStatus.Alarm(
                    name: alarm.name, reason: alarm.reason,
                    since: alarm.updatedAt.map { isoTime(Int64($0.timeIntervalSince1970 * 1000)) }
                )
            },
            insufficientData: alarms.count { $0.state == "INSUFFICIENT_DATA" }
        )
    }

    // MARK: Helpers

    private func queueAttributes(_ queue: String) async throws -> [String: String] {
        let sqs = SQSClient(configuration: try configuration.get(), httpClient: httpClient)
        let url: String
        do {
            url = try await sqs.queueURL(named: queue)
        } catch let error as AWSServiceError {
            throw StageReadError("the queue \(queue) was not found: \(error.code)")
        }
        return try await sqs.queueAttributes(
            of: url,
            names: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]
        )
    }

    private func count(_ attributes: [String: String], _ name: String) throws -> Int {
        guard let value = attributes[name].flatMap(Int.init) else { throw StageReadError("SQS did not report \(name)") }
        return value
    }
}

extension Reading {
    func map<Other>(_ transform: (Value) -> Other) -> Reading<Other> {
        switch self {
        case .known(let value): .known(transform(value))
        case .unknown(let reason): .unknown(reason)
        }
    }
}
