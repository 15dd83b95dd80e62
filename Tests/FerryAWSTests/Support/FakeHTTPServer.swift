import FerryTesting
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// One request as a fake server received it.
struct ReceivedRequest: Sendable {
    var method: String
    var path: String
    /// Every header in the order received, names as sent.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// What a fake server answers.
struct ScriptedReply: Sendable {
    var status: HTTPResponse.Status = .ok
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var delay: Duration?

    static func json(_ text: String, status: HTTPResponse.Status = .ok, headers: [(name: String, value: String)] = []) -> ScriptedReply {
        ScriptedReply(status: status, headers: [("Content-Type", "application/x-amz-json-1.0")] + headers, body: Array(text.utf8))
    }
}

/// An HTTP server on 127.0.0.1 that records every request and answers with `respond`'s reply.
/// It stops when `body` returns.
enum FakeHTTPServer {
    static func withServer<T: Sendable>(
        respond: @escaping @Sendable (_ index: Int, ReceivedRequest) async throws -> ScriptedReply,
        _ body: (_ port: Int, _ log: RequestLog) async throws -> T
    ) async throws -> T {
        let log = RequestLog()
        let router = Router()
        // `**` matches one or more segments, so `/` (where AWS JSON requests go) needs its own routes.
        for path in ["/", "**"] as [RouterPath] {
            // PUT for the instance metadata service's session token.
            for method in [HTTPRequest.Method.get, .post, .put] {
                router.on(path, method: method) { request, _ in try await handle(request, log: log, respond: respond) }
            }
        }

        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "fake-http-server")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { portContinuation.yield(port) }
                portContinuation.finish()
            },
            logger: logger
        )
        // A server that fails to start ends the stream too, so waiting for the port cannot hang.
        return try await serving(app, onStopped: { portContinuation.finish() }) {
            guard let port = await ports.first(where: { _ in true }) else { throw ServerDidNotStart() }
            return try await body(port, log)
        }
    }

    private static func handle(
        _ request: Request,
        log: RequestLog,
        respond: @Sendable (Int, ReceivedRequest) async throws -> ScriptedReply
    ) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 * 1024 * 1024)
        let received = ReceivedRequest(
            method: request.method.rawValue,
            path: request.uri.path,
            // HTTP/1.1's Host header arrives as the request's authority, not among the fields.
            headers: (request.head.authority.map { [("Host", $0)] } ?? []) + request.headers.map { ($0.name.rawName, $0.value) },
            body: Array(buffer: body)
        )
        let index = log.append(received)
        let reply = try await respond(index, received)
        if let delay = reply.delay { try await Task.sleep(for: delay) }
        var headers = HTTPFields()
        for header in reply.headers {
            if let name = HTTPFields.Element.Name(header.name) { headers[name] = header.value }
        }
        return Response(status: reply.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    struct ServerDidNotStart: Error {}

    final class RequestLog: Sendable {
        private let recorded = Mutex<[ReceivedRequest]>([])

        /// Records `request` and returns its index.
        func append(_ request: ReceivedRequest) -> Int {
            recorded.withLock { list in
                list.append(request)
                return list.count - 1
            }
        }

        var requests: [ReceivedRequest] { recorded.withLock { $0 } }
    }
}
