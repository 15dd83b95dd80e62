public import AsyncHTTPClient
public import Logging

/// A typed façade over ``AWSJSONClient`` for one service (`SQSClient`, `SSMClient`,
/// `DynamoDBClient`): the ways to make one and to shut it down are the same for all of them.
public protocol AWSServiceClient: Sendable {
    /// The service the underlying client must speak.
    static var service: AWSJSONService { get }
    /// A logger that discards everything, the default for clients made without one.
    static var silentLogger: Logger { get }
    var client: AWSJSONClient { get }
    /// Wraps a client for ``service``.
    init(wrapping client: AWSJSONClient)
}

extension AWSServiceClient {
    public init(client: AWSJSONClient) {
        precondition(client.service == Self.service, "\(Self.self) needs a client for the \(Self.service) service")
        self.init(wrapping: client)
    }

    /// A client on an `HTTPClient` that the caller owns and shuts down.
    public init(configuration: AWSClientConfiguration, httpClient: HTTPClient, logger: Logger = Self.silentLogger) {
        self.init(wrapping: AWSJSONClient(service: Self.service, configuration: configuration, httpClient: httpClient, logger: logger))
    }

    /// A client with an `HTTPClient` of its own; call ``shutdown()`` when done with it.
    public init(configuration: AWSClientConfiguration, logger: Logger = Self.silentLogger) {
        self.init(wrapping: AWSJSONClient(service: Self.service, configuration: configuration, logger: logger))
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }
}
