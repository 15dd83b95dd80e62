import AsyncHTTPClient
import Logging
import NIOCore
import TelegramBotAPI

/// Posts the bot's pending updates to its webhook one at a time, oldest first, as Telegram does:
/// `POST <url>` with the update as JSON and the `X-Telegram-Bot-Api-Secret-Token` header when a secret
/// was set. A 2xx answer confirms the update; anything else is remembered for `getWebhookInfo` and
/// the same update is tried again after a backoff, so a bot never sees updates out of order.
struct WebhookDeliverer: Sendable {
    let engine: SimulatorEngine
    let httpClient: HTTPClient
    let retry: WebhookRetryPolicy
    let timeout: Duration
    let logger: Logger

    /// Delivers until the task is cancelled or the simulator closes.
    func run() async {
        var failures = 0
        var failingUpdateID: Int?
        while !Task.isCancelled {
            guard let delivery = await engine.wait(until: nil, for: { $0.nextWebhookDelivery() }) else { return }
            if delivery.update.updateID != failingUpdateID { failures = 0 }

            switch await post(delivery) {
            case .accepted:
                failures = 0
                failingUpdateID = nil
                engine.mutate { $0.confirmWebhookDelivery(of: delivery.update.updateID) }
            case .refused(let reason):
                failures += 1
                failingUpdateID = delivery.update.updateID
                logger.debug("Webhook delivery failed", metadata: ["reason": .string(reason), "update_id": .stringConvertible(delivery.update.updateID)])
                let moment = Moment.now
                engine.mutate { $0.recordWebhookError(reason, generation: delivery.generation, at: moment) }
                try? await Task.sleep(for: retry.delay(afterFailures: failures))
            }
        }
    }

    private enum Outcome {
        case accepted
        /// Why, in the words `getWebhookInfo` reports as `last_error_message`.
        case refused(String)
    }

    private func post(_ delivery: WebhookDelivery) async -> Outcome {
        var request = HTTPClientRequest(url: delivery.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let secret = delivery.secretToken {
            request.headers.add(name: "X-Telegram-Bot-Api-Secret-Token", value: secret)
        }
        do {
            request.body = .bytes(ByteBuffer(bytes: try BotAPIAnswer.encode(delivery.update)))
            let response = try await httpClient.execute(request, timeout: TimeAmount(timeout))
            // The answer may carry a method call ("reply in the webhook answer"); the simulator ignores it.
            _ = try? await response.body.collect(upTo: 1024 * 1024)
            guard (200..<300).contains(response.status.code) else {
                return .refused("Wrong response from the webhook: \(response.status.code) \(response.status.reasonPhrase)")
            }
            return .accepted
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
            return .refused("Read timeout expired")
        } catch {
            // Telegram reports the cause in a few words; the full error text says where the connection went.
            return .refused(String(describing: error).contains("Connection refused") ? "Connection refused" : "Connection failed")
        }
    }
}
