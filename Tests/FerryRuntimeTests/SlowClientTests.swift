import AsyncHTTPClient
import FerryServer
import FerryTestSupport
import FerryTesting
import Foundation
import NIOCore
import Testing

/// Idle, slow and many clients: connections that say nothing, trickle a request, or pile up are closed, so
/// that `/webhook` and `/healthz` keep answering.
@Suite struct SlowClientTests {
    @Test func idleAndTricklingConnectionsAreClosed() async throws {
        let limits = ConnectionLimits(idleTimeout: .seconds(1), bodyTimeout: .seconds(1))
        try await BotTest.runPipeline(.init(connections: limits), configure: EchoBotHandlers.register) { host in
            let idle = try RawConnection(port: host.port)
            #expect(idle.closedByServer(within: .seconds(20)), "a connection that sends nothing")

            // A head trickled a byte at a time is never complete: the idle timeout closes it.
            let head = try RawConnection(port: host.port)
            head.send(Array("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".utf8))
            #expect(trickle(on: head), "a connection that trickles its head")

            // A body trickled a byte at a time: the body timeout closes it, though bytes keep coming.
            let body = try RawConnection(port: host.port)
            body.send(Array("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{".utf8))
            #expect(trickle(on: body), "a connection that trickles its body")

            // Ordinary clients were never held up. (Each on a connection of its own: with a 1 s idle timeout, a
            // pooled connection may be closed just as a slow test process reuses it.)
            #expect(try await closingRequest(host, "/healthz") == 200)
            #expect(try await closingRequest(host, "/webhook", body: Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: "still here").utf8)) == 200)
            try await eventually { host.api.sentTexts(to: 1) == ["You said: still here"] }
        }
    }

    @Test func atTheConnectionLimitTheLongestIdleConnectionMakesRoom() async throws {
        let limits = ConnectionLimits(idleTimeout: .seconds(120), maximumConnections: 8)
        try await BotTest.runPipeline(.init(connections: limits), configure: EchoBotHandlers.register) { host in
            let idle = try (1...20).map { _ in try RawConnection(port: host.port) }
            for _ in 1...3 {
                #expect(try await host.get("/healthz").status == 200)
                #expect(try await host.post(Array(textUpdate(updateID: 7, chatID: 1, messageID: 1, text: "through").utf8)) == 200)
            }
            try await eventually { host.api.sentTexts(to: 1) == ["You said: through"] }
            // The server closed enough of them to stay within 8 with the HTTP client's connections, and no more.
            // (Which ones follows the order the server took them in: on a busy machine, not quite their order.)
            try await eventually { idle.filter { $0.closedByServer(within: .milliseconds(10)) }.count >= 12 }
            let open = idle.filter { !$0.closedByServer(within: .milliseconds(10)) }.count
            #expect(open >= 5 && open <= 8, "\(open) idle connections stayed open")
        }
    }

    /// As the issue found it: with 256 descriptors, 300 idle sockets made `/healthz` time out.
    @Test func webhookAndHealthAnswerUnderALowDescriptorLimitWith300IdleSockets() async throws {
        try await FakeTelegram.with { telegram, apiURL in
            let environment = ["TELEGRAM_BOT_TOKEN": "123456:TEST-token", "TELEGRAM_API_URL": apiURL, "TELEGRAM_WEBHOOK_SECRET": webhookTestSecret]
            let bot = try BotProcess.start(
                ["serve", "--port", "0", "--data-dir", temporaryDirectory()], environment: environment, openFileLimit: 256
            )
            try await bot.stoppedOnFailure {
                let port = try await bot.waitForPort()
                var idle: [RawConnection] = []
                for _ in 1...300 { idle.append(try RawConnection(port: port)) }
                let http = patientHTTPClient
                #expect(try await post(http, port: port, Array(textUpdate(updateID: 1, chatID: 1, messageID: 1, text: "busy?").utf8)) == 200)
                let health = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/healthz"), timeout: .seconds(30))
                #expect(health.status == .ok)
                try await eventually { telegram.texts(to: 1) == ["You said: busy?"] }
                #expect(idle.filter { $0.closedByServer(within: .milliseconds(10)) }.count >= 300 - 192, "the longest idle made room")
                idle.removeAll()
                #expect(try await bot.stop() == 0)
            }
        }
    }
}

/// Sends a byte every 100 ms until the server closes the connection (true) or 20 s pass (false).
private func trickle(on connection: RawConnection) -> Bool {
    for _ in 0..<200 {
        guard connection.send([UInt8(ascii: "a")]) else { return true }
        if connection.closedByServer(within: .milliseconds(100)) { return true }
    }
    return false
}

/// One request on a connection closed after it (`Connection: close`); returns the status.
private func closingRequest(_ host: PipelineClient, _ path: String, body: [UInt8]? = nil) async throws -> Int {
    var request = HTTPClientRequest(url: host.baseURL + path)
    request.headers.add(name: "Connection", value: "close")
    if let body {
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: body))
    }
    let response = try await host.http.execute(request, timeout: .seconds(60))
    _ = try await response.body.collect(upTo: 1 << 16)
    return Int(response.status.code)
}
