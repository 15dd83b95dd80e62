/// A batch of SQS messages delivered to a Lambda function by an SQS event source mapping.
public struct SQSEvent: Decodable, Sendable, Equatable {
    public var records: [Record]

    /// One message of the batch, with the queue it came from.
    public struct Record: Sendable, Equatable {
        public var message: SQSMessage
        /// The queue's ARN: tells a dead-letter queue's records from the main queue's.
        public var eventSourceARN: String
        public var awsRegion: String
    }

    enum CodingKeys: String, CodingKey {
        case records = "Records"
    }
}

extension SQSEvent.Record: Decodable {
    /// The event spells SQS's fields in camelCase, unlike the SQS API.
    enum CodingKeys: String, CodingKey {
        case messageId, receiptHandle, body, md5OfBody, attributes, messageAttributes, eventSourceARN, awsRegion
    }

    enum AttributeKeys: String, CodingKey {
        case dataType, stringValue, binaryValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        var messageAttributes: [String: SQSMessageAttribute] = [:]
        if container.contains(.messageAttributes) {
            let attributes = try container.nestedContainer(keyedBy: AnyKey.self, forKey: .messageAttributes)
            for key in attributes.allKeys {
                let attribute = try attributes.nestedContainer(keyedBy: AttributeKeys.self, forKey: key)
                messageAttributes[key.stringValue] = SQSMessageAttribute(
                    dataType: try attribute.decode(String.self, forKey: .dataType),
                    stringValue: try attribute.decodeIfPresent(String.self, forKey: .stringValue),
                    binaryValue: try SQSMessageAttribute.decodeBase64(attribute, forKey: .binaryValue)
                )
            }
        }
        message = SQSMessage(
            messageID: try container.decode(String.self, forKey: .messageId),
            receiptHandle: try container.decode(String.self, forKey: .receiptHandle),
            body: try container.decode(String.self, forKey: .body),
            md5OfBody: try container.decodeIfPresent(String.self, forKey: .md5OfBody),
            attributes: try container.decodeIfPresent([String: String].self, forKey: .attributes) ?? [:],
            messageAttributes: messageAttributes
        )
        eventSourceARN = try container.decode(String.self, forKey: .eventSourceARN)
        awsRegion = try container.decode(String.self, forKey: .awsRegion)
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

/// The answer of a function whose SQS event source reports batch item failures: the records to leave
/// on the queue for another try. Every other record of the batch is deleted.
public struct SQSBatchResponse: Codable, Sendable, Equatable {
    public struct ItemFailure: Codable, Sendable, Equatable {
        /// The record's ``SQSMessage/messageID``.
        public var itemIdentifier: String

        public init(itemIdentifier: String) { self.itemIdentifier = itemIdentifier }
    }

    public var batchItemFailures: [ItemFailure]

    public init(batchItemFailures: [ItemFailure] = []) {
        self.batchItemFailures = batchItemFailures
    }

    /// Failures for the given message ids, in order.
    public init(failedMessageIDs: [String]) {
        self.init(batchItemFailures: failedMessageIDs.map(ItemFailure.init(itemIdentifier:)))
    }
}
