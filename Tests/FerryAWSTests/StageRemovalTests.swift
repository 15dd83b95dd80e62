import FerryDeploy
import FerryTesting
import Foundation
import FerryTestSupport
import Testing
import TelegramBotAPI

/// `EchoBot remove --stage S` against a stage in a real `moto_server` (with the real AWS CLI) and the Bot API
/// simulator: Telegram's webhook is deleted when it points at the stage, and what was kept is listed.
@Suite(
    "Removing a stage",
    .needs(.moto),
    .motoServer
)
struct StageRemovalTests {
    @Test(
        "remove deletes the webhook pointing at the stage (with the stage's stored token) and lists what it kept",
        .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.url.path), "EchoBot is not built next to the tests")
    )
    func removeDeletesTheStagesWebhook() async throws {
        try await withDeployedStage { simulator, stage, url in
            _ = try await simulator.setWebhook(url: url)
            // No TELEGRAM_BOT_TOKEN: the token the stage stores is used.
            let removed = try await remove(stage, simulator: simulator, token: nil)
            #expect(removed.status == 0, "\(removed.standardError)")
            #expect(simulator.webhookInfo.url.isEmpty, "Telegram no longer posts to the deleted URL")
            #expect(removed.standardOutput.contains("Deleted the bot's webhook: it pointed at this stage"))
            #expect(removed.standardOutput.contains("Kept on purpose:"))
            #expect(removed.standardOutput.contains("the artifact bucket ferry-artifacts-"))
            #expect(!removed.standardOutput.contains(simulator.token) && !removed.standardError.contains(simulator.token))
        }
    }

    @Test(
        "remove leaves a webhook pointing elsewhere alone, and says so",
        .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.url.path), "EchoBot is not built next to the tests")
    )
    func removeLeavesAnotherWebhookAlone() async throws {
        try await withDeployedStage { simulator, stage, _ in
            _ = try await simulator.setWebhook(url: "https://bot.example.org/webhook")
            let removed = try await remove(stage, simulator: simulator, token: simulator.token)
            #expect(removed.status == 0, "\(removed.standardError)")
            #expect(simulator.webhookInfo.url == "https://bot.example.org/webhook")
            #expect(removed.standardOutput.contains("Left the bot's webhook as it is"))
        }
    }

    static let credentials: [String: String] = [
        "AWS_ACCESS_KEY_ID": "AKIAFERRYTEST", "AWS_SECRET_ACCESS_KEY": "ferry-test-secret", "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    ]

    /// A stage deployed to moto with the simulator's token, its webhook function given a function URL through the
    /// Lambda API (moto makes none from a template, where the real stack's AWS::Lambda::Url gives it one).
    private func withDeployedStage(_ body: (BotAPISimulator, _ stage: String, _ functionURL: String) async throws -> Void) async throws {
        let server = try #require(MotoServer.current)
        let aws = AWSCommandLine(region: "us-east-1", endpointURL: server.endpoint.url, environment: Self.credentials.mapValues { Optional($0) })
        let stage = "rm" + randomLetters(6)
        let stack = BotStack(bot: "echobot", stage: stage)
        let package = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-remove-\(UUID().uuidString).zip")
        try Data("a code package".utf8).write(to: package)
        defer { try? FileManager.default.removeItem(at: package) }
        let simulator = BotAPISimulator(configuration: .init())
        try await simulator.start()
        do {
            try await Deployer(stack: stack, target: .localEmulator, aws: aws).deploy(codePackage: package.path, botToken: simulator.token)
            let created = try await aws.run("lambda", "create-function-url-config", ["--function-name", stack.names.function(.webhook), "--auth-type", "NONE"])
            let url = try #require((try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any])?["FunctionUrl"] as? String)
            try await body(simulator, stage, url)
        } catch {
            await simulator.shutdown()
            throw error
        }
        await simulator.shutdown()
    }

    private func remove(_ stage: String, simulator: BotAPISimulator, token: String?) async throws -> EchoBotProcess.Exit {
        let server = try #require(MotoServer.current)
        var environment = Self.credentials
        environment["AWS_ENDPOINT_URL"] = server.endpoint.url
        environment["TELEGRAM_API_URL"] = try #require(simulator.baseURL)
        environment["TELEGRAM_BOT_TOKEN"] = token
        // The AWS CLI is found on this process's PATH (a pyenv shim wants HOME too).
        environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        environment["HOME"] = ProcessInfo.processInfo.environment["HOME"] ?? "/tmp"
        return try await EchoBotProcess.run(["remove", "--stage", stage], environment: environment)
    }
}
