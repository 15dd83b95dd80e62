public import FerryServer
public import FerrySimulator
public import Logging
public import ServiceLifecycle
public import Hummingbird
import Synchronization
import TelegramBotAPI

/// The offline playground: a page at `/playground` on the bot's own server where a person plays the
/// users of a simulated Telegram (``BotAPISimulator``) and watches the bot answer, live.
///
/// Wiring, as `serve` does it without a token:
/// 1. start a simulator whose token is ``PlaygroundCredentials/token`` and point the bot's client at it;
/// 2. give the playground to the host's routes (``HostRoutes``) with ``PlaygroundCredentials/webhookSecret``
///    as the webhook secret: once the server listens, the playground sets the simulator's webhook to the
///    host's `/webhook`, so every update takes the path a real one takes (ingress, queue, dispatcher);
/// 3. run the playground as a service after the host, so that on shutdown its event streams end first
///    (the server waits for open responses), and stop the simulator after the host, which may still be
///    sending the bot's last replies.
public final class Playground: Service, HostRoutes {
    public struct Configuration: Sendable {
        /// The bot binary's name, for the page's "connect a real token" instructions.
        public var commandName: String
        /// Open event streams at once; more are refused with 503.
        public var maximumEventStreams: Int
        /// Open event streams of one client address at once; more are refused with 429. A page holds one
        /// (two for a moment while it reconnects), so a few tabs fit; a client cannot take them all.
        public var maximumEventStreamsPerClient: Int
        /// Users and chats the page may create; the simulator keeps them all in memory.
        public var maximumUsers: Int
        public var maximumGroups: Int
        /// How often the status panel's figures are read while a page is open.
        public var pipelineRefreshInterval: Duration
        /// Where `dev` keeps its build status (``DevStatusFile``), when the bot runs under `dev`: the page
        /// then shows a failed build's errors as a banner.
        public var devStatusFile: String?

        public init(
            commandName: String, maximumEventStreams: Int = 16, maximumEventStreamsPerClient: Int = 4, maximumUsers: Int = 500,
            maximumGroups: Int = 500, pipelineRefreshInterval: Duration = .seconds(1), devStatusFile: String? = nil
        ) {
            self.devStatusFile = devStatusFile
            self.commandName = commandName
            self.maximumEventStreams = maximumEventStreams
            self.maximumEventStreamsPerClient = maximumEventStreamsPerClient
            self.maximumUsers = maximumUsers
            self.maximumGroups = maximumGroups
            self.pipelineRefreshInterval = pipelineRefreshInterval
        }
    }

    public let configuration: Configuration
    let simulator: BotAPISimulator
    let events: PlaygroundEventHub
    private let credentials: PlaygroundCredentials
    private let pipeline: any PipelineStateSource
    private let logger: Logger
    /// Serializes creating users and groups, so the limits hold under concurrent requests.
    let creation = Mutex(())

    public init(
        simulator: BotAPISimulator,
        credentials: PlaygroundCredentials,
        pipeline: any PipelineStateSource,
        configuration: Configuration,
        logger: Logger
    ) {
        self.simulator = simulator
        self.credentials = credentials
        self.pipeline = pipeline
        self.configuration = configuration
        self.logger = logger
        self.events = PlaygroundEventHub(
            maximumSubscribers: configuration.maximumEventStreams, maximumPerClient: configuration.maximumEventStreamsPerClient
        )
        // Someone to be from the first moment: a newcomer types /start without setting anything up.
        if simulator.users.isEmpty {
            let user = simulator.createUser(firstName: "Ada", lastName: "Lovelace", username: "ada")
            _ = try? simulator.openPrivateChat(with: user)
        }
    }

    // MARK: HostRoutes

    public func addRoutes(to router: Router<HostRequestContext>) {
        PlaygroundRoutes(playground: self).add(to: router)
    }

    public func serverDidStart(host: String, port: Int) async {
        if !Self.isLoopback(host) {
            // The playground has no password: its page and endpoints drive the bot's handlers as any simulated user.
            logger.warning(
                "The playground listens on \(host), beyond this machine: anyone who can reach port \(port) of it can open the playground and drive the bot's handlers as any of its users. Start with --host 127.0.0.1 unless everyone on that network may."
            )
        }
        let url = "http://\(Self.loopbackAddress(for: host)):\(port)/webhook"
        do {
            _ = try await simulator.setWebhook(url: url, secretToken: credentials.webhookSecret)
        } catch {
            logger.error("the simulated Telegram could not set its webhook", metadata: ["error": "\(error)"])
            return
        }
        let page = "http://\(Self.loopbackAddress(for: host)):\(port)/playground"
        logger.notice(
            "No TELEGRAM_BOT_TOKEN: this is a simulation of Telegram, nothing leaves this machine. Talk to the bot at \(page). For the real Telegram, set TELEGRAM_BOT_TOKEN to the token @BotFather gives you and start again."
        )
    }

    /// Whether only this machine can reach `host`: `localhost`, 127.0.0.0/8 or ::1.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// Where the simulator (and a browser on this machine) reaches the host: a wildcard address listens on loopback too.
    private static func loopbackAddress(for host: String) -> String {
        switch host {
        case "0.0.0.0", "": "127.0.0.1"
        case "::": "[::1]"
        default: host.contains(":") ? "[\(host)]" : host
        }
    }

    // MARK: Service

    /// Relays the bot's actions and the pipeline's figures to open pages until graceful shutdown,
    /// then ends their event streams.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.relayBotActions() }
                group.addTask { await self.relayPipelineState() }
                _ = await group.next()
                group.cancelAll()
            }
        }
        events.finish()
    }

    private func relayBotActions() async {
        for await action in simulator.actions() {
            if let event = PlaygroundEvent(action) { events.publish(event) }
        }
    }

    /// Publishes the figures every interval while a page listens (each also keeps idle streams alive,
    /// so a page that went away is noticed by the failed write).
    private func relayPipelineState() async {
        while !Task.isCancelled {
            if events.hasSubscribers, let state = try? await pipelineState() {
                events.publish(.pipeline(state))
            }
            try? await Task.sleep(for: configuration.pipelineRefreshInterval)
        }
    }

    func pipelineState() async throws -> PipelineState {
        PipelineState(
            awaitingDelivery: simulator.pendingUpdateCount,
            queueDepth: try await pipeline.depth(),
            deadLetters: try await pipeline.deadLetterCount()
        )
    }
}
