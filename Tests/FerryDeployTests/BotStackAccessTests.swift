import FerryDeploy
import Foundation
import Testing

@Suite("BotStack IAM and names")
struct BotStackAccessTests {
    typealias ID = BotStack.LogicalID

    static let customerKey = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

    static var variants: [BotStack] {
        var withKey = BotStack(bot: "shop-bot", stage: "prod")
        withKey.parameterEncryption = .customerManagedKey(arn: customerKey)
        withKey.alarmEmail = "oncall@example.com"
        return [BotStack(bot: "echo", stage: "dev"), withKey]
    }

    @Test("no IAM statement has a wildcard action or resource, beyond log streams of the function's own log group", arguments: variants)
    func noWildcards(stack: BotStack) throws {
        let json = try TemplateJSON(stack)
        let roles = json.logicalIDs(ofType: "AWS::IAM::Role")
        #expect(roles.count == 3)
        for function in BotStack.Function.allCases {
            let ownLogStreams = ":log-group:/aws/lambda/\(stack.names.function(function)):log-stream:*"
            for statement in try json.policyStatements(ofRole: ID.role(function)) {
                #expect(statement["Effect"] as? String == "Allow")
                let actions = strings(in: statement["Action"])
                #expect(!actions.isEmpty)
                for action in actions {
                    #expect(!action.contains("*"), "wildcard action \(action) in \(function)")
                }
                let resources = try #require(statement["Resource"] as? [Any], "statement without resources in \(function)")
                #expect(!resources.isEmpty)
                for resource in resources {
                    for text in strings(in: resource) where text.contains("*") {
                        #expect(text.hasSuffix(ownLogStreams) && text.filter { $0 == "*" }.count == 1, "wildcard resource \(text) in \(function)")
                    }
                }
            }
        }
    }

    /// Action to resources, each resource written as the GetAtt/Ref target or the Sub text.
    private func grants(_ json: TemplateJSON, _ function: BotStack.Function) throws -> [String: Set<String>] {
        var grants: [String: Set<String>] = [:]
        for statement in try json.policyStatements(ofRole: ID.role(function)) {
            let resources = (statement["Resource"] as? [Any] ?? []).map { resource -> String in
                if let getAtt = (resource as? [String: Any])?["Fn::GetAtt"] as? [String] { return getAtt.joined(separator: ".") }
                return strings(in: resource).joined()
            }
            for action in strings(in: statement["Action"]) {
                grants[action, default: []].formUnion(resources)
            }
        }
        return grants
    }

    @Test("each role may do exactly what its function does")
    func leastPrivilege() throws {
        let stack = BotStack(bot: "echo", stage: "dev")
        let json = try TemplateJSON(stack)
        let parameterPrefix = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter"
        let token = parameterPrefix + "/ferry/echo/dev/telegram-bot-token"
        let secret = parameterPrefix + "/ferry/echo/dev/telegram-webhook-secret"
        func logs(_ function: BotStack.Function) -> [String: Set<String>] {
            let group = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/ferry-echo-dev-\(function.handler)"
            return ["logs:CreateLogStream": [group, group + ":log-stream:*"], "logs:PutLogEvents": [group, group + ":log-stream:*"]]
        }
        let queue = "\(ID.queue).Arn"
        let deadLetterQueue = "\(ID.deadLetterQueue).Arn"

        let webhook = try grants(json, .webhook)
        #expect(webhook == ["sqs:SendMessage": [queue], "ssm:GetParameter": [secret, secret + "-retiring"]].merging(logs(.webhook)) { $1 })

        let consumer = try grants(json, .consumer)
        let consumerExpected: [String: Set<String>] = [
            "sqs:ReceiveMessage": [queue], "sqs:DeleteMessage": [queue], "sqs:ChangeMessageVisibility": [queue],
            "sqs:GetQueueAttributes": [queue], "sqs:SendMessage": [deadLetterQueue],
            "dynamodb:GetItem": ["\(ID.sessionsTable).Arn"], "dynamodb:PutItem": ["\(ID.sessionsTable).Arn"],
            "dynamodb:UpdateItem": ["\(ID.sessionsTable).Arn"], "dynamodb:DeleteItem": ["\(ID.sessionsTable).Arn"],
            "ssm:GetParameter": [token],
        ]
        #expect(consumer == consumerExpected.merging(logs(.consumer)) { $1 })

        let deadLetter = try grants(json, .deadLetter)
        let deadLetterExpected: [String: Set<String>] = [
            "sqs:ReceiveMessage": [deadLetterQueue], "sqs:DeleteMessage": [deadLetterQueue],
            "sqs:GetQueueAttributes": [deadLetterQueue], "dynamodb:PutItem": ["\(ID.deadLetterTable).Arn"],
            "ssm:GetParameter": [token],
        ]
        #expect(deadLetter == deadLetterExpected.merging(logs(.deadLetter)) { $1 })
    }

