import AsyncHTTPClient
import Hummingbird
import Logging
public import ServiceLifecycle
import Synchronization
public import TelegramBotAPI

/// A fake Telegram in the test process: the Bot API over HTTP on 127.0.0.1, a world of users, chats
/// and messages, and a user side that makes users write, press buttons and type inline queries.
///
/// ```swift
/// let simulator = BotAPISimulator()
/// try await simulator.start()
/// let client = TelegramClient(token: simulator.token, configuration: .init(baseURL: simulator.baseURL!))
///
/// let ada = simulator.createUser(firstName: "Ada")
/// let hello = try simulator.sendText(from: ada, "hello")        // the bot receives an Update
/// ... the bot polls getUpdates (or gets a webhook POST) and answers with sendMessage ...
/// let replies = try await simulator.waitForMessages(in: hello.chat, count: 1, after: hello)
///
/// await simulator.shutdown()
/// ```
///
/// Answers have Telegram's exact shapes, built from the generated Bot API types, and Telegram's errors:
/// 401 for a wrong token, 404 for an unknown method, 400 `chat not found`, 403 when a user blocked the bot,
/// 429 with `retry_after` beyond the (switchable) flood limits, plus any fault a test injects.
///
/// The simulator runs either with ``start()`` and ``shutdown()``, or as a ServiceLifecycle `Service`
/// through ``run()``. Either way it runs once: a simulator that shut down stays down.
public final class BotAPISimulator: Service, BotAPI, Sendable {
    public let configuration: Configuration
    let engine: SimulatorEngine

    private enum ServerState {
        case idle
        case starting
        case running(port: Int)
        case failed(String)
        case stopped
    }

    private let state = Mutex(ServerState.idle)
    /// The task ``start()`` runs the simulator in, for ``shutdown()`` to end.
    /// The task and service group `start()` runs the simulator in; `shutdown()` stops the group gracefully.
    private let started = Mutex<(task: Task<Void, any Error>, group: ServiceGroup)?>(nil)
    /// Wakes ``start()`` when the server is listening or has failed.
    private let stateChanged = ChangeSignal()

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.engine = SimulatorEngine(configuration: configuration)
    }

    /// The id of the bot whose world `worldFile` holds, so a restarted simulator can be given a token for the
    /// same bot; `nil` when there is no such file yet.
    public static func savedBotID(inWorldFile worldFile: String) throws(SimulatorError) -> Int? {
        try WorldFile(path: worldFile).load()?.bot.id
    }

    /// The token the simulated bot has; pass it to the client under test.
    public var token: String { configuration.token }

    /// The bot, as `getMe` answers.
    public var bot: User { configuration.botUser }

    /// The port the server listens on, once it does.
    public var port: Int? {
        if case .running(let port) = state.withLock({ $0 }) { return port }
        return nil
    }

    /// Where to point a client: `TelegramClient.Configuration(baseURL: simulator.baseURL!)`; `nil` until started.
    public var baseURL: String? {
        port.map { "http://\(configuration.host):\($0)" }
    }

    // MARK: Lifecycle

    /// Starts the server and the webhook deliverer, and returns once the server listens.
    public func start() async throws {
        let task: Task<Void, any Error>? = started.withLock { current in
            guard current == nil else { return nil }
            let group = ServiceGroup(
                configuration: .init(services: [.init(service: self)], logger: configuration.logger)
            )
            let task = Task { try await group.run() }
            current = (task, group)
            return task
        }
        guard let task else { throw SimulatorError.alreadyStarted }
        // A server that cannot bind reports it at once; the deadline only guards against a hang. It is long
        // because a test process whose threads are all busy (every suite starting at once on a loaded
        // 2-core machine) can leave the server's task unscheduled for tens of seconds.
        let outcome = await stateChanged.wait(until: .now + .seconds(120)) { () -> Result<Void, SimulatorError>? in
            switch state.withLock({ $0 }) {
            case .running: .success(())
            case .failed(let reason): .failure(.serverFailedToStart(reason))
            case .stopped: .failure(.serverFailedToStart("stopped before it listened"))
            case .idle, .starting: nil
            }
        }
        switch outcome {
        case .success?: return
        case .failure(let error)?:
            task.cancel()
            throw error
        case nil:
            task.cancel()
            throw SimulatorError.serverFailedToStart("not listening after 120 seconds")
        }
    }

    /// Stops the server and the deliverer, ends every pending long poll and wait, and returns when all is down.
    ///
    /// A graceful shutdown, not a cancellation: cancelling a NIO server can strand a connection it has
    /// accepted but not begun to serve, which NIO's debug builds trap on. Requests still running after
    /// five seconds are cancelled; the listener is closed by then.
    public func shutdown() async {
        engine.close()
        guard let (task, group) = started.withLock({ $0 }) else { return }
        await group.triggerGracefulShutdown()
        let deadline = Task {
            try await Task.sleep(for: .seconds(5))
            task.cancel()
        }
        _ = await task.result
        deadline.cancel()
    }

    /// Runs the simulator until the task is cancelled or a graceful shutdown is triggered.
    public func run() async throws {
        let claimed = state.withLock { state in
            guard case .idle = state else { return false }
            state = .starting
            return true
        }
        guard claimed else { throw SimulatorError.alreadyStarted }
        let worldFile = configuration.worldFile.map(WorldFile.init(path:))
        if let worldFile {
            do {
                try engine.restore(from: worldFile)
            } catch {
                enter(.failed("\(error)"))
                throw error
            }
        }

        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.redirectConfiguration = .disallow
        // The deliverer retries with its own backoff, as Telegram does, and reports each failure as it happens.
        httpConfiguration.connectionPool.retryConnectionEstablishment = false
        let httpClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
        let deliverer = WebhookDeliverer(
            engine: engine,
            httpClient: httpClient,
            retry: configuration.webhookRetry,
            timeout: configuration.webhookTimeout,
            logger: configuration.logger
        )
        let application = Application(
            responder: BotAPIResponder(engine: engine, maximumRequestSize: configuration.maximumRequestSize),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in
                self.enter(.running(port: channel.localAddress?.port ?? 0))
            },
            logger: configuration.logger
        )

        var failure: (any Error)?
        do {
            try await withGracefulShutdownHandler {
                // Each task says whether it is the server: the group ends with the server (shutdown or failure).
                // The deliverer only ends when cancelled; the saver also ends when the engine closes.
                try await withThrowingTaskGroup(of: Bool.self) { group in
                    group.addTask { try await application.run(); return true }
                    group.addTask { await deliverer.run(); return false }
                    if let worldFile {
                        group.addTask { [engine] in await engine.keepSaving(to: worldFile, every: .milliseconds(200)); return false }
                    }
                    defer { group.cancelAll() }
                    while let isServer = try await group.next(), !isServer {}
                }
            } onGracefulShutdown: { [engine] in
                // Long polls must not hold up the server's graceful shutdown.
                engine.close()
            }
        } catch is CancellationError {
            // shutdown() cancels: a normal end.
        } catch {
            failure = error
        }
        engine.close()
        // After the server has stopped: the bot's last calls are in the world by now.
        if let worldFile { engine.save(to: worldFile) }
        try? await httpClient.shutdown()
        enter(failure.map { .failed(String(describing: $0)) } ?? .stopped)
        if let failure { throw failure }
    }

    private func enter(_ newState: ServerState) {
        state.withLock { $0 = newState }
        stateChanged.notify()
    }
}
