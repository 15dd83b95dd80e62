import AWSClients
import FerryAWS
import FerryTestSupport
import Testing

/// A real `moto_server` (moto 5.2.1, `pip install 'moto[server]==5.2.1'`) started on 127.0.0.1 for the
/// tests of one suite, and stopped after them.
struct MotoServer: Sendable {
    let endpoint: AWSEndpoint

    /// The server of the suite running now; set by the ``MotoServerTrait``.
    @TaskLocal static var current: MotoServer?

    /// Any credentials do for moto; these are fake on purpose.
    var configuration: AWSClientConfiguration {
        AWSClientConfiguration(
            region: "us-east-1",
            credentials: AWSCredentials(accessKeyID: "AKIAFERRYTEST", secretAccessKey: "ferry-test-secret", sessionToken: "ferry-test-token"),
            endpointOverride: endpoint
        )
    }

    /// Starts moto on a free port, runs `body`, and stops it.
    static func withServer<T: Sendable>(_ body: (MotoServer) async throws -> T) async throws -> T {
        try await MotoServerProcess.run { url in try await body(MotoServer(endpoint: try AWSEndpoint(url: url))) }
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
