public import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the HTTP server allows a client, so that idle, slow and many clients cannot take the server's
/// file descriptors and leave `/webhook` and `/healthz` unanswered.
public struct ConnectionLimits: Sendable {
    /// A connection with no request in progress is closed after this long. That covers idle keep-alive
    /// connections, and clients that connect and send nothing or trickle a request's head: a head counts
    /// only once its last line has arrived.
    public var idleTimeout: Duration
    /// A request's body must have arrived in full this long after its head.
    public var bodyTimeout: Duration
    /// Connections open at once. At the limit, a new connection closes the one idle the longest (or
    /// itself, when none is idle).
    public var maximumConnections: Int

    /// 30 s idle (and head), 30 s body; 1,024 connections, or fewer when the process may open fewer
    /// files (see ``defaultMaximumConnections``).
    public init(idleTimeout: Duration = .seconds(30), bodyTimeout: Duration = .seconds(30), maximumConnections: Int? = nil) {
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.maximumConnections = max(1, maximumConnections ?? Self.defaultMaximumConnections)
    }

    /// Descriptors kept for everything but client connections: the SQLite file and its log, the
    /// connections to Telegram, the listening socket, logs.
    static let reservedDescriptors = 64

    /// 1,024, or the process's open-file limit less ``reservedDescriptors`` when that is lower (16 at least).
    public static var defaultMaximumConnections: Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 }
        // RLIM_INFINITY is the largest rlim_t, so unlimited clamps to 1,024 too.
        return max(16, min(1_024, Int(clamping: limit.rlim_cur) - reservedDescriptors))
    }

    /// An HTTP/1.1 server that keeps to these limits.
    public func http1Server() -> HTTPServerBuilder {
        let registry = ConnectionRegistry(limit: maximumConnections)
        let bodyTimeout = TimeAmount(bodyTimeout)
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [ConnectionGuardHandler(registry: registry, bodyTimeout: bodyTimeout)],
                idleTimeout: TimeAmount(idleTimeout)
            )
        )
    }
}

/// The server's open connections, on every event loop, and which have no request in progress.
final class ConnectionRegistry: Sendable {
    private struct Entry {
        let channel: any Channel
        /// When its last request ended (or it opened); nil while a request is in progress.
        var idleSince: NIODeadline?
    }

    private let limit: Int
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    init(limit: Int) { self.limit = limit }

    var count: Int { entries.withLock { $0.count } }

    /// Registers a new connection; returns the connection to close to stay within the limit: the one idle
    /// the longest, or the new one itself when every other is busy.
    func opened(_ channel: any Channel) -> (any Channel)? {
        entries.withLock { entries in
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, idleSince: .now())
            guard entries.count > limit else { return nil }
            let others = entries.lazy.filter { $0.key != ObjectIdentifier(channel) }
            let oldestIdle = others.compactMap { key, entry in entry.idleSince.map { (key, $0) } }.min { $0.1 < $1.1 }
            let victim = oldestIdle?.0 ?? ObjectIdentifier(channel)
            return entries.removeValue(forKey: victim)?.channel
        }
    }

    func requestStarted(_ channel: any Channel) { entries.withLock { $0[ObjectIdentifier(channel)]?.idleSince = nil } }
    func requestEnded(_ channel: any Channel) { entries.withLock { $0[ObjectIdentifier(channel)]?.idleSince = .now() } }
    func closed(_ channel: any Channel) { entries.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(channel)) } }
}

/// One connection's guard: registers it (closing another at the limit), marks it busy from a request's
/// head to its response's end, and closes it when a body is not in within the body timeout.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let registry: ConnectionRegistry
    private let bodyTimeout: TimeAmount
    private var bodyDeadline: Scheduled<Void>?
    /// Requests read and not yet answered: more than one when a client pipelines.
    private var requestsInProgress = 0

    init(registry: ConnectionRegistry, bodyTimeout: TimeAmount) {
        self.registry = registry
        self.bodyTimeout = bodyTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        registry.opened(context.channel)?.close(promise: nil)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        bodyDeadline?.cancel()
        bodyDeadline = nil
        registry.closed(context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        registry.closed(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestsInProgress += 1
            if requestsInProgress == 1 { registry.requestStarted(context.channel) }
            let channel = context.channel
            bodyDeadline?.cancel()
            bodyDeadline = context.eventLoop.scheduleTask(in: bodyTimeout) { channel.close(promise: nil) }
        case .body:
            break
        case .end:
            bodyDeadline?.cancel()
            bodyDeadline = nil
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            // A response sent before its request's body was read (413, 401) ends the request too.
            bodyDeadline?.cancel()
            bodyDeadline = nil
            requestsInProgress = max(0, requestsInProgress - 1)
            if requestsInProgress == 0 { registry.requestEnded(context.channel) }
        }
        context.write(data, promise: promise)
    }
}
