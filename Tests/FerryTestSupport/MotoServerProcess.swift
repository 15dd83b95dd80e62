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

    /// Starts moto on port 0, waits (at most 120 s, the README's limit for a server to start: importing moto
    /// is slow on a busy machine) until it says which port it listens on, runs `body` with its endpoint
    /// (`http://127.0.0.1:PORT`), and kills it however `body` ends. The kernel picks the port as moto binds,
    /// so no other process can take it between a pick and the bind.
    ///
    /// - Parameter environment: changes to this process's environment for the server; `nil` removes a variable.
    public static func run<Result: Sendable>(
        environment: [String: String?] = [:],
        _ body: (_ endpoint: String) async throws -> Result
    ) async throws -> Result {
        let executablePath = try OutsideTool.moto.require()
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        // Read while it runs: moto logs every request, and a pipe nobody reads stalls it at 64 KiB. The first
        // 64 KiB (its start-up lines and early errors) are kept.
        let output = ChildOutput(keepingAtMost: 1 << 16)
        let process = try ChildProcess(
            executable: executablePath, arguments: ["-H", "127.0.0.1", "-p", "0"], environment: variables, standardError: output
        )

        let result: Swift.Result<Result, any Error>
        do {
            let port = try await waitUntilListening(process: process) { output.text }
            result = .success(try await body("http://127.0.0.1:\(port)"))
        } catch {
            result = .failure(error)
        }
        await stop(process)
        _ = output.finish()
        return try result.get()
    }

    /// moto_server ignores SIGTERM while clients hold connections open, and keeps nothing worth a clean
    /// shutdown: kill it, then wait (at most 10 s) until it is gone.
    private static func stop(_ process: ChildProcess) async {
        process.signal(SIGKILL)
        _ = try? await process.waitForExit(within: .seconds(10))
    }

    /// The port from moto's "Running on http://127.0.0.1:PORT" line, once that port accepts connections.
    private static func waitUntilListening(process: ChildProcess, log: () -> String) async throws -> Int {
        for _ in 0..<1_200 {
            if let status = process.exitStatus {
                throw MotoDidNotStart(reason: "moto_server exited with status \(status):\n\(log())")
            }
            if let port = log().firstMatch(of: /Running on http:\/\/127\.0\.0\.1:(\d+)/).flatMap({ Int($0.1) }), canConnect(port: port) {
                return port
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw MotoDidNotStart(reason: "moto_server did not say it listens within 120 s:\n\(log())")
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
