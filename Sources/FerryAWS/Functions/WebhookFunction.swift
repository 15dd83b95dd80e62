public import FerryRuntime

/// The webhook role behind a Lambda function URL: Telegram's requests go through the same
/// ``WebhookIngress`` rules as the local server (secret, size, shape), and accepted updates into the
/// SQS FIFO queue.
///
/// A storage failure answers 500 so that Telegram delivers the update again.
public struct WebhookFunction: LambdaFunction {
    public let ingress: WebhookIngress

    public init(ingress: WebhookIngress) {
        self.ingress = ingress
    }

    /// Ingress over `queue` with Lambda's storage-failure status (500).
    public init(queue: SQSUpdateQueue, secretToken: String?, maximumBodySize: Int = 1 << 20) {
        let configuration = WebhookIngress.Configuration(secretToken: secretToken, maximumBodySize: maximumBodySize, storageFailureStatus: 500)
        self.init(ingress: WebhookIngress(configuration: configuration, queue: queue))
    }

    public func handle(_ request: FunctionURLRequest) async -> FunctionURLResponse {
        guard request.requestContext.http.method == "POST" else {
            return FunctionURLResponse(statusCode: 405, headers: ["allow": "POST"])
        }
        // Lambda lower-cases header names; checked before the body is decoded.
        let secret = request.header(WebhookIngress.secretHeaderName)
        if let refusal = ingress.authorize(secretHeader: secret) { return .text(refusal.status, refusal.message) }
        let body: [UInt8]
        do {
            body = try request.bodyBytes()
        } catch {
            return .text(400, IngressResponse.malformed("the body is not valid base64").message)
        }
        let response = await ingress.accept(body: body, secretHeader: secret)
        return .text(response.status, response.message)
    }
}
