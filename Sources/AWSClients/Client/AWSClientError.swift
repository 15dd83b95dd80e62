/// A refusal from an AWS service: the HTTP status, the error code (`QueueDoesNotExist`,
/// `ParameterNotFound`, `ThrottlingException`...) and the service's message.
public struct AWSServiceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The operation that failed, as sent in `X-Amz-Target` (`AmazonSQS.SendMessage`).
    public let operation: String
    public let statusCode: Int
    /// The error code without its namespace: `com.amazonaws.sqs#QueueDoesNotExist` becomes `QueueDoesNotExist`.
    public let code: String
    public let message: String
    /// SQS also sends the code its older query protocol used (`AWS.SimpleQueueService.NonExistentQueue`).
    public let queryErrorCode: String?
    public let requestID: String?
    /// How many times the call was made before this answer ended it.
    public var attempts: Int = 1

    public init(
        operation: String,
        statusCode: Int,
        code: String,
        message: String,
        queryErrorCode: String? = nil,
        requestID: String? = nil
    ) {
        self.operation = operation
        self.statusCode = statusCode
        self.code = code
        self.message = message
        self.queryErrorCode = queryErrorCode
        self.requestID = requestID
    }

    /// Whether trying again later may succeed: throttling and the service's own failures.
    public var isRetryable: Bool {
        isThrottling || [500, 502, 503, 504].contains(statusCode)
    }

    /// Whether the service asked the caller to slow down.
    public var isThrottling: Bool {
        statusCode == 429 || Self.throttlingCodes.contains(code)
    }

    private static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
        "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded",
        "RequestThrottled", "SlowDown", "RequestTimeout", "RequestTimeoutException",
    ]

    public var description: String {
        "\(operation) failed" + (attempts > 1 ? " \(attempts) times" : "") + ": \(statusCode) \(code): \(message)"
            + (requestID.map { " (request id \($0))" } ?? "")
    }
}

/// A failure on the client's side of an AWS call: no usable answer arrived, or the configuration is incomplete.
public enum AWSClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Neither `AWS_ACCESS_KEY_ID` nor `AWS_SECRET_ACCESS_KEY` is set (or one is empty).
    case missingCredentials
    /// Neither `AWS_REGION` nor `AWS_DEFAULT_REGION` is set (nor, where profiles are read, the profile's `region`).
    case missingRegion
    /// No source had credentials, or the one that did failed; the text says which and what to do.
    case credentialsUnavailable(String)
    case invalidEndpoint(String)
    /// The request could not be encoded as JSON.
    case encoding(operation: String, description: String)
    /// The connection failed or timed out before a full answer arrived.
    case transport(operation: String, description: String)
    /// The answer was larger than the configured limit; it was not read to the end.
    case responseTooLarge(operation: String, limit: Int)
    /// A successful answer whose body does not have the documented shape.
    case invalidResponse(operation: String, description: String)

    public var description: String {
        switch self {
        case .missingCredentials: "AWS credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        case .missingRegion: "AWS region missing: set AWS_REGION, pass --region, or set region in your AWS profile"
        case .credentialsUnavailable(let reason): reason
        case .invalidEndpoint(let url): "invalid AWS endpoint URL: \(url)"
        case .encoding(let operation, let description): "\(operation): could not encode the request: \(description)"
        case .transport(let operation, let description): "\(operation): no answer: \(description)"
        case .responseTooLarge(let operation, let limit): "\(operation): answer larger than \(limit) bytes"
        case .invalidResponse(let operation, let description): "\(operation): unexpected answer: \(description)"
        }
    }
}
