import FerryRuntime
import FerryTestSupport
import FerryTesting
import Testing

@Suite struct WebhookIngressTests {
    @Test func answersBadRequestsWithTheDocumentedStatuses() async throws {
        try await BotTest.runPipeline(.init(secretToken: "s3cret-token"), configure: EchoBotHandlers.register) { host in
            let valid = Array(textUpdate(updateID: 1, chatID: 10, messageID: 1, text: "hi").utf8)
            #expect(try await host.post(valid) == 401, "missing secret")
            #expect(try await host.post(valid, secret: "s3cret-tokeN") == 401, "wrong secret")
            #expect(try await host.post(valid, secret: "s3cret-token-longer") == 401, "longer secret")
            #expect(try await host.post(Array("not json".utf8), secret: "s3cret-token") == 400)
            #expect(try await host.post(Array(#"{"message":{}}"#.utf8), secret: "s3cret-token") == 400, "no update_id")
            #expect(try await host.post(Array(#"{"update_id":"7"}"#.utf8), secret: "s3cret-token") == 400, "update_id not an integer")
            #expect(try await host.post(Array(#"{"update_id":1.5}"#.utf8), secret: "s3cret-token") == 400, "update_id not an integer")
            #expect(try await host.post(Array(#"{"update_id":7"#.utf8), secret: "s3cret-token") == 400, "truncated")
            let huge = Array(#"{"update_id":9,"message":{"text":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 1 << 20) + Array(#""}}"#.utf8)
            #expect(try await host.post(huge, secret: "s3cret-token") == 413)
            #expect(try await host.post([], secret: "s3cret-token", method: .GET) == 405)
            #expect(try await host.post(valid, secret: "s3cret-token") == 200)
            #expect(try await host.get("/healthz").status == 200)

            // Only the valid update was queued and handled.
            try await eventually { host.api.sentTexts(to: 10) == ["You said: hi"] }
            #expect(try await host.storage.queue.depth() == 0)
        }
    }

    /// A web page can make a browser POST anywhere, but only as `text/plain`, a form or multipart unless the
    /// server allows more, and the browser says where it came from: such requests are refused unread, with or
    /// without a secret, so a page the bot's owner opens cannot speak as the bot's users.
    @Test func refusesRequestsShapedLikeABrowsers() async throws {
        try await BotTest.runPipeline(configure: EchoBotHandlers.register) { host in
            let update = Array(textUpdate(updateID: 1, chatID: 10, messageID: 1, text: "hi").utf8)
            #expect(try await host.post(update, contentType: "text/plain") == 415)
            #expect(try await host.post(update, contentType: "application/x-www-form-urlencoded") == 415)
            #expect(try await host.post(update, contentType: "multipart/form-data; boundary=x") == 415)
            #expect(try await host.post(update, contentType: nil) == 415)
            #expect(try await host.post(update, headers: [("Origin", "http://evil.example")]) == 403)
            #expect(try await host.post(update, contentType: "text/plain", headers: [("Origin", "http://evil.example")]) == 403)
            #expect(try await host.post(update, headers: [("Origin", "null")]) == 403)
            #expect(try await host.post(update, headers: [("Sec-Fetch-Site", "cross-site")]) == 403)
            #expect(try await host.post(update, headers: [("Sec-Fetch-Site", "same-site")]) == 403)
            let metrics = try await host.get("/metrics").body
            #expect(metrics.contains(#"ferry_updates_rejected_total{reason="browser_shaped"} 9"#))

            // Telegram's shape, and the same origin, pass.
            let port = try #require(host.baseURL.split(separator: ":").last)
            #expect(try await host.post(update, contentType: "application/json; charset=utf-8", headers: [("Origin", "http://127.0.0.1:\(port)")]) == 200)
            try await eventually { host.api.sentTexts(to: 10) == ["You said: hi"] }
            #expect(host.api.sentTexts(to: 10).count == 1, "nothing refused reached the bot")
        }
    }

    @Test func withoutASecretAnyCallerMayPost() async throws {
        try await BotTest.runPipeline(configure: EchoBotHandlers.register) { host in
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 10, messageID: 1, text: "hi").utf8)) == 200)
            try await eventually { host.api.sentTexts(to: 10) == ["You said: hi"] }
        }
    }

    @Test func answersServiceUnavailableWhenStorageFails() async throws {
        try await BotTest.runPipeline(configure: EchoBotHandlers.register) { host in
            try await host.storage.close()
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 10, messageID: 1, text: "hi").utf8)) == 503)
        }
    }

    @Test func metricsCountWhatHappened() async throws {
        try await BotTest.runPipeline(configure: EchoBotHandlers.register) { host in
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 10, messageID: 1, text: "hi").utf8)) == 200)
            #expect(try await host.post(Array(textUpdate(updateID: 1, chatID: 10, messageID: 1, text: "hi").utf8)) == 200)
            #expect(try await host.post(Array("nope".utf8)) == 400)
            try await eventually { host.api.sentTexts(to: 10).count == 1 }
            try await eventually {
                let metrics = try await host.get("/metrics").body
                return metrics.contains("ferry_updates_handled_total 1")
            }
            let metrics = try await host.get("/metrics").body
            #expect(metrics.contains("ferry_updates_received_total 2"))
            #expect(metrics.contains("ferry_updates_enqueued_total 1"))
            #expect(metrics.contains("ferry_updates_duplicate_total 1"))
            #expect(metrics.contains(#"ferry_updates_rejected_total{reason="malformed"} 1"#))
            #expect(metrics.contains("ferry_queue_depth 0"))
            #expect(metrics.contains("ferry_handler_duration_seconds_bucket"))
        }
    }

    @Test func aDroppedDuplicateIsLoggedWithItsUpdateID() async throws {
        let capture = LogCapture()
        try await BotTest.runPipeline(.init(logger: capture.logger()), configure: EchoBotHandlers.register) { host in
            #expect(try await host.post(Array(textUpdate(updateID: 77, chatID: 10, messageID: 1, text: "hi").utf8)) == 200)
            #expect(try await host.post(Array(textUpdate(updateID: 77, chatID: 10, messageID: 1, text: "hi").utf8)) == 200)
            try await eventually { host.api.sentTexts(to: 10) == ["You said: hi"] }
        }
        let dropped = capture.logged.filter { $0.contains("update dropped") }
        #expect(dropped.count == 1)
        #expect(dropped.first?.hasPrefix("notice ") == true)
        #expect(dropped.first?.contains("update_id=77") == true)
    }

    @Test func secretsCompareByContentOnly() {
        #expect(constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!constantTimeEquals(Array("abc".utf8), Array("abd".utf8)))
        #expect(!constantTimeEquals(Array("abc".utf8), Array("abc\0".utf8)))
        #expect(!constantTimeEquals([], Array("a".utf8)))
        #expect(constantTimeEquals([], []))
    }
}
