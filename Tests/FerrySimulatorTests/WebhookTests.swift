import FerryTestSupport
import FerryTesting
import TelegramBotAPI
import TelegramClient
import Testing

/// Retries fast enough for tests; the shape of the backoff is the same as by default.
private func quickWebhooks() -> BotAPISimulator.Configuration {
    unlimited { $0.webhookRetry = WebhookRetryPolicy(initialDelay: .milliseconds(20), maximumDelay: .milliseconds(100)) }
}

@Suite("Simulator: webhook delivery")
struct WebhookTests {
    @Test("updates are POSTed to the webhook as JSON, in order, with the secret token header")
    func delivery() async throws {
        try await FakeHTTPServer.withServer(replies: [ScriptedReply(status: .ok)]) { receiver in
            try await withSimulator(quickWebhooks()) { simulator, client in
                #expect(try await client.setWebhook(url: receiver.webhookURL, secretToken: "s3cret_Token-1"))
                let ada = simulator.createUser(firstName: "Ada")
                let sent = try ["one", "two", "three"].map { try simulator.sendText(from: ada, $0) }

                try await simulator.waitUntilUpdatesDelivered()
                let deliveries = receiver.requests
                #expect(deliveries.count == 3)
                #expect(deliveries.allSatisfy { $0.secretToken == "s3cret_Token-1" && $0.contentType == "application/json" })
                let updates = try deliveries.map { try $0.update() }
                #expect(updates.map(\.message) == sent)
                #expect(updates.map(\.updateID) == updates.map(\.updateID).sorted())
                #expect(try await client.getWebhookInfo().pendingUpdateCount == 0)
            }
        }
    }

    @Test("a refused delivery is retried with the same update; getWebhookInfo reports the error meanwhile")
    func retryOnServerError() async throws {
        try await FakeHTTPServer.withServer(replies: [500, 500, 200].map { ScriptedReply(status: .init(code: $0)) }) { receiver in
            try await withSimulator(quickWebhooks()) { simulator, client in
                _ = try await client.setWebhook(url: receiver.webhookURL)
                let ada = simulator.createUser(firstName: "Ada")
                let first = try simulator.sendText(from: ada, "first")
                let second = try simulator.sendText(from: ada, "second")

                try await simulator.waitUntilUpdatesDelivered()
                let updates = try receiver.requests.map { try $0.update() }
                #expect(updates.map(\.message) == [first, first, first, second], "nothing overtakes an update being retried")
                #expect(receiver.requests.allSatisfy { $0.secretToken == nil }, "no secret set, no header")

                let info = try await client.getWebhookInfo()
                #expect(info.url == receiver.webhookURL)
                #expect(info.lastErrorMessage == "Wrong response from the webhook: 500 Internal Server Error")
                #expect(info.lastErrorDate != nil)
            }
        }
    }

    @Test("while a webhook is set getUpdates is refused; deleteWebhook hands pending updates back to getUpdates")
    func webhookAndPolling() async throws {
        try await withSimulator(quickWebhooks()) { simulator, client in
            // Port 9 (discard) refuses connections: every delivery fails and the update stays pending.
            _ = try await client.setWebhook(url: "http://127.0.0.1:9/hook")
            let conflict = try await apiError { try await client.getUpdates() }
            #expect(conflict.errorCode == 409)
            #expect(conflict.description == "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")

            let ada = simulator.createUser(firstName: "Ada")
            let hello = try simulator.sendText(from: ada, "hello")
            try await simulator.waitForWebhookError()
            #expect(simulator.pendingUpdateCount == 1)

            _ = try await client.deleteWebhook()
            #expect(try await client.getUpdates().map(\.message) == [hello])
        }
    }

    @Test("setWebhook with drop_pending_updates forgets what is pending, and checks its secret")
    func dropPending() async throws {
        try await withSimulator(quickWebhooks()) { simulator, client in
            let ada = simulator.createUser(firstName: "Ada")
            try simulator.sendText(from: ada, "old news")
            _ = try await client.setWebhook(url: "http://127.0.0.1:9/hook", dropPendingUpdates: true)
            #expect(simulator.pendingUpdateCount == 0)

            let badSecret = try await apiError { try await client.setWebhook(url: "http://127.0.0.1:9/hook", secretToken: "no spaces allowed") }
            #expect(badSecret.errorCode == 400)
        }
    }
}

extension BotAPISimulator {
    /// Waits until a webhook delivery has failed at least once.
    func waitForWebhookError(timeout: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + timeout
        while webhookInfo.lastErrorMessage == nil {
            guard ContinuousClock.now < deadline else { throw SimulatorError.timedOut(waitingFor: "a webhook error", after: timeout) }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
