import HTTPTypes
import Hummingbird

/// Tells a request the playground's own page made from one a browser made for a page of another site.
///
/// Browsers say which in `Sec-Fetch-Site`, and name the asking page's origin in `Origin` on every request
/// another origin's page makes with `EventSource` or `fetch`; a request from outside a browser carries neither.
enum CrossSiteRequest {
    private static let fetchSite = HTTPField.Name("Sec-Fetch-Site")!

    /// Why `request` is refused, or `nil` when it comes from the page itself (or from no browser at all).
    static func refusal(_ request: Request) -> PlaygroundFailure? {
        if let site = request.headers[fetchSite]?.lowercased(), site != "same-origin", site != "none" {
            return refused
        }
        if let origin = request.headers[.origin]?.lowercased() {
            guard let authority = request.head.authority?.lowercased(), origin == "http://" + authority else { return refused }
        }
        return nil
    }

    private static let refused = PlaygroundFailure(
        status: 403, message: "only the playground's own page may open this; another site's page asked for it"
    )
}
