public import AsyncHTTPClient
import NIOCore
import NIOHTTP1
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Where an AWS client gets the credentials it signs with: asked before every request, so temporary
/// credentials are replaced before they expire.
public protocol AWSCredentialProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

/// Credentials that never change (access keys in the environment or a credentials file, or a test's).
public struct StaticCredentialProvider: AWSCredentialProvider {
    public let value: AWSCredentials
    public init(_ value: AWSCredentials) { self.value = value }
    public func credentials() async throws -> AWSCredentials { value }
}

/// Credentials as a source hands them out, with when they stop working (`nil`: never).
public struct ExpiringCredentials: Sendable {
    public var credentials: AWSCredentials
    public var expiration: Date?

    public init(credentials: AWSCredentials, expiration: Date?) {
        self.credentials = credentials
        self.expiration = expiration
    }

    /// The JSON the sources share: `credential_process` and `aws configure export-credentials` (`AccessKeyId`,
    /// `SecretAccessKey`, `SessionToken`, `Expiration`), the container and instance metadata endpoints (`Token`).
    static func decode(_ bytes: [UInt8], source: String) throws(AWSCredentialError) -> ExpiringCredentials {
        guard let document = try? JSONDecoder().decode(CredentialDocument.self, from: Data(bytes)) else {
            throw .unusable(source: source, reason: "its answer is not AccessKeyId, SecretAccessKey and an optional token as JSON")
        }
        var expiration: Date?
        if let text = document.Expiration {
            guard let date = try? Date(text, strategy: .iso8601) else {
                throw .unusable(source: source, reason: "its Expiration \"\(text)\" is not an ISO 8601 time")
            }
            expiration = date
        }
        return ExpiringCredentials(
            credentials: AWSCredentials(
                accessKeyID: document.AccessKeyId, secretAccessKey: document.SecretAccessKey,
                sessionToken: document.SessionToken ?? document.Token
            ),
            expiration: expiration
        )
    }
}

/// The shape every credential source answers in.
private struct CredentialDocument: Decodable {
    var AccessKeyId: String
    var SecretAccessKey: String
    var SessionToken: String?
    var Token: String?
    var Expiration: String?
}

/// Keeps what a source gave until shortly before it expires, then asks again, as the AWS CLI and SDKs do: a
/// request is never signed with credentials in their last ``refreshMargin``. Callers arriving during a refresh
/// wait for that one instead of starting their own.
public actor RefreshingCredentialProvider: AWSCredentialProvider {
    /// How long before the expiry the credentials are replaced: 5 minutes, like the SDKs' default.
    public static let refreshMargin: TimeInterval = 5 * 60

    private let source: @Sendable () async throws -> ExpiringCredentials
    private let now: @Sendable () -> Date
    private var cached: ExpiringCredentials?
    private var refreshing: Task<ExpiringCredentials, any Error>?

    public init(now: @escaping @Sendable () -> Date = { Date() }, source: @escaping @Sendable () async throws -> ExpiringCredentials) {
        self.source = source
        self.now = now
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached, !isDue(cached) { return cached.credentials }
        let task: Task<ExpiringCredentials, any Error>
        if let refreshing {
            task = refreshing
        } else {
            task = Task { [source] in try await source() }
            refreshing = task
        }
        do {
            let fresh = try await task.value
            cached = fresh
            refreshing = nil
            return fresh.credentials
        } catch {
            refreshing = nil
            // Credentials not yet expired still sign: a passing failure of the source does not stop the bot.
            if let cached, let expiration = cached.expiration, expiration > now() { return cached.credentials }
            throw error
        }
    }

    private func isDue(_ credentials: ExpiringCredentials) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return expiration.timeIntervalSince(now()) <= Self.refreshMargin
    }
}

/// Why no credentials could be found or used.
public enum AWSCredentialError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Every source was tried; `tried` says which, in order.
    case notFound(tried: [String])
    case profileNotFound(String, files: [String])
    case unusable(source: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let tried):
            "no AWS credentials found (looked at: \(tried.joined(separator: "; "))): run `aws configure` or `aws sso login`, set AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        case .profileNotFound(let profile, let files):
            "the AWS profile \"\(profile)\" is in neither \(files.joined(separator: " nor ")): check AWS_PROFILE (or --profile), or run `aws configure --profile \(profile)`"
        case .unusable(let source, let reason):
            "the AWS credentials from \(source) cannot be used: \(reason)"
        }
    }
}
