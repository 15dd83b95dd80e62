extension BotStack {
    /// The queues' visibility timeout, in seconds: six times the function timeout, as AWS recommends for SQS
    /// event sources, so a message is not handed out again while a slow batch is still inside the function.
    public var queueVisibilityTimeoutSeconds: Int { 6 * Self.wholeSeconds(timeout) }

    /// The update queue and its dead-letter queue, both FIFO.
    ///
    /// - Message groups are chats: only the head of a group is ever in flight, so each chat's updates are
    ///   handled in order while chats run in parallel.
    /// - Content-based deduplication is off: the webhook sets the deduplication ID to the `update_id`, which
    ///   Telegram guarantees unique per bot; two distinct updates can have identical bodies only by accident,
    ///   and a body hash would merge them.
    /// - High-throughput mode (deduplication and throughput limit per message group) lifts the 300 messages
    ///   per second cap of a plain FIFO queue. Deduplicating per group is still exact: one update always lands
    ///   in the same group.
    var queueResources: [String: CloudFormation.Resource] {
        let names = self.names
        let retention = Self.wholeSeconds(queueRetention)
        var deadLetterQueue = Self.fifoQueue(named: names.deadLetterQueue, visibilityTimeout: queueVisibilityTimeoutSeconds, retention: retention)
        // Only the update queue may redrive into it, and `dlq redrive` may move its messages back there. The
        // ARN is spelled out: referring to the update queue would make each queue wait for the other.
        deadLetterQueue.properties["RedriveAllowPolicy"] = [
            "redrivePermission": "byQueue",
            "sourceQueueArns": [.sub("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:\(names.queue)")],
        ]
        var queue = Self.fifoQueue(named: names.queue, visibilityTimeout: queueVisibilityTimeoutSeconds, retention: retention)
        // The safety net above the consumer, which dead-letters an update itself after `attempts` failures:
        // an update received many more times than that without being acknowledged (the consumer crashed or
        // timed out each time) moves to the dead-letter queue. It is a multiple of `attempts` because SQS also
        // counts the receives of updates held back behind a failed one of their chat, which never ran.
        queue.properties["RedrivePolicy"] = [
            "deadLetterTargetArn": .getAtt(LogicalID.deadLetterQueue, "Arn"),
            "maxReceiveCount": .integer(min(attempts * Self.redriveAttemptsMultiple, 1000)),
        ]
        return [LogicalID.queue: queue, LogicalID.deadLetterQueue: deadLetterQueue]
    }

    /// `maxReceiveCount` is this many times `attempts`.
    static let redriveAttemptsMultiple = 3

    /// - Parameter retention: how long SQS keeps a message, in seconds (``BotStack/queueRetention``).
    private static func fifoQueue(named name: String, visibilityTimeout: Int, retention: Int) -> CloudFormation.Resource {
        CloudFormation.Resource(
            type: "AWS::SQS::Queue",
            properties: [
                "QueueName": .string(name),
                "FifoQueue": true,
                "ContentBasedDeduplication": false,
                "DeduplicationScope": "messageGroup",
                "FifoThroughputLimit": "perMessageGroupId",
                "VisibilityTimeout": .integer(visibilityTimeout),
                "MessageRetentionPeriod": .integer(retention),
                // Encrypted at rest with keys SQS manages: no KMS key to pay for, and no KMS permission the
                // producer and consumers would otherwise need.
                "SqsManagedSseEnabled": true,
            ],
            metadata: ScannerExceptions.queue
        )
    }
}
