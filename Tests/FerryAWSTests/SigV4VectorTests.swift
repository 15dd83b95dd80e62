import Foundation
import Testing

@testable import AWSClients
@testable import FerryAWS
import FerryTestSupport

/// AWS's official SigV4 test suite (`../shared/aws/sigv4/v4`): every case's header-signing variant must
/// give the expected canonical request, string to sign, signature and signed headers.
@Suite("SigV4 test vectors")
struct SigV4VectorTests {
    static let caseNames = (try? SharedData.sigV4CaseNames()) ?? []

    @Test("the suite is all there")
    func suiteIsComplete() {
        #expect(Self.caseNames.count == 38)
    }

    @Test("header signing matches the vector", arguments: caseNames)
    func headerSigning(caseName: String) throws {
        let vector = try SigV4Vector(caseName)
        var request = vector.request
        // `omit_session_token`: the token is added after signing and is not covered by the signature.
        let signingCredentials = vector.omitsSessionToken
            ? AWSCredentials(accessKeyID: vector.credentials.accessKeyID, secretAccessKey: vector.credentials.secretAccessKey)
            : vector.credentials
        let signer = AWSSigner(credentials: signingCredentials, region: vector.region, service: vector.service)

        let signature = signer.sign(&request, at: vector.date)
        if vector.omitsSessionToken, let token = vector.credentials.sessionToken {
            request.headers.insert(.init(name: "X-Amz-Security-Token", value: token), at: request.headers.count - 1)
        }

        #expect(signature.canonicalRequest == (try SharedData.sigV4File(caseName, "header-canonical-request.txt")))
        #expect(signature.stringToSign == (try SharedData.sigV4File(caseName, "header-string-to-sign.txt")))
        #expect(signature.signature == (try SharedData.sigV4File(caseName, "header-signature.txt")))

        let expected = try SigV4Vector.parseRequest(try SharedData.sigV4File(caseName, "header-signed-request.txt"))
        #expect(Self.normalized(request.headers) == Self.normalized(expected.headers))
        #expect(request.headers.last?.value == expected.headers.first { $0.name == "Authorization" }?.value)
    }

    /// Headers as a sorted list of lower-cased names and values: the vectors do not fix the order of the
    /// headers signing adds.
    static func normalized(_ headers: [AWSSignableRequest.Header]) -> [String] {
        headers.map { "\($0.name.lowercased()):\($0.value)" }.sorted()
    }
}

/// One case of the test suite: its `context.json` and its unsigned `request.txt`.
struct SigV4Vector {
    let credentials: AWSCredentials
    let region: String
    let service: String
    let date: Date
    let omitsSessionToken: Bool
    let request: AWSSignableRequest

    private struct Context: Decodable {
        struct Credentials: Decodable {
            var access_key_id: String
            var secret_access_key: String
            var token: String?
        }

        var credentials: Credentials
        var region: String
        var service: String
        var timestamp: String
        var normalize: Bool
        var sign_body: Bool
        var omit_session_token: Bool?
    }

    init(_ caseName: String) throws {
        let context = try JSONDecoder().decode(Context.self, from: Data(try SharedData.sigV4File(caseName, "context.json").utf8))
        credentials = AWSCredentials(
            accessKeyID: context.credentials.access_key_id,
            secretAccessKey: context.credentials.secret_access_key,
            sessionToken: context.credentials.token
        )
        region = context.region
        service = context.service
        date = try #require(ISO8601DateFormatter().date(from: context.timestamp))
        omitsSessionToken = context.omit_session_token ?? false
        var request = try Self.parseRequest(try SharedData.sigV4File(caseName, "request.txt"))
        request.normalizesPath = context.normalize
        request.sendsPayloadHashHeader = context.sign_body
        self.request = request
    }

    /// Reads the suite's HTTP/1.1 text: request line, `Name:value` headers (a line starting with
    /// whitespace continues the previous value), a blank line, the body.
    static func parseRequest(_ text: String) throws -> AWSSignableRequest {
        let (head, body) = text.range(of: "\n\n").map { (String(text[..<$0.lowerBound]), String(text[$0.upperBound...])) }
            ?? (text, "")
        var lines = head.split(separator: "\n", omittingEmptySubsequences: false)[...]
        let firstLine = lines.popFirst()
        let requestLine = try #require(firstLine).split(separator: " ")
        let method = String(requestLine[0])
        // The target may itself contain spaces (`/example space/`); the protocol is the last word.
        let target = requestLine[1..<(requestLine.count - 1)].joined(separator: " ")
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)

        var headers: [AWSSignableRequest.Header] = []
        for line in lines where !line.isEmpty {
            if line.first == " " || line.first == "\t", !headers.isEmpty {
                headers[headers.count - 1].value += "\n" + line
                continue
            }
            let colon = try #require(line.firstIndex(of: ":"))
            headers.append(.init(name: String(line[..<colon]), value: String(line[line.index(after: colon)...])))
        }
        return AWSSignableRequest(
            method: method,
            path: String(path[0]),
            query: path.count > 1 ? String(path[1]) : "",
            headers: headers,
            body: Array(body.utf8)
        )
    }
}
