public import AWSClients
public import FerryRuntime
import TelegramBotAPI

/// The webhook role behind a Lambda function URL: Telegram's requests go through the same
/// ``WebhookIngress`` rules as the local server (secret, size, shape), and accepted updates into the
/// SQS FIFO queue.
///
/// A storage failure answers 500 so that Telegram delivers the update again.
///
/// With a ``WebhookFastLane``, deadline-sensitive updates (`pre_checkout_query`) are handled here,
/// within the invocation, and queued only when that fails.
public struct WebhookFunction: LambdaFunction {
    public let ingress: WebhookIngress
    public let fastLane: WebhookFastLane?

    public init(ingress: WebhookIngress, fastLane: WebhookFastLane? = nil) {
        self.ingress = ingress
        self.fastLane = fastLane
    }

    /// Ingress over `queue` with Lambda's storage-failure status (500).
    public init(
        queue: SQSUpdateQueue, secretToken: String?, retiringSecret: WebhookIngress.RetiringSecret? = nil, maximumBodySize: Int = 1 << 20,
        fastLane: WebhookFastLane? = nil
    ) {
        let configuration = WebhookIngress.Configuration(
            secretToken: secretToken, retiringSecret: retiringSecret, maximumBodySize: maximumBodySize, storageFailureStatus: 500
        )
        self.init(ingress: WebhookIngress(configuration: configuration, queue: queue), fastLane: fastLane)
    }

    public func handle(_ request: FunctionURLRequest) async -> FunctionURLResponse {
        guard request.requestContext.http.method == "POST" else {
            return FunctionURLResponse(statusCode: 405, headers: ["allow": "POST"])
        }
        // Lambda lower-cases header names; checked before the body is decoded.
        let secret = request.header(WebhookIngress.secretHeaderName)
        let head = WebhookRequestHead(
            secret: secret, contentType: request.header("content-type"), origin: request.header("origin"),
            secFetchSite: request.header("sec-fetch-site"), host: request.header("host") ?? request.requestContext.domainName
        )
        if let refusal = ingress.screen(head) { return .text(refusal.status, refusal.message) }
        let body: [UInt8]
        do {
            body = try request.bodyBytes()
        } catch {
            return .text(400, IngressResponse.malformed("the body is not valid base64").message)
        }
        if let fastLane, body.count <= ingress.configuration.maximumBodySize,
           let keys = try? UpdateRoutingKeys.extract(from: body), fastLane.accepts(keys.kind),
           await fastLane.handle(body)
        {
            return .text(IngressResponse.accepted.status, IngressResponse.accepted.message)
        }
        // Everything else, and a fast-lane update not handled in time, is checked and queued.
        let response = await ingress.accept(body: body, secretHeader: secret)
        return .text(response.status, response.message)
    }
}
