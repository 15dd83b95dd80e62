import FerryRuntime
import HTTPTypes
import Hummingbird
import NIOCore

/// The local server's HTTP surface: `POST /webhook`, `GET /healthz`, `GET /metrics`.
struct HTTPRoutes: Sendable {
    let ingress: WebhookIngress
    /// In polling mode there is no webhook to post to.
    let acceptsWebhooks: Bool
    /// The Prometheus text exposition, current at the time of the request.
    let metrics: @Sendable () async -> String
    /// Why the host cannot take updates now (a full disk), for `/healthz` to answer 503 with; nil when it can.
    var unhealthy: @Sendable () -> String? = { nil }

    func router() -> Router<HostRequestContext> {
        let router = Router(context: HostRequestContext.self)
        router.post("/webhook") { request, context in try await webhook(request, context) }
        for method in [HTTPRequest.Method.get, .put, .patch, .delete, .head] {
            router.on("/webhook", method: method) { _, _ in
                Response(status: .methodNotAllowed, headers: [.allow: "POST"], body: .init(byteBuffer: ByteBuffer(string: "use POST\n")))
            }
        }
        router.get("/healthz") { [unhealthy] _, _ in
            guard let reason = unhealthy() else { return text(.ok, "ok\n") }
            return text(.serviceUnavailable, reason + "\n")
        }
        router.get("/metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: await metrics()))
            )
        }
        return router
    }

    private func webhook(_ request: Request, _ context: HostRequestContext) async throws -> Response {
        guard acceptsWebhooks else { return text(.init(code: 404), "this bot polls for updates; there is no webhook\n") }
        let secret = request.headers[HTTPField.Name(WebhookIngress.secretHeaderName)!]
        let head = WebhookRequestHead(
            secret: secret, contentType: request.headers[.contentType], origin: request.headers[.origin],
            secFetchSite: request.headers[HTTPField.Name("Sec-Fetch-Site")!],
            host: request.head.authority ?? request.headers[HTTPField.Name("Host")!]
        )
        // Refuse strangers before reading what they send.
        if let refusal = ingress.screen(head) { return answer(refusal) }
        let limit = ingress.configuration.maximumBodySize
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            return answer(.tooLarge(limit: limit))
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return answer(.tooLarge(limit: limit))
        } catch is NIOTooManyBytesError {
            // A chunked body has no length to check beforehand: it is cut off as it passes the limit.
            return answer(.tooLarge(limit: limit))
        }
        return answer(await ingress.accept(body: Array(buffer: body), secretHeader: secret))
    }

    private func answer(_ response: IngressResponse) -> Response {
        text(HTTPResponse.Status(code: response.status), response.message + "\n")
    }

    private func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message)))
    }
}
