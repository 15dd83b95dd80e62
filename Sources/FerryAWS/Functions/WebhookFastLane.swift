public import FerryRuntime
public import TelegramBotAPI

/// Handles deadline-sensitive updates inside the webhook invocation instead of queueing them:
/// Telegram cancels a checkout whose `pre_checkout_query` is not answered within 10 seconds, and the
/// trip through the queue and a cold consumer can take longer than that.
///
/// Only the kinds listed take the lane; everything else is queued as usual. An update the bot does not
/// handle within ``timeLimit`` (its handler failed, or is cancelled for taking too long) is queued like
/// any other, so the consumer retries it and, failing that, dead-letters it: never lost. An update
/// handled here skips the per-chat order, which these kinds do not need (a pre-checkout query belongs
/// to no chat).
public struct WebhookFastLane: Sendable {
    public let processor: UpdateProcessor
    public let kinds: Set<UpdateKind>
    /// How long the bot may take here before the update goes to the queue instead; well inside the
    /// webhook function's timeout and Telegram's 10 seconds.
    public let timeLimit: Duration

    public init(processor: UpdateProcessor, kinds: Set<UpdateKind> = [.preCheckoutQuery], timeLimit: Duration = .seconds(5)) {
        self.processor = processor
        self.kinds = kinds
        self.timeLimit = timeLimit
    }

    /// Whether an update of `kind` takes the lane.
    public func accepts(_ kind: UpdateKind) -> Bool { kinds.contains(kind) }

    /// Runs the bot on the update; `true` when it was handled, `false` when it must be queued.
    func handle(_ body: [UInt8]) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await processor.process(body: body, attempt: 1) == .handled }
            group.addTask {
                try? await Task.sleep(for: timeLimit)
                return false
            }
            // Whichever ends first decides; the other is cancelled (a handler sees the cancellation in
            // its Bot API call, which gives up at once).
            let handled = await group.next() ?? false
            group.cancelAll()
            return handled
        }
    }
}
