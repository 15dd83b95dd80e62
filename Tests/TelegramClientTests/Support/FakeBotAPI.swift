import Foundation
import FerryTesting
import Hummingbird
import Logging
import Synchronization
import TelegramBotAPI

/// One request as the fake Bot API received it.
struct RecordedRequest: Sendable {
    var path: String
    var contentType: String?
    var contentLength: Int?
    var transferEncoding: String?
    var body: [UInt8]

    /// The body as JSON, for calls sent as `application/json`.
    func json() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(body))
    }

    /// The body's parts, for calls sent as `multipart/form-data`.
    func formParts() throws -> [FormPart] {
        try FormPart.parse(body, contentType: contentType ?? "")
    }
}

/// What the fake Bot API answers, optionally after a pause.
struct FakeReply: Sendable {
    var status: HTTPResponse.Status
    var contentType: String
    var body: String
    var delay: Duration?

    static func ok(_ result: String, delay: Duration? = nil) -> FakeReply {
        FakeReply(status: .ok, contentType: "application/json", body: #"{"ok":true,"result":\#(result)}"#, delay: delay)
    }

    /// An error exactly as Telegram writes it, e.g. `{"ok":false,"error_code":403,"description":"..."}`.
    static func error(_ code: Int, _ description: String, parameters: String? = nil) -> FakeReply {
        var body = #"{"ok":false,"error_code":\#(code),"description":"\#(description)""#
        if let parameters { body += #","parameters":\#(parameters)"# }
        body += "}"
        return FakeReply(status: .init(code: code), contentType: "application/json", body: body)
    }

    static func raw(status: Int, contentType: String, _ body: String) -> FakeReply {
        FakeReply(status: .init(code: status), contentType: contentType, body: body)
    }

    /// Where a reply's body holds this, the server puts the path it was called at (token included), as a
    /// careless proxy or local server that quotes the request in its error page would.
    static let echoedPath = "{path}"
}

/// An in-process HTTP server on 127.0.0.1 that plays the Bot API: it records every request and
/// answers the n-th with the n-th scripted reply (the last one repeats).
struct FakeBotAPI: Sendable {
    let port: Int
    private let log: RequestLog

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var requests: [RecordedRequest] { log.requests }
    /// The most requests the server was answering at one moment.
    var mostConcurrentRequests: Int { log.mostConcurrent }

    /// Runs `body` against a fresh server on an ephemeral port, and stops the server when `body` returns.
    static func withServer<T: Sendable>(
        replies: [FakeReply],
        _ body: (FakeBotAPI) async throws -> T
    ) async throws -> T {
        precondition(!replies.isEmpty, "script at least one reply")
        let log = RequestLog()
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
            let index = log.append(RecordedRequest(
                path: request.uri.path,
                contentType: request.headers[.contentType],
                contentLength: request.headers[.contentLength].flatMap { Int($0) },
                transferEncoding: request.headers[.transferEncoding],
                body: Array(buffer: body)
            ))
            let reply = replies[min(index, replies.count - 1)]
            log.began()
            defer { log.ended() }
            if let delay = reply.delay { try await Task.sleep(for: delay) }
            return Response(
                status: reply.status,
                headers: [.contentType: reply.contentType],
                body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body.replacing(FakeReply.echoedPath, with: request.uri.path)))
            )
        }

        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "fake-bot-api")
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
            guard let port = await ports.first(where: { _ in true }) else { throw FakeServerDidNotStart() }
            return try await body(FakeBotAPI(port: port, log: log))
        }
    }

    struct FakeServerDidNotStart: Error {}

    private final class RequestLog: Sendable {
        private let recorded = Mutex<[RecordedRequest]>([])
        private let concurrency = Mutex<(now: Int, most: Int)>((0, 0))

        func began() { concurrency.withLock { $0.now += 1; $0.most = max($0.most, $0.now) } }
        func ended() { concurrency.withLock { $0.now -= 1 } }
        var mostConcurrent: Int { concurrency.withLock { $0.most } }

        /// Records `request` and returns its index.
        func append(_ request: RecordedRequest) -> Int {
            recorded.withLock { list in
                list.append(request)
                return list.count - 1
            }
        }

        var requests: [RecordedRequest] { recorded.withLock { $0 } }
    }
}
