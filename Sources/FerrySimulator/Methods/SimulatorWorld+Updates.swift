import TelegramBotAPI

/// `getUpdates`, `setWebhook`, `deleteWebhook`, `getWebhookInfo`, and the bookkeeping of webhook delivery.
extension SimulatorWorld {
    /// What a waiting `getUpdates` call finds when it looks again.
    enum PollOutcome {
        case updates([Update])
        /// A newer `getUpdates` or a `setWebhook` took over; Telegram ends the older call with 409.
        case superseded(BotAPIFailure)
    }

    /// Starts a `getUpdates` call: confirms what the offset confirms, applies `allowed_updates`, and takes
    /// over from any call still waiting.
    /// - Returns: the call's generation, to pass to ``pollOutcome(generation:limit:)``.
    mutating func beginPoll(_ call: GetUpdates) throws(BotAPIFailure) -> Int {
        guard webhook == nil else {
            throw .conflict("can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
        }
        if let offset = call.offset {
            if offset < 0 { inbox.keepNewest(-offset) } else { inbox.confirm(below: offset) }
        }
        if let allowed = call.allowedUpdates { inbox.allowedKinds = allowed }
        pollGeneration += 1
        return pollGeneration
    }

    /// The updates for the call of `generation`, `nil` while there are none to return yet.
    func pollOutcome(generation: Int, limit: Int) -> PollOutcome? {
        if webhook != nil { return .superseded(.conflict("terminated by setWebhook request")) }
        guard generation == pollGeneration else {
            return .superseded(.conflict("terminated by other getUpdates request; make sure that only one bot instance is running"))
        }
        return inbox.isEmpty ? nil : .updates(inbox.peek(limit: limit))
    }

    /// - Returns: `true` and what Telegram says about it ("Webhook was set").
    mutating func setWebhook(_ call: SetWebhook) throws(BotAPIFailure) -> (result: Bool, description: String) {
        if call.url.isEmpty {
            return deleteWebhook(DeleteWebhook(dropPendingUpdates: call.dropPendingUpdates))
        }
        // Telegram insists on HTTPS and ports 443, 80, 88 or 8443; a simulator serves tests on 127.0.0.1,
        // so plain HTTP and any port are accepted.
        guard call.url.hasPrefix("https://") || call.url.hasPrefix("http://"), call.url.utf8.count <= 2048 else {
            throw .badRequest("bad webhook: An HTTPS URL must be provided for webhook")
        }
        if let secret = call.secretToken {
            let allowed = secret.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    true
                default:
                    false
                }
            }
            guard allowed, (1...256).contains(secret.utf8.count) else {
                throw .badRequest("secret token contains unallowed characters")
            }
        }
        let maxConnections = call.maxConnections ?? 40
        guard (1...100).contains(maxConnections) else { throw .badRequest("bad webhook: max_connections must be between 1 and 100") }

        if call.dropPendingUpdates == true { inbox.removeAll() }
        if let allowed = call.allowedUpdates { inbox.allowedKinds = allowed }
        if let current = webhook, current.url == call.url, current.secretToken == call.secretToken,
            current.maxConnections == maxConnections, current.ipAddress == call.ipAddress
        {
            return (true, "Webhook is already set")
        }
        webhook = WebhookRegistration(
            url: call.url,
            secretToken: call.secretToken,
            maxConnections: maxConnections,
            ipAddress: call.ipAddress,
            generation: nextWebhookGeneration
        )
        nextWebhookGeneration += 1
        return (true, "Webhook was set")
    }

    mutating func deleteWebhook(_ call: DeleteWebhook) -> (result: Bool, description: String) {
        if call.dropPendingUpdates == true { inbox.removeAll() }
        guard webhook != nil else { return (true, "Webhook is already deleted") }
        webhook = nil
        return (true, "Webhook was deleted")
    }

    func webhookInfo() -> WebhookInfo {
        WebhookInfo(
            url: webhook?.url ?? "",
            hasCustomCertificate: false,
            pendingUpdateCount: inbox.count,
            ipAddress: webhook.map { $0.ipAddress ?? "127.0.0.1" },
            lastErrorDate: webhook?.lastErrorDate,
            lastErrorMessage: webhook?.lastErrorMessage,
            maxConnections: webhook?.maxConnections,
            allowedUpdates: webhook == nil ? nil : inbox.allowedKinds
        )
    }

    // MARK: Webhook delivery

    /// The oldest pending update and where to post it, when a webhook is set.
    func nextWebhookDelivery() -> WebhookDelivery? {
        guard let webhook, let update = inbox.first else { return nil }
        return WebhookDelivery(url: webhook.url, secretToken: webhook.secretToken, generation: webhook.generation, update: update)
    }

    /// The webhook accepted the update: it is no longer pending.
    mutating func confirmWebhookDelivery(of updateID: Int) {
        inbox.confirm(below: updateID + 1)
    }

    /// Remembers why a delivery failed, for `getWebhookInfo`, unless the webhook changed meanwhile.
    mutating func recordWebhookError(_ message: String, generation: Int, at moment: Moment) {
        guard webhook?.generation == generation else { return }
        webhook?.lastErrorDate = moment.unixTime
        webhook?.lastErrorMessage = message
    }
}

/// One attempt's worth of work for the webhook deliverer.
struct WebhookDelivery: Sendable {
    var url: String
    var secretToken: String?
    var generation: Int
    var update: Update
}
