public import Hummingbird

/// Routes another module serves on the host's HTTP server beside `/webhook`, `/healthz` and `/metrics`
/// (the offline playground, say), so they listen exactly where the host listens and nowhere else.
public protocol HostRoutes: Sendable {
    /// Adds the routes; called once, before the server starts.
    func addRoutes(to router: Router<HostRequestContext>)

    /// The server listens on `host`, at `port` (the bound one when port 0 was asked for).
    func serverDidStart(host: String, port: Int) async
}
