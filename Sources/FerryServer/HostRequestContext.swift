public import Hummingbird
public import NIOCore

/// The context of every request to the host's server: Hummingbird's basic one, plus the address the
/// request came from, for limits that hold per client (the playground's event streams).
public struct HostRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer of the connection: the client, or a proxy in front of the server.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