    @Test("roles trust only Lambda")
    func trust() throws {
        let json = try TemplateJSON(BotStack(bot: "echo", stage: "dev"))
        for role in json.logicalIDs(ofType: "AWS::IAM::Role") {
            let trust = try #require(try json.properties(role)["AssumeRolePolicyDocument"] as? [String: Any])
            #expect(
                jsonEqual(trust["Statement"], [["Effect": "Allow", "Principal": ["Service": "lambda.amazonaws.com"], "Action": ["sts:AssumeRole"]]])
            )
        }
    }

    @Test("a customer managed key adds kms:Decrypt on that key, only through SSM; the AWS managed key needs none")
    func parameterKey() throws {
        let plain = try TemplateJSON(BotStack(bot: "echo", stage: "dev"))
        for function in BotStack.Function.allCases {
            #expect(try grants(plain, function)["kms:Decrypt"] == nil)
        }
        var stack = BotStack(bot: "echo", stage: "dev")
        stack.parameterEncryption = .customerManagedKey(arn: Self.customerKey)
        let json = try TemplateJSON(stack)
        for function in BotStack.Function.allCases {
            let statements = try json.policyStatements(ofRole: ID.role(function))
            let decrypt = try #require(statements.first { strings(in: $0["Action"]) == ["kms:Decrypt"] })
            #expect(jsonEqual(decrypt["Resource"], [Self.customerKey]))
            #expect(jsonEqual(decrypt["Condition"], ["StringEquals": ["kms:ViaService": ["Fn::Sub": "ssm.${AWS::Region}.amazonaws.com"]]]))
        }
    }

    /// Every physical name in a template: the name properties of its resources, plus the parameter names.
    private func physicalNames(_ stack: BotStack) throws -> [String] {
        let json = try TemplateJSON(stack)
        let nameKeys = ["FunctionName", "QueueName", "TableName", "LogGroupName", "AlarmName", "TopicName", "DashboardName"]
        var names: [String] = []
        for (logicalID, resource) in json.resources where resource["Type"] as? String != "AWS::Lambda::EventSourceMapping"
            && resource["Type"] as? String != "AWS::Lambda::Permission"
        {
            let properties = try json.properties(logicalID)
            names += nameKeys.compactMap { properties[$0] as? String }
        }
        return names + [stack.names.botTokenParameter, stack.names.webhookSecretParameter, stack.names.stack]
    }

    @Test("every resource name is derived from the bot and the stage")
    func namesIncludeBotAndStage() throws {
        var stack = BotStack(bot: "echo", stage: "dev")
        stack.alarmEmail = "oncall@example.com"
        let names = try physicalNames(stack)
        #expect(names.count == 3 + 2 + 2 + 3 + 7 + 1 + 1 + 3)
        for name in names {
            #expect(name.contains("ferry-echo-dev") || name.contains("/ferry/echo/dev/"), "\(name)")
        }
    }

    @Test("two stages, or two bots, share no resource name")
    func distinctNames() throws {
        var dev = BotStack(bot: "echo", stage: "dev")
        dev.alarmEmail = "oncall@example.com"
        var prod = dev
        prod.stage = "prod"
        var other = dev
        other.bot = "shop"
        let devNames = Set(try physicalNames(dev))
        #expect(devNames.isDisjoint(with: try physicalNames(prod)))
        #expect(devNames.isDisjoint(with: try physicalNames(other)))
        // Hyphens are allowed in bot names only, so the prefix always splits one way.
        #expect(throws: BotStackError.self) { try BotStack(bot: "echo", stage: "dev-eu").validate() }
    }

    @Test("settings AWS would refuse are refused before anything is rendered")
    func validation() throws {
        let invalid: [(String, (inout BotStack) -> Void)] = [
            ("empty bot", { $0.bot = "" }),
            ("bot with capitals", { $0.bot = "Echo" }),
            ("bot starting with a digit", { $0.bot = "1echo" }),
            ("bot with underscore", { $0.bot = "echo_bot" }),
            ("bot ending in a hyphen", { $0.bot = "echo-" }),
            ("bot too long", { $0.bot = String(repeating: "a", count: 25) }),
            ("stage with a hyphen", { $0.stage = "pr-1" }),
            ("stage too long", { $0.stage = String(repeating: "s", count: 17) }),
            ("memory too small", { $0.memory = 64 }),
            ("memory too large", { $0.memory = 10_241 }),
            ("timeout zero", { $0.timeout = .zero }),
            ("timeout over 15 minutes", { $0.timeout = .seconds(901) }),
            ("fractional timeout", { $0.timeout = .milliseconds(1500) }),
            ("webhook timeout zero", { $0.webhookTimeout = .zero }),
            ("batch size over FIFO's 10", { $0.batchSize = 11 }),
            ("batch size zero", { $0.batchSize = 0 }),
            ("concurrency below 2", { $0.maximumConcurrency = 1 }),
            ("concurrency over 1000", { $0.maximumConcurrency = 1001 }),
            ("zero attempts", { $0.attempts = 0 }),
            ("not an email", { $0.alarmEmail = "oncall" }),
            ("email with space", { $0.alarmEmail = "on call@example.com" }),
            ("not a key ARN", { $0.parameterEncryption = .customerManagedKey(arn: "alias/aws/ssm") }),
        ]
        for (name, change) in invalid {
            var stack = BotStack(bot: "echo", stage: "dev")
            change(&stack)
            #expect(throws: BotStackError.self, "\(name)") { try stack.template() }
        }
        var longest = BotStack(bot: String(repeating: "b", count: 24), stage: String(repeating: "s", count: 16))
        longest.timeout = .seconds(900)
        longest.batchSize = 1
        longest.maximumConcurrency = 1000
        #expect(throws: Never.self) { try longest.template() }
        // AWS's name limits hold for the longest names allowed.
        #expect(longest.names.function(.deadLetter).count <= 64)
        #expect(longest.names.deadLetterQueue.count <= 80)
        #expect(LogRetention(days: 30) == .oneMonth)
        #expect(LogRetention(days: 31) == nil)
    }
}
