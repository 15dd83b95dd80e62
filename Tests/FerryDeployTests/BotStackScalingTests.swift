import FerryDeploy
import Foundation
import Testing

/// The scaling settings (`template`/`deploy --max-concurrency --batch-size --memory --timeout --max-attempts
/// --architecture --max-connections`): each lands where AWS reads it, each end of each range renders a template
/// cfn-lint accepts, and a value past either end is refused before anything is rendered.
@Suite("Stack scaling settings")
struct BotStackScalingTests {
    typealias ID = BotStack.LogicalID

    /// Which end of each setting's range.
    enum End: String, CaseIterable, Sendable {
        case lower, upper

        func of(_ range: ClosedRange<Int>) -> Int { self == .lower ? range.lowerBound : range.upperBound }
    }

    /// Every scaling setting at the lower or the upper end of what AWS (and Telegram) accept.
    static func stack(at end: End) -> BotStack {
        var stack = BotStack(bot: "scale", stage: end.rawValue)
        stack.maximumConcurrency = end.of(2...1000)
        stack.batchSize = end.of(1...10)
        stack.consumerConcurrency = end.of(1...10)
        stack.memory = end.of(128...10240)
        stack.timeout = .seconds(end.of(1...900))
        stack.attempts = end.of(1...1000)
        stack.webhookMaxConnections = end.of(BotStack.webhookMaxConnectionsRange)
        stack.architecture = end == .lower ? .arm64 : .x86_64
        return stack
    }

    @Test("each setting is rendered where AWS reads it", arguments: End.allCases)
    func rendered(end: End) throws {
        let stack = Self.stack(at: end)
        let json = try TemplateJSON(stack)
        let consumerSource = try json.properties(ID.eventSource(.consumer))
        #expect(jsonEqual(consumerSource["ScalingConfig"], ["MaximumConcurrency": stack.maximumConcurrency]))
        #expect(consumerSource["BatchSize"] as? Int == stack.batchSize)
        for function in BotStack.Function.allCases {
            let properties = try json.properties(ID.function(function))
            #expect(properties["MemorySize"] as? Int == stack.memory)
            #expect(jsonEqual(properties["Architectures"], [stack.architecture.rawValue]))
        }
        let seconds = Int(stack.timeout.components.seconds)
        #expect(try json.properties(ID.function(.consumer))["Timeout"] as? Int == seconds)
        #expect(try json.properties(ID.function(.deadLetter))["Timeout"] as? Int == seconds)
        for queue in [ID.queue, ID.deadLetterQueue] {
            // AWS: at least six times the function's timeout, so a throttled batch is retried before SQS hands
            // it out again; SQS: at most 12 hours.
            let visibility = try #require(try json.properties(queue)["VisibilityTimeout"] as? Int)
            #expect(visibility >= 6 * seconds && visibility <= 43_200)
        }
        let variables = try #require(
            (try json.properties(ID.function(.consumer))["Environment"] as? [String: Any])?["Variables"] as? [String: Any]
        )
        #expect(variables["FERRY_MAX_ATTEMPTS"] as? String == String(stack.attempts))
        #expect(variables["FERRY_CONSUMER_CONCURRENCY"] as? String == String(stack.consumerConcurrency))
        let redrive = try #require(try json.properties(ID.queue)["RedrivePolicy"] as? [String: Any])
        let receives = try #require(redrive["maxReceiveCount"] as? Int)
        #expect(receives >= stack.attempts && receives <= 1000, "SQS accepts 1 to 1000")
        // max_connections goes to Telegram's setWebhook, not into the template.
        #expect(!json.text.contains("MaxConnections") && !json.text.contains("max_connections"))
    }

    @Test("cfn-lint accepts the template with every setting at the lower end, and at the upper end")
    func lintedAtBothEnds() async throws {
        let directory = try TemporaryDirectory()
        let files = try End.allCases.map { end in
            let stack = Self.stack(at: end)
            return try directory.write(try stack.template().renderedJSON(), to: "\(stack.names.stack).json")
        }
        let result = try await ExternalTool.run("cfn-lint", ["--format", "parseable", "--regions", "us-east-1", "eu-west-1", "--"] + files)
        #expect(result.exitCode == 0, "cfn-lint: \(result.standardOutput) \(result.standardError)")
        #expect(result.standardOutput.isEmpty, "\(result.standardOutput)")
    }

    @Test("a value past either end of its range is refused, naming the setting and the range")
    func outOfRange() throws {
        let cases: [(setting: String, range: String, change: (inout BotStack) -> Void)] = [
            ("maximum concurrency", "between 2 and 1000", { $0.maximumConcurrency = 1 }),
            ("maximum concurrency", "between 2 and 1000", { $0.maximumConcurrency = 1001 }),
            ("batch size", "between 1 and 10", { $0.batchSize = 0 }),
            ("batch size", "between 1 and 10", { $0.batchSize = 11 }),
            ("consumer concurrency", "between 1 and 10", { $0.consumerConcurrency = 0 }),
            ("consumer concurrency", "between 1 and 10", { $0.consumerConcurrency = 11 }),
            ("memory", "between 128 and 10240", { $0.memory = 127 }),
            ("memory", "between 128 and 10240", { $0.memory = 10241 }),
            ("timeout", "between 1 and 900", { $0.timeout = .zero }),
            ("timeout", "between 1 and 900", { $0.timeout = .seconds(901) }),
            ("attempts", "between 1 and 1000", { $0.attempts = 0 }),
            ("attempts", "between 1 and 1000", { $0.attempts = 1001 }),
            ("webhook max connections", "between 1 and 100", { $0.webhookMaxConnections = 0 }),
            ("webhook max connections", "between 1 and 100", { $0.webhookMaxConnections = 101 }),
        ]
        for (setting, range, change) in cases {
            var stack = BotStack(bot: "scale", stage: "dev")
            change(&stack)
            let error = try #require(throws: BotStackError.self) { try stack.template() }
            #expect(error.description.contains(setting) && error.description.contains(range), "\(error)")
        }
    }

    @Test("the defaults fit a new account whose concurrency is 10 in all, and are what the docs say")
    func defaults() throws {
        let stack = BotStack(bot: "scale", stage: "dev")
        let json = try TemplateJSON(stack)
        let consumer = try #require(
            (try json.properties(ID.eventSource(.consumer))["ScalingConfig"] as? [String: Any])?["MaximumConcurrency"] as? Int
        )
        let deadLetter = try #require(
            (try json.properties(ID.eventSource(.deadLetter))["ScalingConfig"] as? [String: Any])?["MaximumConcurrency"] as? Int
        )
        // Both queue consumers at their cap still leave the webhook some of the 10 to keep answering Telegram.
        #expect(consumer + deadLetter <= 7)
        let settings: [Int] = [
            stack.maximumConcurrency, stack.batchSize, stack.memory, Int(stack.timeout.components.seconds), stack.attempts,
            stack.webhookMaxConnections, stack.consumerConcurrency,
        ]
        #expect(settings == [5, 10, 256, 30, 3, 100, 10])
    }
}
