import AsyncHTTPClient
import NIOCore
import NIOHTTP1
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The container credentials endpoint ECS tasks and EKS Pod Identity get (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`
/// on 169.254.170.2, or `AWS_CONTAINER_CREDENTIALS_FULL_URI`), with `AWS_CONTAINER_AUTHORIZATION_TOKEN` (or the
/// file `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` names) in the `Authorization` header when set.
struct ContainerCredentials: Sendable {
    let url: String
    let environment: [String: String]
    let timeout: Duration

    init?(environment: [String: String], timeout: Duration) {
        self.timeout = timeout
        if let relative = environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"], !relative.isEmpty {
            url = "http://169.254.170.2" + relative
        } else if let full = environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"], !full.isEmpty {
            url = full
        } else {
            return nil
        }
        self.environment = environment
    }

    func fetch(_ httpClient: HTTPClient) async throws -> ExpiringCredentials {
        var request = HTTPClientRequest(url: url)
        if let file = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"], !file.isEmpty {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw AWSCredentialError.unusable(source: "the container credentials endpoint", reason: "cannot read \(file)")
            }
            request.headers.add(name: "Authorization", value: String(String(decoding: data, as: UTF8.self).filter { !$0.isWhitespace }))
        } else if let token = environment["AWS_CONTAINER_AUTHORIZATION_TOKEN"], !token.isEmpty {
            request.headers.add(name: "Authorization", value: token)
        }
        let body = try await MetadataHTTP.body(of: request, httpClient, timeout: timeout, source: "the container credentials endpoint")
        return try ExpiringCredentials.decode(Array(buffer: body), source: "the container credentials endpoint")
    }
}

/// The EC2 instance metadata service, version 2: a session token first (PUT), then the role's credentials.
/// `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it (as the SDKs allow).
struct InstanceMetadataCredentials: Sendable {
    let endpoint: String
    let timeout: Duration

    init(environment: [String: String], timeout: Duration) {
        self.timeout = timeout
        let configured = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"].flatMap { $0.isEmpty ? nil : $0 } ?? "http://169.254.169.254"
        endpoint = configured.hasSuffix("/") ? String(configured.dropLast()) : configured
    }

    func fetch(_ httpClient: HTTPClient) async throws -> ExpiringCredentials {
        let source = "the instance metadata service"
        var tokenRequest = HTTPClientRequest(url: endpoint + "/latest/api/token")
        tokenRequest.method = .PUT
        tokenRequest.headers.add(name: "X-aws-ec2-metadata-token-ttl-seconds", value: "21600")
        let token = String(buffer: try await MetadataHTTP.body(of: tokenRequest, httpClient, timeout: timeout, source: source))
        func get(_ path: String) async throws -> ByteBuffer {
            var request = HTTPClientRequest(url: endpoint + path)
            request.headers.add(name: "X-aws-ec2-metadata-token", value: token)
            return try await MetadataHTTP.body(of: request, httpClient, timeout: timeout, source: source)
        }
        let base = "/latest/meta-data/iam/security-credentials/"
        let roles = String(buffer: try await get(base)).split(whereSeparator: \.isNewline)
        guard let role = roles.first else { throw AWSCredentialError.unusable(source: source, reason: "the instance has no IAM role") }
        return try ExpiringCredentials.decode(Array(buffer: try await get(base + role)), source: source)
    }
}

/// Small GETs and PUTs to link-local endpoints: a short timeout (they answer at once or not at all) and a size limit.
enum MetadataHTTP {
    static func body(of request: HTTPClientRequest, _ httpClient: HTTPClient, timeout: Duration, source: String) async throws -> ByteBuffer {
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: .milliseconds(Int64(timeout / .milliseconds(1))))
        } catch {
            throw AWSCredentialError.unusable(source: source, reason: "no answer (\(error))")
        }
        let body = try await response.body.collect(upTo: 64 * 1024)
        guard response.status == .ok else {
            throw AWSCredentialError.unusable(source: source, reason: "it answered HTTP \(response.status.code)")
        }
        return body
    }
}
