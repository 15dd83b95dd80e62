import Foundation
import Testing

@testable import AWSClients
@testable import FerryAWS

@Suite("SigV4 building blocks")
struct SigningTests {
    @Test(
        "timestamps render in UTC across leap days, century rules and the epoch",
        arguments: [
            (0, "19700101T000000Z"),
            (951_782_400, "20000229T000000Z"),  // 2000 is a leap year (divisible by 400)
            (4_107_542_399, "21000228T235959Z"),  // 2100 is not
            (4_107_542_400, "21000301T000000Z"),
            (1_440_938_160, "20150830T123600Z"),  // the test suite's time
            (-1, "19691231T235959Z"),
        ] as [(Double, String)]
    )
    func timestamp(seconds: Double, expected: String) {
        let timestamp = AWSTimestamp(Date(timeIntervalSince1970: seconds))
        #expect(timestamp.amzDate == expected)
        #expect(timestamp.day == expected.prefix(8))
    }

    @Test("every byte outside the unreserved set is encoded, with upper-case hex")
    func uriEncoding() {
        #expect(SigV4Encoding.uriEncode("a b/c~d_e.f-g") == "a%20b%2Fc~d_e.f-g")
        #expect(SigV4Encoding.uriEncode("/a b/", keepingSlashes: true) == "/a%20b/")
        #expect(SigV4Encoding.uriEncode("ሴ+=") == "%E1%88%B4%2B%3D")
        #expect(SigV4Encoding.percentDecode("%E1%88%B4%zz%4") == "ሴ%zz%4")
    }

    @Test("a signed request carries the session token inside the signature")
    func sessionTokenIsSigned() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "secret", sessionToken: "token")
        var request = AWSSignableRequest(method: "POST", path: "/", headers: [.init(name: "Host", value: "sqs.eu-west-1.amazonaws.com")])
        let signature = AWSSigner(credentials: credentials, region: "eu-west-1", service: "sqs").sign(&request, at: Date(timeIntervalSince1970: 0))
        #expect(request.headers.contains(.init(name: "X-Amz-Security-Token", value: "token")))
        #expect(signature.authorization.contains("SignedHeaders=host;x-amz-date;x-amz-security-token,"))
        #expect(signature.authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=AKID/19700101/eu-west-1/sqs/aws4_request, "))
    }

    @Test("signing twice replaces the signature headers instead of piling them up")
    func resigning() {
        let signer = AWSSigner(credentials: .init(accessKeyID: "AKID", secretAccessKey: "secret"), region: "us-east-1", service: "sqs")
        var request = AWSSignableRequest(method: "POST", path: "/", headers: [.init(name: "Host", value: "example.com")])
        signer.sign(&request, at: Date(timeIntervalSince1970: 0))
        let second = signer.sign(&request, at: Date(timeIntervalSince1970: 60))
        #expect(request.headers.map(\.name) == ["Host", "X-Amz-Date", "Authorization"])
        #expect(request.headers.last?.value == second.authorization)
        #expect(second.canonicalRequest.contains("x-amz-date:19700101T000100Z"))
    }
}

@Suite("Credentials and configuration")
struct CredentialsTests {
    static let environment = [
        "AWS_ACCESS_KEY_ID": "AKIAEXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "very-secret-key",
        "AWS_SESSION_TOKEN": "very-secret-token",
        "AWS_REGION": "eu-central-1",
    ]

    @Test("credentials come from the standard variables")
    func fromEnvironment() throws {
        let credentials = try #require(AWSCredentials.fromEnvironment(Self.environment))
        #expect(credentials == AWSCredentials(accessKeyID: "AKIAEXAMPLE", secretAccessKey: "very-secret-key", sessionToken: "very-secret-token"))
        #expect(AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKIAEXAMPLE"]) == nil)
        #expect(AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": ""]) == nil)
        let permanent = AWSCredentials.fromEnvironment(["AWS_ACCESS_KEY_ID": "A", "AWS_SECRET_ACCESS_KEY": "B", "AWS_SESSION_TOKEN": ""])
        #expect(permanent?.hasSessionToken == false)
    }

    @Test("printing, dumping or interpolating credentials never shows the secret or the token")
    func redaction() throws {
        let credentials = try #require(AWSCredentials.fromEnvironment(Self.environment))
        var dumped = ""
        dump(credentials, to: &dumped)
        for text in [String(describing: credentials), String(reflecting: credentials), "\(credentials)", dumped] {
            #expect(text.contains("AKIAEXAMPLE"))
            #expect(!text.contains("very-secret"))
        }
    }

    @Test("configuration reads region, credentials and AWS_ENDPOINT_URL")
    func configuration() throws {
        let configuration = try AWSClientConfiguration.fromEnvironment(Self.environment)
        #expect(configuration.region == "eu-central-1")
        #expect(configuration.endpointOverride == nil)
        #expect(AWSJSONClient(service: .sqs, configuration: configuration, httpClient: .shared).endpoint.url == "https://sqs.eu-central-1.amazonaws.com/")

        var local = Self.environment
        local["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4566"
        let override = try AWSClientConfiguration.fromEnvironment(local)
        #expect(AWSJSONClient(service: .ssm, configuration: override, httpClient: .shared).endpoint.url == "http://127.0.0.1:4566/")

        #expect(throws: AWSClientError.missingRegion) { try AWSClientConfiguration.fromEnvironment(["AWS_ACCESS_KEY_ID": "A"]) }
        #expect(throws: AWSClientError.missingCredentials) { try AWSClientConfiguration.fromEnvironment(["AWS_DEFAULT_REGION": "us-east-1"]) }
    }

    @Test("endpoints parse scheme, host and port, and refuse what is not an HTTP URL")
    func endpoints() throws {
        let local = try AWSEndpoint(url: "http://127.0.0.1:5000")
        #expect(local.host == "127.0.0.1" && local.port == 5000 && local.hostHeader == "127.0.0.1:5000" && local.path == "/")
        #expect(try AWSEndpoint(url: "https://sqs.us-east-1.amazonaws.com:443/").hostHeader == "sqs.us-east-1.amazonaws.com")
        #expect(try AWSEndpoint(url: "http://[::1]:4566").hostHeader == "[::1]:4566")
        #expect(AWSEndpoint.aws("sqs", region: "cn-north-1").url == "https://sqs.cn-north-1.amazonaws.com.cn/")
        for bad in ["127.0.0.1:5000", "ftp://host", "http://", "http://host:99999", "http://user@host", "http://host:port"] {
            #expect(throws: AWSClientError.invalidEndpoint(bad)) { try AWSEndpoint(url: bad) }
        }
    }

    @Test("error codes lose their namespace and suffix")
    func errorCodes() {
        #expect(AWSErrorDecoding.code(from: "com.amazonaws.sqs#QueueDoesNotExist") == "QueueDoesNotExist")
        #expect(AWSErrorDecoding.code(from: "ParameterNotFound") == "ParameterNotFound")
        #expect(AWSErrorDecoding.code(from: "ValidationException:http://internal.amazon.com/coral/") == "ValidationException")
    }
}
