public import Ferry
public import FerryRuntime
public import Logging
public import ServiceLifecycle
import Hummingbird
import Metrics
import NIOCore
import Prometheus
import Synchronization

/// Runs a bot on a machine: the HTTP server (webhook, health, metrics) or long polling in front, a queue in
/// the middle (the data directory's, or one several machines share: ``HostedQueue``), the dispatcher behind.
/// A ServiceLifecycle `Service`: on graceful shutdown (SIGTERM, SIGINT) the server stops taking requests
/// first, then the dispatcher finishes what is in flight.
public final class LocalHost: Service {
    public struct Configuration: Sendable {
        public enum Ingress: Sendable {
            /// Telegram posts updates to `POST /webhook`.
            case webhook
            /// Updates are fetched with `getUpdates`; the HTTP server still serves health and metrics.
            /// Without `allowedUpdates`, the host asks for the kinds the bot's handlers take
            /// (``Ferry/Bot/allowedUpdates``). Only over the embedded queue.
            case polling(LongPollingIngress.Configuration)
        }

        public var host: String
        public var port: Int
        public var ingress: Ingress
        public var webhook: WebhookIngress.Configuration
        public var dispatcher: Dispatcher.Configuration
        public var policy: UpdateProcessor.Policy
        /// Idle and body timeouts and the connection limit of the HTTP server.
        public var connections: ConnectionLimits

        public init(
            host: String = "127.0.0.1", port: Int = 8080, ingress: Ingress = .webhook,
            webhook: WebhookIngress.Configuration = .init(), dispatcher: Dispatcher.Configuration = .init(),
            policy: UpdateProcessor.Policy = .init(), connections: ConnectionLimits = .init()
        ) {
            self.host = host
            self.port = port
            self.ingress = ingress
            self.webhook = webhook
            self.dispatcher = dispatcher
            self.policy = policy
            self.connections = connections
        }
    }

    public let configuration: Configuration
    private let bot: Bot
    private let queue: HostedQueue
    private let logger: Logger
    private let extraRoutes: [any HostRoutes]
    private let registry = PrometheusCollectorRegistry()
    private let boundPort = Mutex<Int?>(nil)

    /// - Parameter routes: served on the same server, beside the host's own routes.
    public init(
        bot: Bot, queue: HostedQueue, configuration: Configuration, routes: [any HostRoutes] = [],
        logger: Logger = Logger(label: "ferry")
    ) {
        self.bot = bot
        self.queue = queue
        self.configuration = configuration
        self.extraRoutes = routes
        self.logger = logger
    }

    /// The port the server listens on once it runs (useful with port 0).
    public var port: Int? { boundPort.withLock { $0 } }

    public func run() async throws {
        if case .polling = configuration.ingress, !queue.allowsPolling {
            throw HostConfigurationError("long polling needs the embedded queue: Telegram lets one getUpdates caller in at a time, so machines sharing a queue take webhooks")
        }
        if let takeBack = queue.takeBackInFlight {
            let recovered = try await takeBack()
            if recovered > 0 { logger.notice("taking back updates the previous run left in flight", metadata: ["count": "\(recovered)"]) }
        }
        let metrics = PipelineMetrics(factory: PrometheusMetricsFactory(registry: registry))
        let processor = UpdateProcessor(bot: bot, policy: configuration.policy, metrics: metrics, logger: logger)
        let dispatcher = Dispatcher(queue: queue.queue, processor: processor, configuration: configuration.dispatcher)
        let ingress = WebhookIngress(configuration: configuration.webhook, queue: queue.queue, metrics: metrics, logger: logger) {
            dispatcher.wake()
        }
        let router = HTTPRoutes(
            ingress: ingress, acceptsWebhooks: { if case .webhook = configuration.ingress { true } else { false } }(),
            metrics: { [queue, registry] in
                await queue.reportFigures(metrics)
                return registry.emitToString()
            },
            unhealthy: queue.unhealthy
        ).router()
        for routes in extraRoutes { routes.addRoutes(to: router) }
        let server = Application(
            router: router, server: configuration.connections.http1Server(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { [self, logger, extraRoutes] channel in
                let port = channel.localAddress?.port
                self.boundPort.withLock { $0 = port }
                logger.info("listening", metadata: ["host": "\(self.configuration.host)", "port": "\(port.map(String.init) ?? "?")"])
                if let port {
                    for routes in extraRoutes { await routes.serverDidStart(host: self.configuration.host, port: port) }
                }
            },
            logger: logger
        )
        // Services stop in reverse order: ingress first, so nothing new arrives while the
        // dispatcher finishes the updates in flight.
        var services: [any Service] = [DispatcherService(dispatcher: dispatcher)]
        if case .polling(var pollingConfiguration) = configuration.ingress {
            if pollingConfiguration.allowedUpdates == nil { pollingConfiguration.allowedUpdates = bot.allowedUpdates }
            let poller = LongPollingIngress(
                api: bot.api, queue: queue.queue, configuration: pollingConfiguration, metrics: metrics, logger: logger
            ) { dispatcher.wake() }
            services.append(PollingService(poller: poller))
        }
        services.append(server)
        let group = ServiceGroup(
            configuration: .init(services: services.map { .init(service: $0) }, logger: logger)
        )
        try await group.run()
    }
}

/// A host asked to do what its queue does not allow.
public struct HostConfigurationError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// The dispatcher as a ServiceLifecycle service: graceful shutdown lets it drain; cancellation
/// stops it too, since its idle wait does not watch for cancellation itself.
struct DispatcherService: Service {
    let dispatcher: Dispatcher

    func run() async throws {
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await dispatcher.run()
            } onGracefulShutdown: {
                dispatcher.stop()
            }
        } onCancel: {
            dispatcher.stop()
        }
    }
}

/// Long polling as a service: graceful shutdown cancels the pending `getUpdates` call; updates
/// already queued are safe, and the offset was never moved past anything unqueued.
struct PollingService: Service {
    let poller: LongPollingIngress

    func run() async throws {
        // A refusal ends the service, and with it the host: polling again cannot mend it.
        try await cancelWhenGracefulShutdown {
            try await poller.run()
        }
    }
}
