/// The JSON shapes of the SQS operations this module calls, with the API's PascalCase keys.
/// Internal: ``SQSClient`` maps them to the public types.
enum SQSWire {
    struct SendMessage: Encodable {
        var QueueUrl: String
        var MessageBody: String
        var DelaySeconds: Int?
        var MessageAttributes: [String: SQSMessageAttribute]?
        var MessageDeduplicationId: String?
        var MessageGroupId: String?

        init(queueURL: String, message: SQSOutgoingMessage) {
            QueueUrl = queueURL
            MessageBody = message.body
            DelaySeconds = message.delaySeconds
            MessageAttributes = message.attributes.isEmpty ? nil : message.attributes
            MessageDeduplicationId = message.deduplicationID
            MessageGroupId = message.groupID
        }
    }

    struct SendMessageOutput: Decodable {
        var MessageId: String
        var SequenceNumber: String?
        var MD5OfMessageBody: String?
    }

    struct SendMessageBatch: Encodable {
        struct Entry: Encodable {
            var Id: String
            var MessageBody: String
            var DelaySeconds: Int?
            var MessageAttributes: [String: SQSMessageAttribute]?
            var MessageDeduplicationId: String?
            var MessageGroupId: String?
        }

        var QueueUrl: String
        var Entries: [Entry]
    }

    struct SendMessageBatchOutput: Decodable {
        struct Success: Decodable {
            var Id: String
            var MessageId: String
            var SequenceNumber: String?
            var MD5OfMessageBody: String?
        }

        var Successful: [Success]?
        var Failed: [Failure]?
    }

    struct Failure: Decodable {
        var Id: String
        var Code: String
        var Message: String?
        var SenderFault: Bool?

        var failure: SQSBatchFailure {
            SQSBatchFailure(id: Id, code: Code, message: Message, senderFault: SenderFault ?? false)
        }
    }

    struct ReceiveMessage: Encodable {
        var QueueUrl: String
        var MaxNumberOfMessages: Int
        var WaitTimeSeconds: Int?
        var VisibilityTimeout: Int?
        var MessageSystemAttributeNames: [String]
        var MessageAttributeNames: [String]
        var ReceiveRequestAttemptId: String?
    }

    struct ReceiveMessageOutput: Decodable {
        struct Message: Decodable {
            var MessageId: String
            var ReceiptHandle: String
            var Body: String
            var MD5OfBody: String?
            var Attributes: [String: String]?
            var MessageAttributes: [String: SQSMessageAttribute]?
        }

        var Messages: [Message]?
    }

    struct DeleteMessage: Encodable {
        var QueueUrl: String
        var ReceiptHandle: String
    }

    struct DeleteMessageBatch: Encodable {
        struct Entry: Encodable {
            var Id: String
            var ReceiptHandle: String
        }

        var QueueUrl: String
        var Entries: [Entry]
    }

    struct DeleteMessageBatchOutput: Decodable {
        var Failed: [Failure]?
    }

    struct ChangeMessageVisibility: Encodable {
        var QueueUrl: String
        var ReceiptHandle: String
        var VisibilityTimeout: Int
    }

    struct GetQueueAttributes: Encodable {
        var QueueUrl: String
        var AttributeNames: [String]
    }

    struct GetQueueAttributesOutput: Decodable {
        var Attributes: [String: String]?
    }

    struct CreateQueue: Encodable {
        var QueueName: String
        var Attributes: [String: String]?
    }

    struct CreateQueueOutput: Decodable {
        var QueueUrl: String
    }

    struct GetQueueUrl: Encodable {
        var QueueName: String
    }

    struct QueueURL: Encodable {
        var QueueUrl: String
    }
}
