public import AsyncHTTPClient
import NIOCore
import NIOHTTP1
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// The credential sources the AWS CLI and SDKs look at, in their order, for commands run by a person or a
/// service (`dlq --stage`, `serve --queue sqs`): Lambda functions take theirs from the environment.
///
/// 1. `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`);
/// 2. the profile (`AWS_PROFILE`, else `default`) of the shared files, `~/.aws/credentials` and `~/.aws/config`
///    (or `AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`): its access keys; its `credential_process`; or, for
///    what only the CLI knows (IAM Identity Center/SSO, assumed roles, web identity), the CLI itself through
///    `aws configure export-credentials`, which reads the CLI's SSO cache and refreshes it;
/// 3. the container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `_FULL_URI`, as ECS
///    and EKS Pod Identity set them);
/// 4. the instance metadata service (IMDSv2), unless `AWS_EC2_METADATA_DISABLED=true`.
///
/// Temporary credentials from 2-4 are refreshed five minutes before they expire.
public struct AWSCredentialChain: Sendable {
    /// Runs a program (`argv`) and returns its standard output; how `credential_process` and the AWS CLI run.
    public typealias RunProcess = @Sendable (_ arguments: [String]) async throws -> String

    public var environment: [String: String]
    public var httpClient: HTTPClient
    public var runProcess: RunProcess?
    /// How long the container and instance metadata endpoints may take: they are link-local and answer at once,
    /// and off AWS nothing answers at all, which should not hold a command up for long.
    public var metadataTimeout: Duration

    public init(environment: [String: String], httpClient: HTTPClient, runProcess: RunProcess?, metadataTimeout: Duration = .seconds(2)) {
        self.environment = environment
        self.httpClient = httpClient
        self.runProcess = runProcess
        self.metadataTimeout = metadataTimeout
    }

    /// The first source that has credentials; its provider is checked once here, so a broken source is reported
    /// at start rather than at the first request.
    public func resolve() async throws -> any AWSCredentialProvider {
        if let keys = AWSCredentials.fromEnvironment(environment) { return StaticCredentialProvider(keys) }
        var tried = ["AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"]

        let files = SharedConfigFiles(environment: environment)
        let profileName = files.profileName
        if let profile = try files.profile(profileName) {
            if let provider = try await provider(for: profile, named: profileName) { return provider }
            tried.append("profile \(profileName) (no keys, credential_process or role in it)")
        } else if files.profileWasAsked {
            throw AWSCredentialError.profileNotFound(profileName, files: [files.credentialsPath, files.configPath])
        } else {
            tried.append("profile default in \(files.credentialsPath) and \(files.configPath)")
        }

        if let endpoint = ContainerCredentials(environment: environment, timeout: metadataTimeout) {
            return try await checked(RefreshingCredentialProvider { [httpClient] in try await endpoint.fetch(httpClient) })
        }
        tried.append("the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_*_URI not set)")

        if environment["AWS_EC2_METADATA_DISABLED"]?.lowercased() != "true" {
            let metadata = InstanceMetadataCredentials(environment: environment, timeout: metadataTimeout)
            let provider = RefreshingCredentialProvider { [httpClient] in try await metadata.fetch(httpClient) }
            // Off EC2 nothing answers there: that is "no credentials here", not a failure.
            if (try? await provider.credentials()) != nil { return provider }
            tried.append("the instance metadata service (no answer)")
        }
        throw AWSCredentialError.notFound(tried: tried)
    }

    /// The region: `AWS_REGION`, `AWS_DEFAULT_REGION`, else the profile's `region`.
    public func region() throws -> String? {
        for variable in ["AWS_REGION", "AWS_DEFAULT_REGION"] {
            if let region = environment[variable], !region.isEmpty { return region }
        }
        let files = SharedConfigFiles(environment: environment)
        return try files.profile(files.profileName)?["region"]
    }

    private func provider(for profile: [String: String], named name: String) async throws -> (any AWSCredentialProvider)? {
        if let key = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"], !key.isEmpty, !secret.isEmpty {
            return StaticCredentialProvider(AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: profile["aws_session_token"]))
        }
        guard let runProcess else { return nil }
        if let command = profile["credential_process"], !command.isEmpty {
            let source = "the credential_process of profile \(name)"
            return try await checked(RefreshingCredentialProvider {
                try ExpiringCredentials.decode(Array(try await runProcess(["/bin/sh", "-c", command]).utf8), source: source)
            })
        }
        let delegated = ["sso_session", "sso_start_url", "role_arn", "web_identity_token_file", "source_profile"]
        guard delegated.contains(where: { profile[$0] != nil }) else { return nil }
        let source = "`aws configure export-credentials --profile \(name)`"
        return try await checked(RefreshingCredentialProvider {
            let output = try await runProcess(["aws", "configure", "export-credentials", "--profile", name, "--format", "process"])
            return try ExpiringCredentials.decode(Array(output.utf8), source: source)
        })
    }

    private func checked(_ provider: RefreshingCredentialProvider) async throws -> any AWSCredentialProvider {
        _ = try await provider.credentials()
        return provider
    }
}

/// The AWS CLI's shared files, read as the CLI reads them: `[name]` sections in the credentials file,
/// `[profile name]` (and `[default]`) in the config file, `key = value` lines, `#` and `;` comments.
struct SharedConfigFiles {
    let environment: [String: String]

    var home: String { environment["HOME"] ?? "~" }
    var credentialsPath: String { environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.aws/credentials" }
    var configPath: String { environment["AWS_CONFIG_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.aws/config" }
    /// Whether a profile was named, rather than `default` taken.
    var profileWasAsked: Bool { explicitProfile != nil }
    private var explicitProfile: String? {
        [environment["AWS_PROFILE"], environment["AWS_DEFAULT_PROFILE"]].compactMap { $0 }.first { !$0.isEmpty }
    }
    var profileName: String { explicitProfile ?? "default" }

    /// The profile's settings from both files (the credentials file wins), or `nil` when neither has it.
    func profile(_ name: String) throws(AWSCredentialError) -> [String: String]? {
        let config = try Self.sections(of: configPath)
        // The config file names profiles `[profile name]`, except `[default]`.
        let fromConfig = name == "default" ? config["default"] : config["profile \(name)"]
        let fromCredentials = try Self.sections(of: credentialsPath)[name]
        guard fromConfig != nil || fromCredentials != nil else { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentials in credentials }
    }

    static func sections(of path: String) throws(AWSCredentialError) -> [String: [String: String]] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        guard data.count <= 1 << 20 else { throw .unusable(source: path, reason: "the file is larger than 1 MiB") }
        return parse(String(decoding: data, as: UTF8.self))
    }

    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = String(rawLine).trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingSpaces
                current = name.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                if let current, sections[current] == nil { sections[current] = [:] }
                continue
            }
            // Indented lines continue a nested setting (`s3 =` ...); Ferry uses none of those.
            guard let current, rawLine.first?.isWhitespace != true, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingSpaces.lowercased()
            let value = line[line.index(after: equals)...].trimmingSpaces
            sections[current]?[key] = value
        }
        return sections
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        return String(String(drop(while: isSpace).reversed()).drop(while: isSpace).reversed())
    }
}
