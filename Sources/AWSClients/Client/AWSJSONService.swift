/// A service that speaks the AWS JSON protocol: a POST to `/` naming the operation in `X-Amz-Target`,
/// with the input and output as JSON bodies.
public struct AWSJSONService: Sendable, Equatable {
    /// The name requests are signed for and the first label of the public endpoint (`sqs`).
    public let signingName: String
    /// The prefix of `X-Amz-Target` (`AmazonSQS` in `AmazonSQS.SendMessage`).
    public let targetPrefix: String
    /// `1.0` or `1.1`: the suffix of the content type `application/x-amz-json-<version>`.
    public let jsonVersion: String

    public init(signingName: String, targetPrefix: String, jsonVersion: String) {
        self.signingName = signingName
        self.targetPrefix = targetPrefix
        self.jsonVersion = jsonVersion
    }

    public var contentType: String { "application/x-amz-json-\(jsonVersion)" }

    public static let sqs = AWSJSONService(signingName: "sqs", targetPrefix: "AmazonSQS", jsonVersion: "1.0")
    public static let ssm = AWSJSONService(signingName: "ssm", targetPrefix: "AmazonSSM", jsonVersion: "1.1")
    public static let dynamoDB = AWSJSONService(signingName: "dynamodb", targetPrefix: "DynamoDB_20120810", jsonVersion: "1.0")
}
