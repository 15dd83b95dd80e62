import FerryDeploy
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A moto server (a local AWS emulator) on 127.0.0.1, started for one test and stopped after it.
struct MotoServer {
    let endpoint: String

    /// The AWS CLI pointed at the server, with dummy credentials and none of the user's AWS configuration.
    var aws: AWSCommandLine {
        AWSCommandLine(region: "eu-west-1", endpointURL: endpoint, environment: Self.isolatedEnvironment)
    }

    static let isolatedEnvironment: [String: String?] = [
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "AWS_PROFILE": nil,
        "AWS_DEFAULT_REGION": "eu-west-1",
    ]

    /// Runs `body` with a fresh server; the server is killed when `body` returns or throws.
    static func with<Result: Sendable>(_ body: (MotoServer) async throws -> Result) async throws -> Result {
        let port = try freePort()
        let server = Task {
            try await ProcessCommandRunner().run(
                Command(
                    executable: "moto_server",
                    arguments: ["-H", "127.0.0.1", "-p", String(port)],
                    environment: isolatedEnvironment,
                    timeout: .seconds(900)
                )
            )
        }
        defer { server.cancel() }
        try await waitUntilListening(port: port, server: server)
        let result = try await body(MotoServer(endpoint: "http://127.0.0.1:\(port)"))
        server.cancel()
        // Cancelling the run kills the process; waiting for the task makes sure it is gone before the next test.
        _ = await server.result
        return result
    }

    /// A port nothing listens on now: bound once to port 0, read back, released.
    private static func freePort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw MotoError.socket(errno) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        guard bound else { throw MotoError.socket(errno) }
        return UInt16(bigEndian: address.sin_port)
    }

    /// Polls the port every 100 ms, for at most 60 seconds, until the server accepts connections.
    private static func waitUntilListening(port: UInt16, server: Task<CommandResult, any Error>) async throws {
        for _ in 0..<600 {
            if canConnect(port: port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.cancel()
        let outcome = await server.result
        throw MotoError.didNotStart(port: port, outcome: String(describing: outcome))
    }

    private static func canConnect(port: UInt16) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    enum MotoError: Error {
        case socket(Int32)
        case didNotStart(port: UInt16, outcome: String)
    }
}
