public import AsyncHTTPClient
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// What every AWS client needs: where, as whom, and how long and how much to accept.
public struct AWSClientConfiguration: Sendable {
    public var region: String
    /// Asked for credentials before every request, so temporary ones are replaced before they expire.
    public var credentialProvider: any AWSCredentialProvider
    /// Sends every service's requests here instead of to AWS (`AWS_ENDPOINT_URL`): a local stand-in
    /// such as moto or LocalStack.
    public var endpointOverride: AWSEndpoint?
    /// How long one call may take, on top of any wait the call itself asks for (an SQS long poll).
    public var timeout: Duration
    /// The largest answer read; a larger one fails with ``AWSClientError/responseTooLarge(operation:limit:)``.
    /// The default fits a ten-message SQS receive at the 1 MiB message maximum, with room for attributes.
    public var maxResponseBytes: Int
    /// Which failed calls are repeated: by default as the AWS SDKs' standard mode does.
    public var retry: AWSRetryPolicy

    public init(
        region: String,
        credentials: AWSCredentials,
        endpointOverride: AWSEndpoint? = nil,
        timeout: Duration = .seconds(30),
        maxResponseBytes: Int = 16 * 1024 * 1024,
        retry: AWSRetryPolicy = .standard
    ) {
        self.init(
            region: region, credentialProvider: StaticCredentialProvider(credentials), endpointOverride: endpointOverride,
            timeout: timeout, maxResponseBytes: maxResponseBytes, retry: retry
        )
    }

    public init(
        region: String,
        credentialProvider: any AWSCredentialProvider,
        endpointOverride: AWSEndpoint? = nil,
        timeout: Duration = .seconds(30),
        maxResponseBytes: Int = 16 * 1024 * 1024,
        retry: AWSRetryPolicy = .standard
    ) {
        self.region = region
        self.credentialProvider = credentialProvider
        self.endpointOverride = endpointOverride
        self.timeout = timeout
        self.maxResponseBytes = maxResponseBytes
        self.retry = retry
    }

    /// Reads the standard variables: `AWS_REGION` (or `AWS_DEFAULT_REGION`), `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` and `AWS_ENDPOINT_URL`. Lambda sets all but the last.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(AWSClientError) -> AWSClientConfiguration {
        guard let region = [environment["AWS_REGION"], environment["AWS_DEFAULT_REGION"]]
            .compactMap({ $0 }).first(where: { !$0.isEmpty })
        else { throw .missingRegion }
        guard let credentials = AWSCredentials.fromEnvironment(environment) else { throw .missingCredentials }
        var endpoint: AWSEndpoint?
        if let url = environment["AWS_ENDPOINT_URL"], !url.isEmpty {
            endpoint = try AWSEndpoint(url: url)
        }
        return AWSClientConfiguration(region: region, credentials: credentials, endpointOverride: endpoint)
    }

    /// For commands a person or a service runs (not Lambda, whose credentials are in its environment): the region
    /// and credentials from every source the AWS CLI and SDKs use (see ``AWSCredentialChain``), and
    /// `AWS_ENDPOINT_URL`.
    public static func resolve(
        _ environment: [String: String], httpClient: HTTPClient, runProcess: AWSCredentialChain.RunProcess?
    ) async throws(AWSClientError) -> AWSClientConfiguration {
        let chain = AWSCredentialChain(environment: environment, httpClient: httpClient, runProcess: runProcess)
        // Credentials first: a profile that does not exist explains a missing region too.
        let provider: any AWSCredentialProvider
        do {
            provider = try await chain.resolve()
        } catch {
            throw .credentialsUnavailable(String(describing: error))
        }
        let region: String
        do {
            guard let found = try chain.region() else { throw AWSClientError.missingRegion }
            region = found
        } catch let error as AWSClientError {
            throw error
        } catch {
            throw .credentialsUnavailable(String(describing: error))
        }
        var endpoint: AWSEndpoint?
        if let url = environment["AWS_ENDPOINT_URL"], !url.isEmpty {
            endpoint = try AWSEndpoint(url: url)
        }
        return AWSClientConfiguration(region: region, credentialProvider: provider, endpointOverride: endpoint)
    }
}
