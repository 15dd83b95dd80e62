public import AsyncHTTPClient
public import Logging

/// Amazon SQS over its JSON protocol: the operations a FIFO update pipeline needs.
///
/// ```swift
/// let sqs = SQSClient(configuration: try .fromEnvironment())
/// try await sqs.sendMessage(.init(body: json, groupID: "chat:42", deduplicationID: "update:1001"), to: queueURL)
/// ```
///
/// Every operation throws ``AWSServiceError`` when SQS refuses it (`QueueDoesNotExist`...) and
/// ``AWSClientError`` when no usable answer arrives.
public struct SQSClient: AWSServiceClient {
    /// SQS's limit on messages per receive and entries per batch.
    public static let maxBatchSize = 10

    public let client: AWSJSONClient

    public static let service = AWSJSONService.sqs

    public init(wrapping client: AWSJSONClient) {
        self.client = client
    }

    public static let silentLogger = Logger(label: "ferry.sqs", factory: { _ in SwiftLogNoOpLogHandler() })

    // MARK: Sending

    @discardableResult
    public func sendMessage(_ message: SQSOutgoingMessage, to queueURL: String) async throws -> SQSSendResult {
        let output = try await client.send(
            "SendMessage",
            SQSWire.SendMessage(queueURL: queueURL, message: message),
            as: SQSWire.SendMessageOutput.self
        )
        return SQSSendResult(messageID: output.MessageId, sequenceNumber: output.SequenceNumber, md5OfBody: output.MD5OfMessageBody)
    }

    /// Sends up to ``maxBatchSize`` messages, keyed by an id unique within the batch.
    ///
    /// SQS accepts or refuses each entry on its own: check ``SQSBatchResult/failed``.
    public func sendMessageBatch(_ entries: [(id: String, message: SQSOutgoingMessage)], to queueURL: String) async throws
        -> SQSBatchResult<SQSSendResult>
    {
        let request = SQSWire.SendMessageBatch(
            QueueUrl: queueURL,
            Entries: entries.map { entry in
                SQSWire.SendMessageBatch.Entry(
                    Id: entry.id,
                    MessageBody: entry.message.body,
                    DelaySeconds: entry.message.delaySeconds,
                    MessageAttributes: entry.message.attributes.isEmpty ? nil : entry.message.attributes,
                    MessageDeduplicationId: entry.message.deduplicationID,
                    MessageGroupId: entry.message.groupID
                )
            }
        )
        let output = try await client.send("SendMessageBatch", request, as: SQSWire.SendMessageBatchOutput.self)
        var successful: [String: SQSSendResult] = [:]
        for success in output.Successful ?? [] {
            successful[success.Id] = SQSSendResult(
                messageID: success.MessageId,
                sequenceNumber: success.SequenceNumber,
                md5OfBody: success.MD5OfMessageBody
            )
        }
        return SQSBatchResult(successful: successful, failed: (output.Failed ?? []).map(\.failure))
    }

    // MARK: Receiving

    /// The system attributes a receive asks for unless told otherwise: what the dispatcher needs to
    /// order, count attempts and deduplicate.
    public static let defaultSystemAttributeNames: [SQSSystemAttributeName] = [
        .approximateReceiveCount, .messageGroupID, .messageDeduplicationID, .sequenceNumber, .sentTimestamp,
    ]

    /// Receives up to `maxMessages` (1...10) messages, hiding them from other receivers for the visibility timeout.
    ///
    /// - Parameters:
    ///   - waitTimeSeconds: long polling, 0...20: how long SQS may hold the call open waiting for a message.
    ///     `nil` uses the queue's `ReceiveMessageWaitTimeSeconds`.
    ///   - visibilityTimeoutSeconds: `nil` uses the queue's `VisibilityTimeout`.
    ///   - receiveRequestAttemptID: FIFO only: retrying a failed receive with the same id returns the same
    ///     messages instead of hiding a second batch.
    public func receiveMessages(
        from queueURL: String,
        maxMessages: Int = SQSClient.maxBatchSize,
        waitTimeSeconds: Int? = nil,
        visibilityTimeoutSeconds: Int? = nil,
        systemAttributeNames: [SQSSystemAttributeName] = SQSClient.defaultSystemAttributeNames,
        messageAttributeNames: [String] = ["All"],
        receiveRequestAttemptID: String? = nil
    ) async throws -> [SQSMessage] {
        let request = SQSWire.ReceiveMessage(
            QueueUrl: queueURL,
            MaxNumberOfMessages: maxMessages,
            WaitTimeSeconds: waitTimeSeconds,
            VisibilityTimeout: visibilityTimeoutSeconds,
            MessageSystemAttributeNames: systemAttributeNames.map(\.rawValue),
            MessageAttributeNames: messageAttributeNames,
            ReceiveRequestAttemptId: receiveRequestAttemptID
        )
        // A queue's own wait time can be up to 20 s too; allow for it when the call does not say.
        let wait = Duration.seconds(waitTimeSeconds ?? 20)
        let output = try await client.send("ReceiveMessage", request, as: SQSWire.ReceiveMessageOutput.self, wait: wait)
        return (output.Messages ?? []).map { message in
            SQSMessage(
                messageID: message.MessageId,
                receiptHandle: message.ReceiptHandle,
                body: message.Body,
                md5OfBody: message.MD5OfBody,
                attributes: message.Attributes ?? [:],
                messageAttributes: message.MessageAttributes ?? [:]
            )
        }
    }

