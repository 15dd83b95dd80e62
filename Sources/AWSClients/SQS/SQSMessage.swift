/// A message as SQS delivers it, whether received with ``SQSClient/receiveMessages(from:maxMessages:waitTimeSeconds:visibilityTimeoutSeconds:systemAttributeNames:messageAttributeNames:receiveRequestAttemptID:)``
/// or handed to a Lambda function in an ``SQSEvent``.
public struct SQSMessage: Sendable, Equatable {
    public var messageID: String
    /// Identifies this delivery: deleting the message or changing its visibility needs it.
    public var receiptHandle: String
    public var body: String
    public var md5OfBody: String?
    /// The system attributes asked for (`ApproximateReceiveCount`, `MessageGroupId`...). SQS sends every
    /// value as a string, even the counts; `SequenceNumber` does not fit any integer type.
    public var attributes: [String: String]
    public var messageAttributes: [String: SQSMessageAttribute]

    public init(
        messageID: String,
        receiptHandle: String,
        body: String,
        md5OfBody: String? = nil,
        attributes: [String: String] = [:],
        messageAttributes: [String: SQSMessageAttribute] = [:]
    ) {
        self.messageID = messageID
        self.receiptHandle = receiptHandle
        self.body = body
        self.md5OfBody = md5OfBody
        self.attributes = attributes
        self.messageAttributes = messageAttributes
    }

    /// How many times the message has been received, this time included.
    public var approximateReceiveCount: Int? {
        attributes[SQSSystemAttributeName.approximateReceiveCount.rawValue].flatMap { Int($0) }
    }

    /// The FIFO message group.
    public var messageGroupID: String? { attributes[SQSSystemAttributeName.messageGroupID.rawValue] }

    public var messageDeduplicationID: String? { attributes[SQSSystemAttributeName.messageDeduplicationID.rawValue] }

    /// The FIFO sequence number: a decimal string of up to 128 bits.
    public var sequenceNumber: String? { attributes[SQSSystemAttributeName.sequenceNumber.rawValue] }

    /// When SQS accepted the message, in milliseconds since 1970.
    public var sentTimestamp: Int64? { attributes[SQSSystemAttributeName.sentTimestamp.rawValue].flatMap { Int64($0) } }
}

/// A system attribute to ask ``SQSClient`` to return with each message.
public struct SQSSystemAttributeName: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static let all: SQSSystemAttributeName = "All"
    public static let approximateReceiveCount: SQSSystemAttributeName = "ApproximateReceiveCount"
    public static let approximateFirstReceiveTimestamp: SQSSystemAttributeName = "ApproximateFirstReceiveTimestamp"
    public static let messageGroupID: SQSSystemAttributeName = "MessageGroupId"
    public static let messageDeduplicationID: SQSSystemAttributeName = "MessageDeduplicationId"
    public static let sequenceNumber: SQSSystemAttributeName = "SequenceNumber"
    public static let sentTimestamp: SQSSystemAttributeName = "SentTimestamp"
    public static let senderID: SQSSystemAttributeName = "SenderId"
    public static let awsTraceHeader: SQSSystemAttributeName = "AWSTraceHeader"
}

/// A message to send; on a FIFO queue ``groupID`` is required, and ``deduplicationID`` too unless the
/// queue deduplicates by content.
public struct SQSOutgoingMessage: Sendable, Equatable {
    public var body: String
    public var groupID: String?
    public var deduplicationID: String?
    /// Standard queues only: FIFO queues refuse a per-message delay.
    public var delaySeconds: Int?
    public var attributes: [String: SQSMessageAttribute]

    public init(
        body: String,
        groupID: String? = nil,
        deduplicationID: String? = nil,
        delaySeconds: Int? = nil,
        attributes: [String: SQSMessageAttribute] = [:]
    ) {
        self.body = body
        self.groupID = groupID
        self.deduplicationID = deduplicationID
        self.delaySeconds = delaySeconds
        self.attributes = attributes
    }
}

/// What SQS answers for an accepted message.
public struct SQSSendResult: Sendable, Equatable {
    public var messageID: String
    /// FIFO queues only.
    public var sequenceNumber: String?
    public var md5OfBody: String?
}

/// One entry of a batch that SQS refused while accepting others.
public struct SQSBatchFailure: Sendable, Equatable, Error {
    /// The entry's id in the batch request.
    public var id: String
    public var code: String
    public var message: String?
    /// Whether the request was at fault (retrying it unchanged will fail again) rather than SQS.
    public var senderFault: Bool
}

/// The outcome of a batch call: SQS answers per entry, so some may succeed while others fail.
public struct SQSBatchResult<Success: Sendable & Equatable>: Sendable, Equatable {
    /// Successful entries by their id in the request.
    public var successful: [String: Success]
    public var failed: [SQSBatchFailure]
}
