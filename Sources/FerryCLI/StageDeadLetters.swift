import AsyncHTTPClient
import AWSClients
import FerryAWS
import FerryDeploy
import FerryQueue

/// The dead letters of a deployed stage, found the way `deploy` names them: the stage's DynamoDB table
/// of parked dead letters, and its FIFO queue for redrives (looked up by name, so no stack outputs and
/// no AWS CLI are needed). Credentials, region and `AWS_ENDPOINT_URL` come from the environment.
struct StageDeadLetters {
    var stage: String
    var bot: String?
    var region: String?

    var stack: BotStack {
        BotStack(bot: bot ?? FerryApp.running.name.lowercased(), stage: stage)
    }

    func withStore<T>(_ body: (any DeadLetterStore) async throws -> T) async throws -> T {
        let stack = self.stack
        try stack.validate()
        return try await withStageAWS(region: region) { configuration, httpClient in
            let configuration = try configuration.get()
            let sqs = SQSClient(configuration: configuration, httpClient: httpClient)
            let queueURL: String
            do {
                queueURL = try await sqs.queueURL(named: stack.names.queue)
            } catch let error as AWSServiceError {
                throw CommandError("the queue \(stack.names.queue) of stage \(stage) was not found (is it deployed in this region?): \(error)")
            }
            let store = DynamoDBDeadLetterStore(
                dynamoDB: DynamoDBClient(configuration: configuration, httpClient: httpClient),
                table: stack.names.deadLetterTable, sqs: sqs, queueURL: queueURL
            )
            return try await body(store)
        }
    }
}
