import FerryTestSupport
import AsyncHTTPClient
import Foundation
import Synchronization
import Testing

@testable import AWSClients
@testable import FerryAWS

/// Credentials where the AWS CLI and SDKs find them (issue 17, item 8): the environment, the shared files with
/// profiles, `credential_process`, the CLI for SSO, the container and instance metadata endpoints, and
/// refreshing before expiry.
@Suite struct AWSCredentialChainTests {
    /// A home of its own, with the files given under `.aws/`, and an environment that sees nothing of the machine's.
    func environment(credentials: String? = nil, config: String? = nil, _ extra: [String: String] = [:]) throws -> [String: String] {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        if let credentials { try Data(credentials.utf8).write(to: home.appendingPathComponent(".aws/credentials")) }
        if let config { try Data(config.utf8).write(to: home.appendingPathComponent(".aws/config")) }
        return ["HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true"].merging(extra) { $1 }
    }

    func chain(_ environment: [String: String], runProcess: AWSCredentialChain.RunProcess? = nil) -> AWSCredentialChain {
        // Generous: a loaded test machine answers slowly even on loopback.
        AWSCredentialChain(environment: environment, httpClient: .shared, runProcess: runProcess, metadataTimeout: .seconds(60))
    }

    static let files = (
        credentials: """
        [default]
        aws_access_key_id = AKIADEFAULT
        aws_secret_access_key = default-secret

        [work]
        aws_access_key_id=AKIAWORK
        aws_secret_access_key=work-secret
        aws_session_token = work-token
        """,
        config: """
        [default]
        region = eu-west-1

        # the work account
        [profile work]
        region = eu-central-1
        """
    )

    @Test("the shared credentials and config files, with AWS_PROFILE choosing the profile and its region")
    func sharedFilesAndProfiles() async throws {
        let plain = try environment(credentials: Self.files.credentials, config: Self.files.config)
        #expect(try await chain(plain).resolve().credentials().accessKeyID == "AKIADEFAULT")
        #expect(try chain(plain).region() == "eu-west-1")

        let work = try environment(credentials: Self.files.credentials, config: Self.files.config, ["AWS_PROFILE": "work"])
        let credentials = try await chain(work).resolve().credentials()
        #expect(credentials.accessKeyID == "AKIAWORK" && credentials.secretAccessKey == "work-secret" && credentials.sessionToken == "work-token")
        #expect(try chain(work).region() == "eu-central-1")
        #expect(try chain(work.merging(["AWS_REGION": "us-east-2"]) { $1 }).region() == "us-east-2", "the environment's region wins")

        // The environment's keys come first, as for the CLI.
        let both = work.merging(["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret"]) { $1 }
        #expect(try await chain(both).resolve().credentials().accessKeyID == "AKIAENV")
    }

    @Test("a profile that exists nowhere is named in the error, with what to do")
    func missingProfile() async throws {
        let environment = try environment(credentials: Self.files.credentials, ["AWS_PROFILE": "nosuch"])
        let error = try await #require(throws: AWSCredentialError.self) { try await chain(environment).resolve() }
        #expect(error.description.contains("\"nosuch\"") && error.description.contains("aws configure --profile nosuch"))

        let nothing = try self.environment()
        let none = try await #require(throws: AWSCredentialError.self) { try await chain(nothing).resolve() }
        #expect(none.description.contains("aws sso login") && none.description.contains("AWS_ACCESS_KEY_ID"))
    }

    @Test("credential_process runs (with a real shell) and its temporary credentials are used")
    func credentialProcess() async throws {
        let expiry = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        let config = """
        [profile tool]
        credential_process = printf '{"Version":1,"AccessKeyId":"AKIAPROCESS","SecretAccessKey":"process-secret","SessionToken":"process-token","Expiration":"\(expiry)"}'
        """
        let environment = try environment(config: config, ["AWS_PROFILE": "tool"])
        let credentials = try await chain(environment, runProcess: Self.shell).resolve().credentials()
        #expect(credentials.accessKeyID == "AKIAPROCESS" && credentials.sessionToken == "process-token")
    }