    // MARK: Acknowledging

    public func deleteMessage(receiptHandle: String, from queueURL: String) async throws {
        try await client.send("DeleteMessage", SQSWire.DeleteMessage(QueueUrl: queueURL, ReceiptHandle: receiptHandle))
    }

    /// Deletes up to ``maxBatchSize`` messages by receipt handle, keyed by an id unique within the batch.
    ///
    /// - Returns: the entries SQS refused; empty when every message was deleted.
    @discardableResult
    public func deleteMessageBatch(_ entries: [(id: String, receiptHandle: String)], from queueURL: String) async throws
        -> [SQSBatchFailure]
    {
        let request = SQSWire.DeleteMessageBatch(
            QueueUrl: queueURL,
            Entries: entries.map { SQSWire.DeleteMessageBatch.Entry(Id: $0.id, ReceiptHandle: $0.receiptHandle) }
        )
        let output = try await client.send("DeleteMessageBatch", request, as: SQSWire.DeleteMessageBatchOutput.self)
        return (output.Failed ?? []).map(\.failure)
    }

    /// Makes a received message visible again after `visibilityTimeoutSeconds` (0...43 200) from now:
    /// 0 hands it back at once, a longer value buys a slow handler time.
    public func changeMessageVisibility(receiptHandle: String, visibilityTimeoutSeconds: Int, in queueURL: String) async throws {
        try await client.send(
            "ChangeMessageVisibility",
            SQSWire.ChangeMessageVisibility(QueueUrl: queueURL, ReceiptHandle: receiptHandle, VisibilityTimeout: visibilityTimeoutSeconds)
        )
    }

    // MARK: Queues

    /// The queue's attributes (`ApproximateNumberOfMessages`, `VisibilityTimeout`, `RedrivePolicy`...), as strings.
    public func queueAttributes(of queueURL: String, names: [String] = ["All"]) async throws -> [String: String] {
        let output = try await client.send(
            "GetQueueAttributes",
            SQSWire.GetQueueAttributes(QueueUrl: queueURL, AttributeNames: names),
            as: SQSWire.GetQueueAttributesOutput.self
        )
        return output.Attributes ?? [:]
    }

    /// Creates a queue (a FIFO queue's name ends in `.fifo` and its attributes include `FifoQueue: "true"`)
    /// and returns its URL. Creating an existing queue with the same attributes returns its URL.
    public func createQueue(named name: String, attributes: [String: String] = [:]) async throws -> String {
        let output = try await client.send(
            "CreateQueue",
            SQSWire.CreateQueue(QueueName: name, Attributes: attributes.isEmpty ? nil : attributes),
            as: SQSWire.CreateQueueOutput.self
        )
        return output.QueueUrl
    }

    public func queueURL(named name: String) async throws -> String {
        try await client.send("GetQueueUrl", SQSWire.GetQueueUrl(QueueName: name), as: SQSWire.CreateQueueOutput.self).QueueUrl
    }

    /// Deletes every message in the queue (SQS allows one purge per queue every 60 seconds).
    public func purgeQueue(_ queueURL: String) async throws {
        try await client.send("PurgeQueue", SQSWire.QueueURL(QueueUrl: queueURL))
    }

    public func deleteQueue(_ queueURL: String) async throws {
        try await client.send("DeleteQueue", SQSWire.QueueURL(QueueUrl: queueURL))
    }
}
