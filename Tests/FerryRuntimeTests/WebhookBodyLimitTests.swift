import AsyncHTTPClient
import FerryTesting
import NIOCore
import Testing

@Suite struct WebhookBodyLimitTests {
    @Test("a chunked webhook body over the limit is refused with 413, as one with a length is, and nothing is queued")
    func chunkedBodyOverTheLimit() async throws {
        try await BotTest.runPipeline(.init(secretToken: "s3cret-token"), configure: EchoBotHandlers.register) { host in
            let huge = Array(#"{"update_id":9,"message":{"text":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 1 << 20) + Array(#""}}"#.utf8)
            var request = HTTPClientRequest(url: host.baseURL + "/webhook")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "X-Telegram-Bot-Api-Secret-Token", value: "s3cret-token")
            // In pieces with no Content-Length: the server learns the size only as it reads.
            let (pieces, continuation) = AsyncStream.makeStream(of: ByteBuffer.self)
            for start in stride(from: 0, to: huge.count, by: 64 * 1024) {
                continuation.yield(ByteBuffer(bytes: huge[start..<min(start + 64 * 1024, huge.count)]))
            }
            continuation.finish()
            request.body = .stream(pieces, length: .unknown)
            let response = try await host.http.execute(request, timeout: .seconds(60))
            let body = String(buffer: try await response.body.collect(upTo: 1 << 20))
            #expect(response.status.code == 413)
            #expect(body.contains("1048576"), "\(body)")
            #expect(try await host.storage.queue.depth() == 0)
        }
    }
}
