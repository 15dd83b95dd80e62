import AsyncHTTPClient
import ExampleBots
import Ferry
@testable import FerryPlayground
import FerryTestSupport
import FerryTesting
import Foundation
import Logging
import NIOCore
import Testing

/// What someone else on the machine, the network or another web site can do to the playground.
@Suite struct PlaygroundEdgeTests {
    static let echo: @Sendable (Bot, any SessionStore) -> Void = { bot, _ in EchoBotExample.register(on: bot) }

    @Test("an over-long body is refused with 413 and a message, chunked (no length given) as well as with a length")
    func overLongBodies() async throws {
        try await PlaygroundHost.with(register: Self.echo) { host in
            let huge = #"{"firstName":"\#(String(repeating: "x", count: 40_000))"}"#
            for chunked in [true, false] {
                var request = HTTPClientRequest(url: host.baseURL + "/playground/api/users")
                request.method = .POST
                request.headers.add(name: "Content-Type", value: "application/json")
                let bytes = ByteBuffer(string: huge)
                if chunked {
                    // Sent in pieces with no Content-Length: the server learns the size only as it reads.
                    let pieces = stride(from: 0, to: bytes.readableBytes, by: 4096).map {
                        bytes.getSlice(at: $0, length: min(4096, bytes.readableBytes - $0))!
                    }
                    let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
                    for piece in pieces { continuation.yield(piece) }
                    continuation.finish()
                    request.body = .stream(stream, length: .unknown)
                } else {
                    request.body = .bytes(bytes)
                }
                let response = try await host.http.execute(request, timeout: .seconds(10))
                let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
                #expect(response.status.code == 413, "chunked: \(chunked)")
                #expect(body == #"{"error":"the body is larger than 16384 bytes"}"#, "chunked: \(chunked)")
            }
            #expect(host.simulator.users.count == 1, "nothing was created")
        }
    }

    @Test("one client cannot hold every event stream: past its own limit it gets 429, while another address still gets one")
    func eventStreamsPerClient() async throws {
        try await PlaygroundHost.with(maximumEventStreams: 4, maximumEventStreamsPerClient: 2, register: Self.echo) { host in
            let first = try await host.openEvents()
            let second = try await host.openEvents()
            #expect(first.status == 200 && second.status == 200)
            let third = try await host.get("/playground/api/events")
            #expect(third.status == 429)
            #expect(third.body.contains("this address has 2 playground pages open already"))

            // Another machine, as far as the server can tell: a connection from 127.0.0.2.
            let elsewhere = try RawConnection(port: host.port, from: "127.0.0.2")
            #expect(elsewhere.send(Array("GET /playground/api/events HTTP/1.1\r\nHost: 127.0.0.1:\(host.port)\r\n\r\n".utf8)))
            #expect(try elsewhere.statusCode(within: .seconds(10)) == 200)
            elsewhere.close()
            _ = (first, second)
        }
    }

    @Test("another site's page cannot open the event stream (and so cannot hold one)")
    func crossSiteEventStreamRefused() async throws {
        try await PlaygroundHost.with(maximumEventStreams: 1, register: Self.echo) { host in
            let forged = [
                ["Origin": "http://attacker.example", "Sec-Fetch-Site": "cross-site"],
                ["Origin": "http://attacker.example"],
                ["Sec-Fetch-Site": "same-site"],
                ["Origin": "null"],
            ]
            for headers in forged {
                let refused = try await host.openEvents(headers: headers)
                #expect(refused.status == 403, "\(headers)")
            }
            // The page itself, as a browser sends it, still gets the one stream there is.
            let page = try await host.openEvents(headers: ["Sec-Fetch-Site": "same-origin", "Origin": "http://127.0.0.1:\(host.port)"])
            #expect(page.status == 200)
        }
    }

    @Test("listening beyond loopback is warned about at start; loopback is not")
    func warnsBeyondLoopback() async throws {
        let capture = LogCapture()
        let credentials = PlaygroundCredentials.generate()
        let simulator = BotAPISimulator(configuration: .init(token: credentials.token, botUsername: "PlaygroundBot"))
        let playground = Playground(
            simulator: simulator, credentials: credentials, pipeline: NoPipeline(),
            configuration: .init(commandName: "TestBot"), logger: capture.logger()
        )
        // Port 9 (discard): nothing listens there, should the simulator try its webhook.
        for host in ["127.0.0.1", "localhost", "::1", "127.0.1.1"] {
            await playground.serverDidStart(host: host, port: 9)
        }
        #expect(!capture.logged.contains { $0.hasPrefix("warning") }, "\(capture.logged)")
        #expect(!Playground.isLoopback("192.168.1.20") && !Playground.isLoopback("example.org") && Playground.isLoopback("[::1]"))
        for host in ["0.0.0.0", "::"] {
            await playground.serverDidStart(host: host, port: 9)
        }
        let warnings = capture.logged.filter { $0.hasPrefix("warning") }
        #expect(warnings.count == 2)
        #expect(warnings.first?.contains("The playground listens on 0.0.0.0, beyond this machine") == true)
        #expect(warnings.first?.contains("--host 127.0.0.1") == true)
        await simulator.shutdown()
    }
}

/// A pipeline with nothing in it, for a playground that is not served.
private struct NoPipeline: PipelineStateSource {
    func depth() async throws -> Int { 0 }
    func deadLetterCount() async throws -> Int { 0 }
}
