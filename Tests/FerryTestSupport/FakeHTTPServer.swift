public import FerryTesting
public import Hummingbird
import Logging
import NIOCore
import Synchronization

/// One request as the fake server received it.
public struct ReceivedRequest: Sendable {
    public var method: String
    public var path: String
    /// Every header in the order received, names as sent.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    /// The first header named `name`, whatever its case.
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var contentType: String? { header("Content-Type") }
    public var contentLength: Int? { header("Content-Length").flatMap { Int($0) } }
    public var transferEncoding: String? { header("Transfer-Encoding") }
}

/// What the fake server answers, optionally after a pause.
public struct ScriptedReply: Sendable {
    public var status: HTTPResponse.Status
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var delay: Duration?

    public init(status: HTTPResponse.Status = .ok, headers: [(name: String, value: String)] = [], body: [UInt8] = [], delay: Duration? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delay = delay
    }

    /// `text` as the body, of content type `contentType`.
    public init(status: HTTPResponse.Status = .ok, contentType: String, _ text: String, delay: Duration? = nil) {
        self.init(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8), delay: delay)
    }
}

/// An HTTP server on 127.0.0.1 and a port the kernel picks, playing whichever peer a test needs (the Bot API,
/// an AWS service, the Lambda Runtime API, a bot's webhook): it records every request, whatever its method and
/// path, and answers each with the reply `respond` gives for it. It stops when the test's body returns.
public final class FakeHTTPServer: Sendable {
    public let port: Int
    private let log: RequestLog

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    /// Every request so far, in the order received.
    public var requests: [ReceivedRequest] { log.requests }
    /// The most requests the server was answering at one moment.
    public var mostConcurrentRequests: Int { log.mostConcurrent }

    /// Answers the n-th request with the n-th reply; the last one repeats.
    public static func withServer<T: Sendable>(
        replies: [ScriptedReply],
        _ body: (FakeHTTPServer) async throws -> T
    ) async throws -> T {
        precondition(!replies.isEmpty, "script at least one reply")
        return try await withServer(respond: { index, _ in replies[min(index, replies.count - 1)] }, body)
    }

    /// Answers each request with what `respond` returns for it and its index (0 for the first request).
    public static func withServer<T: Sendable>(
        respond: @escaping @Sendable (_ index: Int, ReceivedRequest) async throws -> ScriptedReply,
        _ body: (FakeHTTPServer) async throws -> T
    ) async throws -> T {
        let log = RequestLog()
        let router = Router()
        // `**` matches one or more segments, so `/` (where AWS JSON requests go) needs its own routes.
        for path in ["/", "**"] as [RouterPath] {
            // PUT for the instance metadata service's session token.
            for method in [HTTPRequest.Method.get, .post, .put] {
                router.on(path, method: method) { request, _ in try await answer(request, log: log, respond: respond) }
            }
        }

        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                if let port = channel.localAddress?.port { portContinuation.yield(port) }
                portContinuation.finish()
            },
            logger: Logger(label: "fake-http-server", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        // Stopped gracefully whatever the body does; a server that fails to start ends the stream too, so
        // waiting for the port cannot hang.
        return try await serving(app, onStopped: { portContinuation.finish() }) {
            guard let port = await ports.first(where: { _ in true }) else { throw TestFailure("the fake HTTP server did not start") }
            return try await body(FakeHTTPServer(port: port, log: log))
        }
    }

    private init(port: Int, log: RequestLog) {
        self.port = port
        self.log = log
    }

    private static func answer(
        _ request: Request,
        log: RequestLog,
        respond: @Sendable (Int, ReceivedRequest) async throws -> ScriptedReply
    ) async throws -> Response {
        // Large enough for the uploads the client tests send.
        let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
        let received = ReceivedRequest(
            method: request.method.rawValue,
            path: request.uri.path,
            // HTTP/1.1's Host header arrives as the request's authority, not among the fields.
            headers: (request.head.authority.map { [("Host", $0)] } ?? []) + request.headers.map { ($0.name.rawName, $0.value) },
            body: Array(buffer: body)
        )
        let index = log.append(received)
        log.began()
        defer { log.ended() }
        let reply = try await respond(index, received)
        if let delay = reply.delay { try await Task.sleep(for: delay) }
        var headers = HTTPFields()
        for header in reply.headers {
            if let name = HTTPFields.Element.Name(header.name) { headers[name] = header.value }
        }
        return Response(status: reply.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: reply.body)))
    }

    private final class RequestLog: Sendable {
        private let recorded = Mutex<[ReceivedRequest]>([])
        private let concurrency = Mutex<(now: Int, most: Int)>((0, 0))

        /// Records `request` and returns its index.
        func append(_ request: ReceivedRequest) -> Int {
            recorded.withLock { list in
                list.append(request)
                return list.count - 1
            }
        }

        var requests: [ReceivedRequest] { recorded.withLock { $0 } }

        func began() { concurrency.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func ended() { concurrency.withLock { $0.now -= 1 } }
        var mostConcurrent: Int { concurrency.withLock { $0.most } }
    }
}
