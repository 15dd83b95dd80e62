import FerryDeploy
import Foundation
import Testing

@Suite("BotStack template")
struct BotStackTemplateTests {
    typealias ID = BotStack.LogicalID

    @Test("the update queue and the dead-letter queue are FIFO, deduplicated by the producer, with a redrive policy")
    func queues() throws {
        var stack = BotStack(bot: "echo", stage: "dev")
        stack.attempts = 5
        let json = try TemplateJSON(stack)
        let queue = try json.properties(ID.queue)
        let deadLetters = try json.properties(ID.deadLetterQueue)
        for properties in [queue, deadLetters] {
            #expect(properties["FifoQueue"] as? Bool == true)
            #expect(properties["ContentBasedDeduplication"] as? Bool == false)
            #expect(properties["SqsManagedSseEnabled"] as? Bool == true)
        }
        #expect(queue["QueueName"] as? String == "ferry-echo-dev-updates.fifo")
        #expect(deadLetters["QueueName"] as? String == "ferry-echo-dev-dead-letters.fifo")
        #expect(jsonEqual(queue["RedrivePolicy"], ["deadLetterTargetArn": getAtt(ID.deadLetterQueue, "Arn"), "maxReceiveCount": 15]))
        #expect(deadLetters["RedrivePolicy"] == nil, "a dead-letter queue does not redrive further")
        let allow = try #require(deadLetters["RedriveAllowPolicy"] as? [String: Any])
        #expect(allow["redrivePermission"] as? String == "byQueue")
        #expect(strings(in: allow["sourceQueueArns"]).allSatisfy { $0.hasSuffix(":ferry-echo-dev-updates.fifo") })
    }

    @Test("the queues' visibility timeout is at least six times the consumer's timeout", arguments: [1, 30, 60, 900])
    func visibilityTimeout(seconds: Int) throws {
        var stack = BotStack(bot: "echo", stage: "dev")
        stack.timeout = .seconds(seconds)
        let json = try TemplateJSON(stack)
        let consumerTimeout = try #require(try json.properties(ID.function(.consumer))["Timeout"] as? Int)
        #expect(consumerTimeout == seconds)
        for queue in [ID.queue, ID.deadLetterQueue] {
            let visibility = try #require(try json.properties(queue)["VisibilityTimeout"] as? Int)
            #expect(visibility >= 6 * consumerTimeout)
            #expect(visibility <= 43_200, "SQS's maximum")
        }
    }

    @Test("three functions on provided.al2023 share one code package and pick their role by handler")
    func functions() throws {
        var stack = BotStack(bot: "echo", stage: "dev")
        stack.memory = 512
        stack.architecture = .arm64
        let json = try TemplateJSON(stack)
        #expect(json.logicalIDs(ofType: "AWS::Lambda::Function").count == 3)
        let expected: [(BotStack.Function, String)] = [(.webhook, "webhook"), (.consumer, "consumer"), (.deadLetter, "dead-letter")]
        for (function, handler) in expected {
            let properties = try json.properties(ID.function(function))
            #expect(properties["Runtime"] as? String == "provided.al2023")
            #expect(properties["Handler"] as? String == handler)
            #expect(properties["FunctionName"] as? String == "ferry-echo-dev-\(handler)")
            #expect(jsonEqual(properties["Code"], ["S3Bucket": ref("CodeBucket"), "S3Key": ref("CodeKey")]))
            #expect(jsonEqual(properties["Architectures"], ["arm64"]))
            #expect(properties["MemorySize"] as? Int == 512)
            #expect(jsonEqual(properties["Role"], getAtt(ID.role(function), "Arn")))
            #expect(jsonEqual(properties["LoggingConfig"], ["LogGroup": ref(ID.logGroup(function)), "LogFormat": "Text"]))
        }
        let parameters = try #require(json.root["Parameters"] as? [String: Any])
        #expect(Set(parameters.keys) == ["CodeBucket", "CodeKey", "SecretsVersion"])
        #expect((parameters["SecretsVersion"] as? [String: Any])?["Default"] as? String == "0", "a stack deploys without it")
    }

