public import FerryRuntime
public import Logging

/// The consumer role: handles a batch of updates from the SQS FIFO queue, in order, and answers
/// which to leave on the queue (the event source mapping must report batch item failures).
///
/// - A failed update keeps its group waiting: it and every later record of its group in the batch
///   are reported failed (and hidden for the retry delay), while other groups go on. The batch as a
///   whole never fails.
/// - An update that used its attempts, or can never succeed, is sent to the dead-letter queue here
///   (body unchanged, the reason and attempts as message attributes) and reported handled, so SQS
///   deletes it and its group goes on. The queue's own redrive policy is only a backstop.
///
/// The attempt is SQS's `ApproximateReceiveCount`, which counts every receive: records held back
/// behind a failed head count receives too, and a flood-control wait cannot be given back.
public struct ConsumerFunction: LambdaFunction {
    public let processor: UpdateProcessor
    public let sqs: SQSClient
    public let queueURL: String
    public let deadLetterQueueURL: String
    /// When set, updates handled before (within 24 hours) are skipped: see ``HandledUpdates``.
    public let handledUpdates: (any HandledUpdates)?
    let logger: Logger

    public init(
        processor: UpdateProcessor, sqs: SQSClient, queueURL: String, deadLetterQueueURL: String,
        handledUpdates: (any HandledUpdates)? = nil, logger: Logger = Logger(label: "ferry.consumer")
    ) {
        self.processor = processor
        self.sqs = sqs
        self.queueURL = queueURL
        self.deadLetterQueueURL = deadLetterQueueURL
        self.handledUpdates = handledUpdates
        self.logger = logger
    }

    ///
    /// When Telegram refuses the bot's token (401), nothing in the batch can be handled: every record left is
    /// kept for later, the records already settled are deleted here, and the invocation fails with
    /// ``TokenRefused``, so the function's Errors metric (and its alarm) shows it. The kept records come back
    /// after ``UpdateProcessor/Outcome/tokenRefusedDelay``, until the token is fixed.
    public func handle(_ event: SQSEvent) async throws -> SQSBatchResponse {
        /// Groups that failed in this batch, with how long their records wait.
        var heldGroups: [String: Duration] = [:]
        var failed: [String] = []
        /// Records this invocation handled or dead-lettered, for deleting when the invocation fails.
        var settled: [SQSMessage] = []
        var refusal: String?
        for record in event.records {
            let message = record.message
            let group = message.messageGroupID ?? ""
            if refusal != nil {
                await hide(message, for: UpdateProcessor.Outcome.tokenRefusedDelay)
                failed.append(message.messageID)
                continue
            }
            if let delay = heldGroups[group] {
                await hide(message, for: delay)
                failed.append(message.messageID)
                continue
            }
            let updateID = SQSUpdateQueue.update(from: message).updateID
            if await wasHandledBefore(updateID) {
                settled.append(message)
                continue
            }
            let attempt = message.approximateReceiveCount ?? 1
            switch await processor.process(body: Array(message.body.utf8), attempt: attempt) {
            case .handled:
                await recordHandled(updateID)
                settled.append(message)
            case .tokenRefused(let reason):
                refusal = reason
                await hide(message, for: UpdateProcessor.Outcome.tokenRefusedDelay)
                failed.append(message.messageID)
            case .retry(let delay, _, _):
                await hide(message, for: delay)
                heldGroups[group] = delay
                failed.append(message.messageID)
            case .deadLetter(let reason):
                do {
                    try await sendToDeadLetterQueue(message, reason: reason, attempts: attempt)
                    settled.append(message)
                } catch {
                    // Left on the queue, it is dead-lettered again on its next delivery.
                    logger.error(
                        "could not send the update to the dead-letter queue",
                        metadata: ["message_id": "\(message.messageID)", "error": "\(error)"]
                    )
                    heldGroups[group] = .zero
                    failed.append(message.messageID)
                }
            }
        }
        if let refusal {
            // A failed invocation makes SQS deliver the whole batch again: what was settled goes now.
            await delete(settled)
            throw TokenRefused(reason: refusal, keptUpdates: failed.count)
        }
        return SQSBatchResponse(failedMessageIDs: failed)
    }

    /// The consumer's invocation failure when Telegram refuses the bot's token.
    public struct TokenRefused: Error, CustomStringConvertible {
        public var reason: String
        public var keptUpdates: Int

        public var description: String {
            "Telegram refused the bot token (\(reason)): set TELEGRAM_BOT_TOKEN to the token @BotFather issued and deploy again; "
                + "\(keptUpdates) update(s) of this batch are kept on the queue and retried"
        }
    }

    private func delete(_ messages: [SQSMessage]) async {
        guard !messages.isEmpty else { return }
        for start in stride(from: 0, to: messages.count, by: 10) {
            let entries = messages[start..<min(start + 10, messages.count)].enumerated().map { (id: "m\($0.offset)", receiptHandle: $0.element.receiptHandle) }
            do {
                _ = try await sqs.deleteMessageBatch(entries, from: queueURL)
            } catch {
                // They come back and are handled again, or skipped by the idempotency records.
                logger.warning("could not delete settled updates of a failed batch", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Whether the idempotency records say the update was handled already. When they cannot be read,
    /// the update is handled: a rare duplicate reply is better than a lost update.
    private func wasHandledBefore(_ updateID: Int) async -> Bool {
        guard let handledUpdates, updateID != 0 else { return false }
        do {
            guard try await handledUpdates.contains(updateID: updateID) else { return false }
            logger.info("update handled before; skipped as a redelivery", metadata: ["update_id": "\(updateID)"])
            return true
        } catch {
            logger.warning("could not read the idempotency record; handling the update", metadata: ["update_id": "\(updateID)", "error": "\(error)"])
            return false
        }
    }

    private func recordHandled(_ updateID: Int) async {
        guard let handledUpdates, updateID != 0 else { return }
        do {
            try await handledUpdates.insert(updateID: updateID)
        } catch {
            logger.warning("could not write the idempotency record", metadata: ["update_id": "\(updateID)", "error": "\(error)"])
        }
    }

    /// Hides a record for `delay`: until then its group stays locked (FIFO delivers nothing of a group
    /// with a message in flight), then SQS delivers it again, before the rest of its group.
    private func hide(_ message: SQSMessage, for delay: Duration) async {
        do {
            try await sqs.changeMessageVisibility(
                receiptHandle: message.receiptHandle, visibilityTimeoutSeconds: SQSUpdateQueue.seconds(delay), in: queueURL
            )
        } catch {
            // It comes back after the queue's visibility timeout instead.
            logger.warning("could not change the visibility of a failed update", metadata: ["message_id": "\(message.messageID)", "error": "\(error)"])
        }
    }

    private func sendToDeadLetterQueue(_ message: SQSMessage, reason: String, attempts: Int) async throws {
        let outgoing = SQSOutgoingMessage(
            body: message.body,
            groupID: message.messageGroupID,
            deduplicationID: message.messageDeduplicationID ?? message.messageID,
            attributes: SQSUpdateQueue.deadLetterAttributes(reason: reason, attempts: attempts, enqueuedAt: message.sentTimestamp)
        )
        try await sqs.sendMessage(outgoing, to: deadLetterQueueURL)
    }
}
