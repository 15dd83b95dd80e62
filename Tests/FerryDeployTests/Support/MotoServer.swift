import FerryDeploy
import FerryTestSupport

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
        try await MotoServerProcess.run(environment: isolatedEnvironment) { url in try await body(MotoServer(endpoint: url)) }
    }
}
