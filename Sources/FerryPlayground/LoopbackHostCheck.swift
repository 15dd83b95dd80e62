import HTTPTypes
import Hummingbird

/// Answers only requests addressed to `localhost` or to an IP address, whatever interface they came in on.
///
/// A web page elsewhere can point a name of its own at 127.0.0.1 (DNS rebinding) and then call the playground
/// as if it were its own site: the browser sends that name in `Host`. Asking for the playground by an IP
/// address or as `localhost` is how a person opens it, so only those are served.
struct LoopbackHostCheck<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authority = request.head.authority, Self.isAllowed(authority: authority) else {
            return Response(
                status: .forbidden,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: .init(byteBuffer: .init(string: "the playground answers only at localhost or an IP address\n"))
            )
        }
        return try await next(request, context)
    }

    /// `host[:port]` where host is `localhost`, an IPv4 address or a bracketed IPv6 address.
    static func isAllowed(authority: String) -> Bool {
        let host: Substring
        if authority.hasPrefix("[") {
            guard let end = authority.firstIndex(of: "]") else { return false }
            return authority[authority.index(after: authority.startIndex)..<end].allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
                && isPortOrNothing(authority[authority.index(after: end)...])
        }
        if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            guard isPortOrNothing(authority[colon...]) else { return false }
        } else {
            host = authority[...]
        }
        if host.lowercased() == "localhost" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { octet in
            !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCIIDigit) && Int(octet)! <= 255
        }
    }

    private static func isPortOrNothing(_ rest: Substring) -> Bool {
        rest.isEmpty || (rest.first == ":" && rest.count > 1 && rest.dropFirst().allSatisfy(\.isASCIIDigit))
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
