import FerryDeploy
import FerryTestSupport
import Foundation
import Testing

/// The rendered templates pass the real linters: cfn-lint with no error and no warning, checkov with every
/// finding either fixed or justified in the template itself.
@Suite("Template lint")
struct TemplateLintTests {
    /// The templates the linters check: the defaults, every option switched on, and the local-emulator variant.
    static func templates() throws -> [(file: String, text: String)] {
        var everything = BotStack(bot: "shop-bot", stage: "prod")
        everything.alarmEmail = "oncall@example.com"
        everything.parameterEncryption = .customerManagedKey(
            arn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        )
        everything.retainsTablesOnRemoval = true
        everything.architecture = .arm64
        everything.timeout = .seconds(900)
        everything.logRetention = .oneYear
        let defaults = BotStack(bot: "echo", stage: "dev")
        var development = BotStack(bot: "echo", stage: "pr7")
        CostProfile.dev.apply(to: &development)
        development.alarmThresholds.oldestUpdateAge = .seconds(3600)
        development.alarmThresholds.webhookDurationPercent = 50
        return [
            ("echo-pr7-cost-profile-dev.json", try development.template().renderedJSON()),
            ("echo-dev.json", try defaults.template().renderedJSON()),
            ("shop-bot-prod.json", try everything.template().renderedJSON()),
            ("echo-dev-local-emulator.json", try defaults.template(for: .localEmulator).renderedJSON()),
        ]
    }

    @Test("cfn-lint reports no error and no warning, in several regions", .needs(.cfnLint))
    func cfnLint() async throws {
        let directory = try TemporaryDirectory()
        let files = try Self.templates().map { try directory.write($0.text, to: $0.file) }
        let result = try await ExternalTool.run(
            try OutsideTool.cfnLint.require(),
            ["--format", "parseable", "--regions", "us-east-1", "eu-west-1", "ap-southeast-2", "--"] + files
        )
        #expect(result.exitCode == 0, "cfn-lint: \(result.standardOutput) \(result.standardError)")
        #expect(result.standardOutput.isEmpty, "\(result.standardOutput)")
    }

    /// The checkov checks the stacks do not satisfy, each justified in the resource's metadata; the same list,
    /// with the reasons, is in docs/deploy.md. Adding one means changing this list too, on purpose.
    static let justifiedCheckovFindings: Set<String> = [
        "CKV_AWS_115",  // Lambda: reserved concurrency
        "CKV_AWS_116",  // Lambda: dead-letter queue for asynchronous invocations
        "CKV_AWS_117",  // Lambda: inside a VPC
        "CKV_AWS_173",  // Lambda: environment encrypted with a customer key
        "CKV_AWS_158",  // Log group: customer key
        "CKV_AWS_26",  // SNS topic: encryption
        "CKV_AWS_27",  // SQS: KmsMasterKeyId (the queues use SQS managed encryption, which the check does not know)
        "CKV_AWS_119",  // DynamoDB: customer key
        "CKV_AWS_28",  // DynamoDB: point-in-time recovery (off in the dev cost profile)
        "CKV_AWS_258",  // Function URL: AuthType NONE
    ]

    @Test("checkov finds nothing that is neither fixed nor justified", .needs(.checkov))
    func checkov() async throws {
        let directory = try TemporaryDirectory()
        for template in try Self.templates() {
            _ = try directory.write(template.text, to: template.file)
        }
        // checkov pins an old botocore that breaks the AWS CLI, so it usually lives in a virtual environment of
        // its own; CHECKOV names its executable there.
        let checkov = try OutsideTool.checkov.require()
        let result = try await ExternalTool.run(
            checkov,
            ["--directory", directory.url.path, "--framework", "cloudformation", "--output", "json", "--skip-download"],
            // Offline: no API key, no policy mapping download.
            environment: ["BC_SKIP_MAPPING": "TRUE", "CHECKOV_ALLOW_UPDATE_CHECK": "false"],
            timeout: .seconds(600)
        )
        let report = try #require(
            JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any],
            "checkov printed no JSON report: \(result.standardError)"
        )
        let results = try #require(report["results"] as? [String: Any])
        let summary = try #require(report["summary"] as? [String: Any])
        #expect(summary["parsing_errors"] as? Int == 0)
        #expect((summary["passed"] as? Int ?? 0) > 50, "checkov ran its CloudFormation checks")

        let failed = results["failed_checks"] as? [[String: Any]] ?? []
        let failures = failed.map { "\($0["check_id"] ?? "?") \($0["resource"] ?? "?"): \($0["check_name"] ?? "")" }
        #expect(failures.isEmpty, "unfixed and unjustified: \(failures.joined(separator: "; "))")

        let skipped = results["skipped_checks"] as? [[String: Any]] ?? []
        for check in skipped {
            let comment = (check["check_result"] as? [String: Any])?["suppress_comment"] as? String ?? ""
            #expect(comment.count > 40, "\(check["check_id"] ?? "?") on \(check["resource"] ?? "?") is skipped without a reason")
        }
        #expect(Set(skipped.compactMap { $0["check_id"] as? String }) == Self.justifiedCheckovFindings)
    }
}
