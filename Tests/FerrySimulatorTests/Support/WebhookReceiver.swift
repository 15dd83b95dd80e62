import Foundation
import FerryTesting
import Hummingbird
import Logging
import Synchronization
import TelegramBotAPI

/// A bot's webhook endpoint on 127.0.0.1 for the simulator to deliver to: it records every POST and
/// answers the n-th with the n-th scripted status (the last one repeats).
struct WebhookReceiver: Sendable {
    struct Delivery: Sendable {
        var path: String
        var secretToken: String?
        var contentType: String?
        var body: [UInt8]

        func update() throws -> Update {
            try BotAPIDecoder().decode(Update.self, from: body)
        }
    }

    /// Shared by the server's handler and the tests' reads.
    final class DeliveryLog: Sendable {
        let deliveries = Mutex<[Delivery]>([])
    }

    let port: Int
    private let log: DeliveryLog

    var url: String { "http://127.0.0.1:\(port)/webhook" }
    var deliveries: [Delivery] { log.deliveries.withLock { $0 } }

    /// Runs `body` against a receiver on a free port, stopped when `body` returns.
    static func withReceiver<T: Sendable>(statuses: [Int] = [200], _ body: (WebhookReceiver) async throws -> T) async throws -> T {
        precondition(!statuses.isEmpty, "script at least one status")
        let log = DeliveryLog()
        let router = Router()
        router.post("webhook") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1024 * 1024)
            let index = log.deliveries.withLock { deliveries in
                deliveries.append(Delivery(
                    path: request.uri.path,
                    secretToken: request.headers.first { $0.name.canonicalName == "x-telegram-bot-api-secret-token" }?.value,
                    contentType: request.headers[.contentType],
                    body: Array(buffer: body)
                ))
                return deliveries.count - 1
            }
            return Response(status: .init(code: statuses[min(index, statuses.count - 1)]))
        }
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: Logger(label: "webhook-receiver", factory: { _ in SwiftLogNoOpLogHandler() })
        )
        return try await serving(app, onStopped: { portContinuation.finish() }) {
            var ports = portStream.makeAsyncIterator()
            guard let port = await ports.next() else { throw CancellationError() }
            return try await body(WebhookReceiver(port: port, log: log))
        }
    }

    private init(port: Int, log: DeliveryLog) {
        self.port = port
        self.log = log
    }
}
