import FerryDeploy
import FerryTesting
import Foundation
import Testing
import TelegramBotAPI

/// `EchoBot remove --stage S` against a stage in a real `moto_server` (with the real AWS CLI) and the Bot API
/// simulator: Telegram's webhook is deleted when it points at the stage, and what was kept is listed.
@Suite(
    "Removing a stage",
    .enabled(if: MotoServer.isAvailable, "moto_server is not on PATH: pip install 'moto[server]==5.2.1'"),
    .motoServer
)
struct StageRemovalTests {
    @Test(
        "remove deletes the webhook pointing at the stage (with the stage's stored token) and lists what it kept",
        .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.url.path), "EchoBot is not built next to the tests")
    )
    func removeDeletesTheStagesWebhook() async throws {
        let server = try #require(MotoServer.current)
        try await withSimulator { simulator in
            let apiURL = try #require(simulator.baseURL)

            let credentials: [String: String] = [
                "AWS_ACCESS_KEY_ID": "AKIAFERRYTEST", "AWS_SECRET_ACCESS_KEY": "ferry-test-secret", "AWS_REGION": "us-east-1",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            ]
            let aws = AWSCommandLine(region: "us-east-1", endpointURL: server.endpoint.url, environment: credentials.mapValues { Optional($0) })
            let stage = "rm" + UUID().uuidString.prefix(6).lowercased().filter(\.isLetter)
            let stack = BotStack(bot: "echobot", stage: stage)
            let package = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-remove-\(UUID().uuidString).zip")
            try Data("a code package".utf8).write(to: package)
            defer { try? FileManager.default.removeItem(at: package) }
            try await Deployer(stack: stack, target: .localEmulator, aws: aws).deploy(codePackage: package.path, botToken: simulator.token)

            // moto makes no function URL from a template: the webhook function gets one through the Lambda API, as
            // the real stack's AWS::Lambda::Url gives it.
            let created = try await aws.run("lambda", "create-function-url-config", ["--function-name", stack.names.function(.webhook), "--auth-type", "NONE"])
            let url = try #require((try JSONSerialization.jsonObject(with: Data(created.utf8)) as? [String: Any])?["FunctionUrl"] as? String)
            _ = try await simulator.setWebhook(url: url)

            // No TELEGRAM_BOT_TOKEN: the token the stage stores is used.
            var environment = credentials
            environment["AWS_ENDPOINT_URL"] = server.endpoint.url
            environment["TELEGRAM_API_URL"] = apiURL
            environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            environment["HOME"] = ProcessInfo.processInfo.environment["HOME"] ?? "/tmp"
            let removed = try await EchoBotProcess.run(["remove", "--stage", stage], environment: environment)
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
        let server = try #require(MotoServer.current)
        try await withSimulator { simulator in
            let credentials: [String: String] = [
                "AWS_ACCESS_KEY_ID": "AKIAFERRYTEST", "AWS_SECRET_ACCESS_KEY": "ferry-test-secret", "AWS_REGION": "us-east-1",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            ]
            let aws = AWSCommandLine(region: "us-east-1", endpointURL: server.endpoint.url, environment: credentials.mapValues { Optional($0) })
            let stage = "rk" + UUID().uuidString.prefix(6).lowercased().filter(\.isLetter)
            let stack = BotStack(bot: "echobot", stage: stage)
            let package = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-remove-\(UUID().uuidString).zip")
            try Data("a code package".utf8).write(to: package)
            defer { try? FileManager.default.removeItem(at: package) }
            try await Deployer(stack: stack, target: .localEmulator, aws: aws).deploy(codePackage: package.path, botToken: simulator.token)
            _ = try await aws.run("lambda", "create-function-url-config", ["--function-name", stack.names.function(.webhook), "--auth-type", "NONE"])
            _ = try await simulator.setWebhook(url: "https://bot.example.org/webhook")

            var environment = credentials
            environment["AWS_ENDPOINT_URL"] = server.endpoint.url
            environment["TELEGRAM_API_URL"] = try #require(simulator.baseURL)
            environment["TELEGRAM_BOT_TOKEN"] = simulator.token
            environment["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
            environment["HOME"] = ProcessInfo.processInfo.environment["HOME"] ?? "/tmp"
            let removed = try await EchoBotProcess.run(["remove", "--stage", stage], environment: environment)
            #expect(removed.status == 0, "\(removed.standardError)")
            #expect(simulator.webhookInfo.url == "https://bot.example.org/webhook")
            #expect(removed.standardOutput.contains("Left the bot's webhook as it is"))
        }
    }

    private func withSimulator(_ body: (BotAPISimulator) async throws -> Void) async throws {
        let simulator = BotAPISimulator(configuration: .init())
        try await simulator.start()
        do {
            try await body(simulator)
        } catch {
            await simulator.shutdown()
            throw error
        }
        await simulator.shutdown()
    }
}
