import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `moto_server` (`pip install 'moto[server]'`) on 127.0.0.1 and a free port, for the test targets
/// that talk to AWS: FerryAWSTests through Ferry's own clients, FerryDeployTests through the AWS CLI.
public enum MotoServerProcess {
    /// `moto_server` on PATH, if any.
    public static var executablePath: String? { OutsideTool.moto.path }

    /// Starts moto, waits (at most 60 s: importing moto is slow on a busy machine) until its port accepts
    /// connections, runs `body` with its endpoint (`http://127.0.0.1:PORT`), and kills it however `body` ends.
    ///
    /// - Parameter environment: changes to this process's environment for the server; `nil` removes a variable.
    public static func run<Result: Sendable>(
        environment: [String: String?] = [:],
        _ body: (_ endpoint: String) async throws -> Result
    ) async throws -> Result {
        let executablePath = try OutsideTool.moto.require()
        let port = try freeLoopbackPort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executablePath)
        process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        process.environment = variables
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()

        let result: Swift.Result<Result, any Error>
        do {
            try await waitUntilListening(port: port, process: process)
            result = .success(try await body("http://127.0.0.1:\(port)"))
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

    private static func waitUntilListening(port: Int, process: Process) async throws {
        for _ in 0..<600 {
            guard process.isRunning else {
                throw MotoDidNotStart(reason: "moto_server exited with status \(process.terminationStatus)")
            }
            if canConnect(port: port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw MotoDidNotStart(reason: "moto_server did not accept connections on port \(port) within 60 s")
    }

    /// A port nothing listens on now: bound once to port 0, read back, released.
    public static func freeLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, streamSocketType, 0)
        guard descriptor >= 0 else { throw MotoDidNotStart(reason: "socket() failed: errno \(errno)") }
        defer { close(descriptor) }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw MotoDidNotStart(reason: "bind() failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func canConnect(port: Int) -> Bool {
        let descriptor = socket(AF_INET, streamSocketType, 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = loopback(port: UInt16(port))
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        return address
    }

    #if canImport(Glibc)
    private static let streamSocketType = Int32(SOCK_STREAM.rawValue)
    #else
    private static let streamSocketType = SOCK_STREAM
    #endif

    public struct MotoDidNotStart: Error, CustomStringConvertible {
        public var reason: String
        public var description: String { reason }
    }
}
