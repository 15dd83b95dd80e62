/// An error as the Runtime API wants it reported: `{"errorMessage": ..., "errorType": ..., "stackTrace": [...]}`.
public struct LambdaErrorReport: Codable, Sendable, Equatable {
    public var errorMessage: String
    public var errorType: String
    public var stackTrace: [String]

    /// Longest message sent: it lands in CloudWatch and in the invoker's answer.
    public static let maxMessageLength = 4096

    public init(errorMessage: String, errorType: String, stackTrace: [String] = []) {
        self.errorMessage = String(errorMessage.prefix(Self.maxMessageLength))
        self.errorType = errorType
        self.stackTrace = stackTrace
    }

    /// The error's type name and description. Swift errors carry no stack trace, so none is sent.
    /// Errors that may hold secrets (the Bot API client's) redact them in their own description.
    public init(_ error: any Error) {
        self.init(errorMessage: String(describing: error), errorType: String(reflecting: type(of: error)))
    }
}
