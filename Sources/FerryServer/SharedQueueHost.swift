public import Ferry
public import FerryQueue
public import FerryRuntime
public import Logging
public import ServiceLifecycle
import Hummingbird
import Prometheus
import Synchronization

/// Runs a bot on one of several machines sharing one queue (SQS FIFO, through `serve --queue sqs`):
/// `POST /webhook` puts updates into the shared queue, and the dispatcher takes them out, one chat
/// at a time across every machine, since the queue hands out only a group's head. Health and metrics
/// are served as by ``LocalHost``.
///
/// Unlike ``LocalHost`` it takes nothing back at start-up: updates another machine holds are not this
/// one's, and a stopped machine's come back by themselves when their visibility timeout ends. There is
/// no long polling either: Telegram lets only one `getUpdates` caller in at a time.
public final class SharedQueueHost: Service {
    public struct Configuration: Sendable {
        public var host: String
        public var port: Int
        public var webhook: WebhookIngress.Configuration
        public var dispatcher: Dispatcher.Configuration
        public var policy: UpdateProcessor.Policy
        /// Idle and body timeouts and the connection limit of the HTTP server.
        public var connections: ConnectionLimits

        public init(
            host: String = "127.0.0.1", port: Int = 8080, webhook: WebhookIngress.Configuration = .init(),
            dispatcher: Dispatcher.Configuration = .init(), policy: UpdateProcessor.Policy = .init(),
            connections: ConnectionLimits = .init()
        ) {
            self.host = host
            self.port = port
            self.webhook = webhook
            self.dispatcher = dispatcher
            self.policy = policy
            self.connections = connections
        }
    }

    public let configuration: Configuration
    private let bot: Bot
    private let queue: any UpdateQueue
    private let logger: Logger
    private let registry = PrometheusCollectorRegistry()
    private let boundPort = Mutex<Int?>(nil)

    public init(bot: Bot, queue: any UpdateQueue, configuration: Configuration, logger: Logger = Logger(label: "ferry")) {
        self.bot = bot
        self.queue = queue
        self.configuration = configuration
        self.logger = logger
    }

    /// The port the server listens on once it runs (useful with port 0).
    public var port: Int? { boundPort.withLock { $0 } }

    public func run() async throws {
        let metrics = PipelineMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let processor = UpdateProcessor(bot: bot, policy: configuration.policy, metrics: metrics, logger: logger)
        let dispatcher = Dispatcher(queue: queue, processor: processor, configuration: configuration.dispatcher)
        let ingress = WebhookIngress(configuration: configuration.webhook, queue: queue, metrics: metrics, logger: logger) {
            dispatcher.wake()
        }
        let router = HTTPRoutes(ingress: ingress, acceptsWebhooks: true, metrics: { [registry] in registry.emitToString() }).router()
        let server = Application(
            router: router, server: configuration.connections.http1Server(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { [self, logger] channel in
                let port = channel.localAddress?.port
                self.boundPort.withLock { $0 = port }
                logger.info("listening", metadata: ["host": "\(self.configuration.host)", "port": "\(port.map(String.init) ?? "?")"])
            },
            logger: logger
        )
        // Services stop in reverse order: the server first, then the dispatcher drains.
        let services: [any Service] = [DispatcherService(dispatcher: dispatcher), server]
        try await ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, logger: logger)).run()
    }
}