    @Test("each function's environment names what it uses, and only that")
    func environments() throws {
        var stack = BotStack(bot: "echo", stage: "dev")
        stack.attempts = 4
        let json = try TemplateJSON(stack)
        func variables(_ function: BotStack.Function) throws -> [String: Any] {
            let environment = try #require(try json.properties(ID.function(function))["Environment"] as? [String: Any])
            return try #require(environment["Variables"] as? [String: Any])
        }
        let webhook = try variables(.webhook)
        #expect(Set(webhook.keys) == ["QUEUE_URL", "TELEGRAM_WEBHOOK_SECRET_PARAMETER", "TELEGRAM_WEBHOOK_RETIRING_SECRET_PARAMETER", "FERRY_SECRETS_VERSION"])
        #expect(webhook["TELEGRAM_WEBHOOK_RETIRING_SECRET_PARAMETER"] as? String == "/ferry/echo/dev/telegram-webhook-secret-retiring")
        #expect(jsonEqual(webhook["QUEUE_URL"], ref(ID.queue)))
        #expect(webhook["TELEGRAM_WEBHOOK_SECRET_PARAMETER"] as? String == "/ferry/echo/dev/telegram-webhook-secret")

        let consumer = try variables(.consumer)
        #expect(
            Set(consumer.keys)
                == ["QUEUE_URL", "DEAD_LETTER_QUEUE_URL", "TELEGRAM_BOT_TOKEN_PARAMETER", "SESSIONS_TABLE", "FERRY_MAX_ATTEMPTS",
                    "FERRY_CONSUMER_CONCURRENCY", "FERRY_SECRETS_VERSION"]
        )
        #expect(jsonEqual(consumer["DEAD_LETTER_QUEUE_URL"], ref(ID.deadLetterQueue)))
        #expect(consumer["TELEGRAM_BOT_TOKEN_PARAMETER"] as? String == "/ferry/echo/dev/telegram-bot-token")
        #expect(jsonEqual(consumer["SESSIONS_TABLE"], ref(ID.sessionsTable)))
        #expect(consumer["FERRY_MAX_ATTEMPTS"] as? String == "4")

        let deadLetter = try variables(.deadLetter)
        #expect(Set(deadLetter.keys) == ["TELEGRAM_BOT_TOKEN_PARAMETER", "DEAD_LETTER_TABLE", "FERRY_SECRETS_VERSION", "FERRY_DEAD_LETTER_RETENTION_SECONDS"])
        #expect(deadLetter["FERRY_DEAD_LETTER_RETENTION_SECONDS"] as? String == "2592000", "30 days")
        // Every function restarts when a secret's version changes: none keeps an old token warm.
        for variables in [webhook, consumer, deadLetter] {
            #expect(jsonEqual(variables["FERRY_SECRETS_VERSION"], ref("SecretsVersion")))
        }
        #expect(jsonEqual(deadLetter["DEAD_LETTER_TABLE"], ref(ID.deadLetterTable)))