    @Test("an SSO profile is handed to the AWS CLI's export-credentials, which reads and refreshes its own cache")
    func ssoThroughTheCLI() async throws {
        let config = """
        [profile sso]
        sso_session = corp
        sso_account_id = 123456789012
        sso_role_name = Developer
        region = eu-west-1
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-west-1
        """
        let asked = Mutex<[[String]]>([])
        let expiry = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3600))
        let environment = try environment(config: config, ["AWS_PROFILE": "sso"])
        let provider = try await chain(environment) { arguments in
            asked.withLock { $0.append(arguments) }
            return #"{"Version":1,"AccessKeyId":"ASIASSO","SecretAccessKey":"sso-secret","SessionToken":"sso-token","Expiration":"\#(expiry)"}"#
        }.resolve()
        #expect(try await provider.credentials().accessKeyID == "ASIASSO")
        #expect(asked.withLock { $0 } == [["aws", "configure", "export-credentials", "--profile", "sso", "--format", "process"]])
    }

    @Test("the container endpoint, with its authorization token; credentials refreshed once they near their expiry")
    func containerEndpointAndRefresh() async throws {
        let expiresSoon = ISO8601DateFormatter().string(from: Date().addingTimeInterval(120))
        try await FakeHTTPServer.withServer(respond: { index, _ in
            .json(#"{"AccessKeyId":"ASIACONTAINER\#(index)","SecretAccessKey":"s","Token":"t","Expiration":"\#(expiresSoon)"}"#)
        }) { server in
            let environment = try environment([
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(server.baseURL)/v2/credentials",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "pod-token",
            ])
            let provider = try await chain(environment).resolve()
            // Two minutes left is inside the five-minute margin: each use asks again.
            let first = try await provider.credentials()
            let second = try await provider.credentials()
            #expect(first.accessKeyID != second.accessKeyID && second.sessionToken == "t")
            #expect(server.requests.allSatisfy { $0.header("Authorization") == "pod-token" && $0.path == "/v2/credentials" })
        }
    }

    @Test("a refreshing provider keeps credentials until five minutes before they expire, and shares one refresh")
    func refreshMargin() async throws {
        let calls = Mutex(0)
        let clock = Mutex(Date(timeIntervalSince1970: 1_000_000))
        let provider = RefreshingCredentialProvider(now: { clock.withLock { $0 } }) {
            let count = calls.withLock { $0 += 1; return $0 }
            try await Task.sleep(for: .milliseconds(50))
            return ExpiringCredentials(
                credentials: AWSCredentials(accessKeyID: "AKIA\(count)", secretAccessKey: "s"),
                expiration: Date(timeIntervalSince1970: 1_000_000 + 3600)
            )
        }
        try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await provider.credentials().accessKeyID } }
            for try await id in group { #expect(id == "AKIA1") }
        }
        #expect(calls.withLock { $0 } == 1, "concurrent callers share one refresh")
        clock.withLock { $0 = Date(timeIntervalSince1970: 1_000_000 + 3600 - 301) }
        #expect(try await provider.credentials().accessKeyID == "AKIA1")
        clock.withLock { $0 = Date(timeIntervalSince1970: 1_000_000 + 3600 - 299) }
        #expect(try await provider.credentials().accessKeyID == "AKIA2", "refreshed inside the last five minutes")
    }

    @Test("the instance metadata service, version 2: a session token, then the role's credentials")
    func instanceMetadata() async throws {
        let expiry = ISO8601DateFormatter().string(from: Date().addingTimeInterval(6 * 3600))
        try await FakeHTTPServer.withServer(respond: { _, request in
            switch (request.method, request.path) {
            case ("PUT", "/latest/api/token"): return ScriptedReply(body: Array("imds-session".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/"): return ScriptedReply(body: Array("bot-role\n".utf8))
            case ("GET", "/latest/meta-data/iam/security-credentials/bot-role"):
                return .json(#"{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"s","Token":"imds-token","Expiration":"\#(expiry)"}"#)
            default: return ScriptedReply(status: .notFound)
            }
        }) { server in
            var environment = try environment(["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.baseURL])
            environment["AWS_EC2_METADATA_DISABLED"] = nil
            let credentials = try await chain(environment).resolve().credentials()
            #expect(credentials.accessKeyID == "ASIAIMDS" && credentials.sessionToken == "imds-token")
            let gets = server.requests.filter { $0.method == "GET" }
            #expect(!gets.isEmpty && gets.allSatisfy { $0.header("X-aws-ec2-metadata-token") == "imds-session" })
            #expect(server.requests.first?.header("X-aws-ec2-metadata-token-ttl-seconds") != nil)
        }
    }

    /// Runs `arguments` as a child process, as the CLI runs them with Subprocess.
    static let shell: AWSCredentialChain.RunProcess = { arguments in
        let output = ChildOutput()
        let process = try ChildProcess(
            executable: arguments[0], arguments: Array(arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
            standardOutput: output
        )
        try await process.waitForExit(within: .seconds(60))
        return output.finish()
    }
}
