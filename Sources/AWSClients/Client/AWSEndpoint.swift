/// Where a service's requests go: `https://sqs.eu-west-1.amazonaws.com` or, for a local stand-in,
/// `http://127.0.0.1:5000`.
public struct AWSEndpoint: Sendable, Equatable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    public let port: Int?
    /// The path prefix every request is sent to; `/` for AWS itself.
    public let path: String

    /// Parses an `http://` or `https://` URL such as the value of `AWS_ENDPOINT_URL`.
    ///
    /// - Throws: ``AWSClientError/invalidEndpoint(_:)`` for any other scheme, a missing host or a bad port.
    public init(url: String) throws(AWSClientError) {
        guard let schemeEnd = url.firstRange(of: "://") else { throw .invalidEndpoint(url) }
        let scheme = url[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { throw .invalidEndpoint(url) }
        let rest = url[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        let path = rest[authority.endIndex...].prefix { $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@") else { throw .invalidEndpoint(url) }

        var host = Substring(authority)
        var port: Int?
        // The port follows the last colon, unless that colon is inside an IPv6 literal (`[::1]`).
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let number = Int(authority[authority.index(after: colon)...]), (1...65_535).contains(number) else {
                throw .invalidEndpoint(url)
            }
            host = authority[..<colon]
            port = number
        }
        guard !host.isEmpty else { throw .invalidEndpoint(url) }
        self.scheme = scheme
        self.host = String(host)
        self.port = port == (scheme == "https" ? 443 : 80) ? nil : port
        self.path = path.isEmpty ? "/" : String(path)
    }

    /// The public endpoint of `endpointPrefix` (such as `sqs`) in `region`.
    public static func aws(_ endpointPrefix: String, region: String) -> AWSEndpoint {
        let domain = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return AWSEndpoint(scheme: "https", host: "\(endpointPrefix).\(region).\(domain)", port: nil, path: "/")
    }

    private init(scheme: String, host: String, port: Int?, path: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.path = path
    }

    /// The `Host` header: the host, with the port when it is not the scheme's default.
    public var hostHeader: String {
        port.map { "\(host):\($0)" } ?? host
    }

    /// The URL requests are sent to.
    public var url: String { "\(scheme)://\(hostHeader)\(path)" }

    public var description: String { url }
}