        // No variable holds a secret: the token and webhook secret are only ever named.
        #expect(!json.text.contains("SecureString"))
    }

    @Test("event sources feed the consumer from the queue and the dead-letter function from the DLQ, reporting partial failures")
    func eventSources() throws {
        var stack = BotStack(bot: "echo", stage: "dev")
        stack.batchSize = 7
        stack.maximumConcurrency = 40
        let json = try TemplateJSON(stack)
        #expect(json.logicalIDs(ofType: "AWS::Lambda::EventSourceMapping").count == 2)
        let consumer = try json.properties(ID.eventSource(.consumer))
        #expect(jsonEqual(consumer["EventSourceArn"], getAtt(ID.queue, "Arn")))
        #expect(jsonEqual(consumer["FunctionName"], ref(ID.function(.consumer))))
        #expect(consumer["BatchSize"] as? Int == 7)
        #expect(jsonEqual(consumer["ScalingConfig"], ["MaximumConcurrency": 40]))
        #expect(jsonEqual(consumer["FunctionResponseTypes"], ["ReportBatchItemFailures"]))

        let deadLetter = try json.properties(ID.eventSource(.deadLetter))
        #expect(jsonEqual(deadLetter["EventSourceArn"], getAtt(ID.deadLetterQueue, "Arn")))
        #expect(jsonEqual(deadLetter["FunctionName"], ref(ID.function(.deadLetter))))
        #expect(jsonEqual(deadLetter["FunctionResponseTypes"], ["ReportBatchItemFailures"]))
        #expect(jsonEqual(deadLetter["ScalingConfig"], ["MaximumConcurrency": 2]))
    }

    @Test("the webhook has a public function URL with both permissions a NONE-auth URL needs")
    func webhookURL() throws {
        let json = try TemplateJSON(BotStack(bot: "echo", stage: "dev"))
        let url = try json.properties(ID.webhookURL)
        #expect(try json.resource(ID.webhookURL)["Type"] as? String == "AWS::Lambda::Url")
        #expect(url["AuthType"] as? String == "NONE")
        #expect(jsonEqual(url["TargetFunctionArn"], getAtt(ID.function(.webhook), "Arn")))

        let permissions = json.logicalIDs(ofType: "AWS::Lambda::Permission").map { try? json.properties($0) }
        #expect(permissions.count == 2)
        let urlPermission = try #require(permissions.first { $0?["Action"] as? String == "lambda:InvokeFunctionUrl" } ?? nil)
        #expect(urlPermission["FunctionUrlAuthType"] as? String == "NONE")
        #expect(urlPermission["Principal"] as? String == "*")
        #expect(jsonEqual(urlPermission["FunctionName"], ref(ID.function(.webhook))))
        let invokePermission = try #require(permissions.first { $0?["Action"] as? String == "lambda:InvokeFunction" } ?? nil)
        #expect(invokePermission["InvokedViaFunctionUrl"] as? Bool == true, "public invoke only through the URL")
        #expect(jsonEqual(invokePermission["FunctionName"], ref(ID.function(.webhook))))

        #expect(jsonEqual(json.outputs["WebhookUrl"]?["Value"], getAtt(ID.webhookURL, "FunctionUrl")))
        #expect(jsonEqual(json.outputs["DeadLetterQueueUrl"]?["Value"], ref(ID.deadLetterQueue)))
    }

    @Test("tables: on-demand, expiring items, named after bot and stage, removed with the stack unless retained")
    func tables() throws {
        var stack = BotStack(bot: "echo", stage: "dev")
        var json = try TemplateJSON(stack)
        let expected = [(ID.sessionsTable, "ferry-echo-dev-sessions", "key"), (ID.deadLetterTable, "ferry-echo-dev-dead-letters", "id")]
        for (logicalID, name, key) in expected {
            let properties = try json.properties(logicalID)
            #expect(properties["TableName"] as? String == name)
            #expect(properties["BillingMode"] as? String == "PAY_PER_REQUEST")
            #expect(jsonEqual(properties["TimeToLiveSpecification"], ["AttributeName": "expiresAt", "Enabled": true]))
            #expect(jsonEqual(properties["KeySchema"], [["AttributeName": key, "KeyType": "HASH"]]))
            #expect(try json.resource(logicalID)["DeletionPolicy"] as? String == "Delete")
        }
        stack.retainsTablesOnRemoval = true
        json = try TemplateJSON(stack)
        for (logicalID, _, _) in expected {
            #expect(try json.resource(logicalID)["DeletionPolicy"] as? String == "Retain")
            #expect(try json.resource(logicalID)["UpdateReplacePolicy"] as? String == "Retain")
        }
    }

    @Test("every function has its own log group with the chosen retention")
    func logGroups() throws {
        var stack = BotStack(bot: "echo", stage: "dev")
        stack.logRetention = .oneWeek
        let json = try TemplateJSON(stack)
        for function in BotStack.Function.allCases {
            let properties = try json.properties(ID.logGroup(function))
            #expect(properties["LogGroupName"] as? String == "/aws/lambda/ferry-echo-dev-\(function.handler)")
            #expect(properties["RetentionInDays"] as? Int == 7)
        }
    }

    @Test("alarms on dead letters and on each function's errors; mailed only when an address is given")
    func alarms() throws {
        var stack = BotStack(bot: "echo", stage: "dev")
        var json = try TemplateJSON(stack)
        // Dead letters, three functions' errors, and the three of BotStackMonitoringTests.
        #expect(json.logicalIDs(ofType: "AWS::CloudWatch::Alarm").count == 7)
        #expect(json.logicalIDs(ofType: "AWS::SNS::Topic").isEmpty)
        let deadLetters = try json.properties(ID.deadLetterAlarm)
        #expect(deadLetters["MetricName"] as? String == "Invocations")
        #expect(deadLetters["Namespace"] as? String == "AWS/Lambda")
        #expect(deadLetters["Threshold"] as? Int == 0)
        #expect(deadLetters["ComparisonOperator"] as? String == "GreaterThanThreshold")
        #expect(jsonEqual(deadLetters["Dimensions"], [["Name": "FunctionName", "Value": ref(ID.function(.deadLetter))]]))
        #expect(deadLetters["AlarmActions"] == nil)
        for function in BotStack.Function.allCases {
            let errors = try json.properties(ID.errorsAlarm(function))
            #expect(errors["MetricName"] as? String == "Errors")
            #expect(jsonEqual(errors["Dimensions"], [["Name": "FunctionName", "Value": ref(ID.function(function))]]))
        }

        stack.alarmEmail = "oncall@example.com"
        json = try TemplateJSON(stack)
        let topic = try json.properties(ID.alarmTopic)
        #expect(jsonEqual(topic["Subscription"], [["Protocol": "email", "Endpoint": "oncall@example.com"]]))
        for alarm in json.logicalIDs(ofType: "AWS::CloudWatch::Alarm") {
            #expect(jsonEqual(try json.properties(alarm)["AlarmActions"], [ref(ID.alarmTopic)]), "\(alarm)")
        }
    }

    @Test("the local-emulator template leaves out exactly the function URL, its permissions, alarms, topic and dashboard")
    func localEmulatorVariant() throws {
        var stack = BotStack(bot: "echo", stage: "dev")
        stack.alarmEmail = "oncall@example.com"
        let aws = try TemplateJSON(stack, for: .aws)
        let local = try TemplateJSON(stack, for: .localEmulator)
        let left = Set(aws.resources.keys).subtracting(local.resources.keys)
        #expect(left == [
            ID.webhookURL, ID.webhookURLPermission, ID.webhookInvokePermission, ID.alarmTopic, ID.deadLetterAlarm,
            ID.errorsAlarm(.webhook), ID.errorsAlarm(.consumer), ID.errorsAlarm(.deadLetter),
            ID.oldestUpdateAlarm, ID.consumerThrottlesAlarm, ID.webhookDurationAlarm, ID.dashboard,
        ])
        #expect(Set(local.resources.keys).isSubset(of: aws.resources.keys))
        for (logicalID, resource) in local.resources {
            #expect(jsonEqual(resource, aws.resources[logicalID] as Any), "\(logicalID) differs between the variants")
        }
        #expect(local.outputs["WebhookUrl"] == nil)
        #expect(Set(local.outputs.keys) == Set(aws.outputs.keys).subtracting(["WebhookUrl", "DashboardUrl"]))
        let types = Set(local.resources.values.compactMap { $0["Type"] as? String })
        #expect(!types.contains("AWS::Lambda::Url") && !types.contains("AWS::CloudWatch::Alarm"))
    }

    @Test("the architecture defaults to the build machine's")
    func buildMachineArchitecture() async throws {
        let uname = try await ProcessCommandRunner().run(Command(executable: "uname", arguments: ["-m"]))
        let machine = uname.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let expected: LambdaArchitecture = machine == "aarch64" || machine == "arm64" ? .arm64 : .x86_64
        #expect(BotStack(bot: "echo", stage: "dev").architecture == expected)
        let json = try TemplateJSON(BotStack(bot: "echo", stage: "dev"))
        #expect(jsonEqual(try json.properties(ID.function(.consumer))["Architectures"], [expected.rawValue]))
    }

    @Test("the template fits CloudFormation's inline template limit, so deploying needs no template bucket")
    func templateSize() throws {
        var stack = BotStack(bot: "a-rather-long-bot-name-x", stage: "staging1234abcde")
        stack.alarmEmail = "oncall@example.com"
        stack.parameterEncryption = .customerManagedKey(arn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        let text = try stack.template().renderedJSON()
        #expect(text.utf8.count < 51_200)
    }
}
