#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What the Lambda Runtime API says about one invocation, beside its event.
public struct LambdaInvocation: Sendable, Equatable {
    /// `Lambda-Runtime-Aws-Request-Id`: names the invocation in logs and in the response path.
    public var requestID: String
    /// `Lambda-Runtime-Deadline-Ms`: when Lambda stops the function, in milliseconds since 1970.
    public var deadlineMillisecondsSinceEpoch: Int64
    /// `Lambda-Runtime-Invoked-Function-Arn`: the function, version or alias invoked.
    public var invokedFunctionARN: String
    /// `Lambda-Runtime-Trace-Id`: the X-Ray trace header, also exported as `_X_AMZN_TRACE_ID`.
    public var traceID: String?
    public var clientContext: String?
    public var cognitoIdentity: String?

    public init(
        requestID: String,
        deadlineMillisecondsSinceEpoch: Int64,
        invokedFunctionARN: String,
        traceID: String? = nil,
        clientContext: String? = nil,
        cognitoIdentity: String? = nil
    ) {
        self.requestID = requestID
        self.deadlineMillisecondsSinceEpoch = deadlineMillisecondsSinceEpoch
        self.invokedFunctionARN = invokedFunctionARN
        self.traceID = traceID
        self.clientContext = clientContext
        self.cognitoIdentity = cognitoIdentity
    }

    /// The time left before Lambda stops the function; zero once the deadline has passed.
    ///
    /// Read it when deciding whether another unit of work still fits (an SQS consumer stops taking new
    /// records and reports the rest as failures, rather than being cut off halfway through one).
    public var remainingTime: Duration { remainingTime(at: Date()) }

    public func remainingTime(at now: Date) -> Duration {
        let nowMilliseconds = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        return .milliseconds(max(0, deadlineMillisecondsSinceEpoch - nowMilliseconds))
    }
}
