import FerryDeploy
import FerryStageContract
import Foundation
import Testing

@testable import AWSClients
@testable import FerryAWS

/// `dlq --stage` with credentials only in a profile of the shared files, as AWS CLI users have them: before, the
/// command asked for AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
@Suite(
    "Stage commands with the AWS CLI's credentials",
    .needs(.moto),
    .motoServer
)
struct StageCredentialsTests {
    @Test(
        "dlq list --stage reads a named profile's keys and region from the shared files",
        .enabled(if: FileManager.default.isExecutableFile(atPath: EchoBotBinary.url.path), "EchoBot is not built next to the tests")
    )
    func profileCredentials() async throws {
        let server = try #require(MotoServer.current)
        let names = BotStack(bot: "echobot", stage: "cr" + randomLetters(6)).names
        let sqs = SQSClient(configuration: server.configuration, httpClient: .shared)
        let dynamoDB = DynamoDBClient(configuration: server.configuration, httpClient: .shared)
        let attributes = ["FifoQueue": "true", "VisibilityTimeout": "30"]
        _ = try await sqs.createQueue(named: names.deadLetterQueue, attributes: attributes)
        _ = try await sqs.createQueue(named: names.queue, attributes: attributes)
        try await dynamoDB.createTable(named: names.deadLetterTable, partitionKey: DeadLetterTable.id)

        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try Data("[bots]\naws_access_key_id = AKIAPROFILE\naws_secret_access_key = profile-secret\n".utf8)
            .write(to: home.appendingPathComponent(".aws/credentials"))
        try Data("[profile bots]\nregion = us-east-1\n".utf8).write(to: home.appendingPathComponent(".aws/config"))

        let stage = String(names.stack.dropFirst("ferry-echobot-".count))
        let environment = [
            "HOME": home.path, "AWS_PROFILE": "bots", "AWS_ENDPOINT_URL": server.endpoint.url, "AWS_EC2_METADATA_DISABLED": "true",
        ]
        let listed = try await EchoBotProcess.run(["dlq", "list", "--stage", stage], environment: environment)
        #expect(listed.status == 0, "\(listed.standardError)")
        #expect(listed.standardOutput.contains("No dead letters."))

        let missing = try await EchoBotProcess.run(["dlq", "list", "--stage", stage], environment: environment.merging(["AWS_PROFILE": "nosuch"]) { $1 })
        #expect(missing.status != 0)
        #expect(missing.standardError.contains("the AWS profile \"nosuch\""), "\(missing.standardError)")
    }
}
