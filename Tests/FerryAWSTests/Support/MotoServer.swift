import AsyncHTTPClient
import FerryAWS
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `moto_server` (moto 5.2.1, `pip install 'moto[server]==5.2.1'`) started on 127.0.0.1 for the
/// tests of one suite, and stopped after them.
struct MotoServer: Sendable {
    let endpoint: AWSEndpoint

    /// The server of the suite running now; set by the ``MotoServerTrait``.
    @TaskLocal static var current: MotoServer?

    static let executablePath: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":")
            .map { "\($0)/moto_server" }
            .first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var isAvailable: Bool { executablePath != nil }

    /// Any credentials do for moto; these are fake on purpose.
    var configuration: AWSClientConfiguration {
        AWSClientConfiguration(
            region: "us-east-1",
            credentials: AWSCredentials(accessKeyID: "AKIAFERRYTEST", secretAccessKey: "ferry-test-secret", sessionToken: "ferry-test-token"),
            endpointOverride: endpoint
        )
    }

    /// Starts moto on a free port, waits (at most 60 s) until it answers, runs `body`, and stops it.
    static func withServer<T: Sendable>(_ body: (MotoServer) async throws -> T) async throws -> T {
        let executable = try #require(executablePath, "moto_server is not on PATH")
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()

        let result: Result<T, any Error>
        do {
            let server = MotoServer(endpoint: try AWSEndpoint(url: "http://127.0.0.1:\(port)"))
            try await waitUntilReady(port: port, process: process)
            result = .success(try await body(server))
        } catch {
            result = .failure(error)
        }
        await stop(process)
        return try result.get()
    }

    /// moto_server ignores SIGTERM while clients hold connections open, and keeps nothing worth a clean
    /// shutdown: kill it, then wait (at most 10 s) until it is gone.
    private static func stop(_ process: Process) async {
        kill(process.processIdentifier, SIGKILL)
        for _ in 0..<100 where process.isRunning {
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Polls moto's dashboard endpoint every 100 ms, for at most 60 s (importing moto is slow on a busy machine).
    private static func waitUntilReady(port: Int, process: Process) async throws {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/moto-api/")
        for _ in 0..<600 {
            guard process.isRunning else { throw MotoDidNotStart(reason: "moto_server exited with status \(process.terminationStatus)") }
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(1)) {
                _ = try? await response.body.collect(upTo: 1024 * 1024)
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw MotoDidNotStart(reason: "moto_server did not answer within 60 s")
    }

    /// A port the kernel considers free right now: bind to port 0, read the port, close.
    static func freePort() throws -> Int {
        #if canImport(Glibc)
        let streamType = Int32(SOCK_STREAM.rawValue)
        #else
        let streamType = SOCK_STREAM
        #endif
        let descriptor = socket(AF_INET, streamType, 0)
        guard descriptor >= 0 else { throw MotoDidNotStart(reason: "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw MotoDidNotStart(reason: "bind() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct MotoDidNotStart: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }
}

/// Runs a suite's tests against one `moto_server`, started before the first and stopped after the last.
struct MotoServerTrait: SuiteTrait, TestScoping {
    func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
    ) async throws {
        try await MotoServer.withServer { server in
            try await MotoServer.$current.withValue(server) { try await function() }
        }
    }
}

extension Trait where Self == MotoServerTrait {
    static var motoServer: Self { MotoServerTrait() }
}
