import FerryTestSupport
import Foundation
import NIOCore
import Synchronization
import Testing

@testable import AWSClients
@testable import FerryAWS

/// The runtime loop against a fake Lambda Runtime API on 127.0.0.1. The fake hands out its scripted
/// invocations, then answers `next` with 500 ("container error, exit"), which ends the loop.
///
/// Serialized: the runtime exports `_X_AMZN_TRACE_ID` into the process environment.
@Suite("Lambda runtime", .serialized)
struct LambdaRuntimeTests {
    struct ScriptedInvocation: Sendable {
        var requestID: String
        var deadline: Date = Date().addingTimeInterval(30)
        var traceID: String?
        var event: String
        var responseStatus: Int = 202
    }

    static let functionARN = "arn:aws:lambda:eu-west-1:123456789012:function:echo-bot-webhook"

    /// Runs `initialize` in a runtime against a fake API that serves `script`; returns what the runtime
    /// threw and every request the fake received.
    static func run(
        _ script: [ScriptedInvocation],
        initialize: @escaping @Sendable () async throws -> LambdaRuntime.Handler
    ) async throws -> (error: (any Error)?, requests: [ReceivedRequest]) {
        let pending = Locked(script[...])
        let responseStatuses = Dictionary(uniqueKeysWithValues: script.map { ($0.requestID, $0.responseStatus) })
        return try await FakeHTTPServer.withServer(respond: { _, request in
            if request.method == "GET", request.path == "/2018-06-01/runtime/invocation/next" {
                guard let next = pending.withLock({ $0.popFirst() }) else { return ScriptedReply(status: .internalServerError) }
                var headers: [(name: String, value: String)] = [
                    ("Lambda-Runtime-Aws-Request-Id", next.requestID),
                    ("Lambda-Runtime-Deadline-Ms", String(Int64(next.deadline.timeIntervalSince1970 * 1000))),
                    ("Lambda-Runtime-Invoked-Function-Arn", functionARN),
                    ("Content-Type", "application/json"),
                ]
                if let trace = next.traceID { headers.append(("Lambda-Runtime-Trace-Id", trace)) }
                return ScriptedReply(status: .ok, headers: headers, body: Array(next.event.utf8))
            }
            let requestID = request.path.split(separator: "/").dropLast().last.map(String.init) ?? ""
            let status = request.path.hasSuffix("/response") ? responseStatuses[requestID] ?? 202 : 202
            return ScriptedReply(status: .init(code: status), headers: [("Content-Type", "application/json")], body: Array(#"{"status":"OK"}"#.utf8))
        }) { server in
            let runtime = LambdaRuntime(
                api: LambdaRuntimeAPIClient(endpoint: "127.0.0.1:\(server.port)", httpClient: .shared),
                logger: LogCapture().logger()
            )
            var thrown: (any Error)?
            do {
                try await runtime.run(initialize: initialize)
            } catch {
                thrown = error
            }
            return (thrown, server.requests)
        }
    }

    struct Seen: Sendable {
        var invocation: LambdaInvocation
        var exportedTraceID: String?
        var remaining: Duration
        var event: String
    }

    @Test("each invocation's result goes back to its own response path, with its metadata seen by the handler")
    func success() async throws {
        let seen = Locked<[Seen]>([])
        let deadline = Date().addingTimeInterval(120)
        let trace = "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"
        let (error, requests) = try await Self.run([
            ScriptedInvocation(requestID: "8476a536-e9f4-11e8-9739-2dfe598c3fcd", deadline: deadline, traceID: trace, event: "hello"),
            ScriptedInvocation(requestID: "request-2", event: "world"),
        ]) {
            { invocation, event in
                let text = String(buffer: event)
                seen.withLock {
                    $0.append(Seen(
                        invocation: invocation,
                        exportedTraceID: ProcessInfo.processInfo.environment["_X_AMZN_TRACE_ID"],
                        remaining: invocation.remainingTime,
                        event: text
                    ))
                }
                return ByteBuffer(string: text.uppercased())
            }
        }

        #expect(error as? LambdaRuntimeAPIError == .unexpectedStatus(path: "/invocation/next", status: 500))
        let posts = requests.filter { $0.method == "POST" }
        #expect(posts.map(\.path) == [
            "/2018-06-01/runtime/invocation/8476a536-e9f4-11e8-9739-2dfe598c3fcd/response",
            "/2018-06-01/runtime/invocation/request-2/response",
        ])
        #expect(posts.map { String(decoding: $0.body, as: UTF8.self) } == ["HELLO", "WORLD"])

        let invocations = seen.withLock { $0 }
        try #require(invocations.count == 2)
        #expect(invocations[0].invocation.requestID == "8476a536-e9f4-11e8-9739-2dfe598c3fcd")
        #expect(invocations[0].invocation.invokedFunctionARN == Self.functionARN)
        #expect(invocations[0].invocation.deadlineMillisecondsSinceEpoch == Int64(deadline.timeIntervalSince1970 * 1000))
        #expect(invocations[0].invocation.traceID == trace)
        #expect(invocations[0].exportedTraceID == trace)
        #expect(invocations[0].remaining > .zero && invocations[0].remaining <= .seconds(120))
        #expect(invocations[0].event == "hello")
        #expect(invocations[1].invocation.traceID == nil)
        #expect(invocations[1].exportedTraceID == nil, "a trace id must not leak into the next invocation")
    }

    struct WebhookRejected: Error, CustomStringConvertible {
        var description: String { "secret token mismatch" }
    }

    @Test("a handler's error is reported in the documented shape, and the loop goes on")
    func handlerError() async throws {
        let (error, requests) = try await Self.run([
            ScriptedInvocation(requestID: "fails", event: "{}"),
            ScriptedInvocation(requestID: "succeeds", event: "{}"),
        ]) {
            { invocation, _ in
                if invocation.requestID == "fails" { throw WebhookRejected() }
                return ByteBuffer(string: "ok")
            }
        }
        #expect(error is LambdaRuntimeAPIError)
        let posts = requests.filter { $0.method == "POST" }
        #expect(posts.map(\.path) == [
            "/2018-06-01/runtime/invocation/fails/error",
            "/2018-06-01/runtime/invocation/succeeds/response",
        ])
        let report = try JSONDecoder().decode(LambdaErrorReport.self, from: Data(posts[0].body))
        #expect(report.errorMessage == "secret token mismatch")
        #expect(report.errorType.hasSuffix("WebhookRejected"))
        #expect(report.stackTrace == [])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(posts[0].body)) as? [String: Any])
        #expect(Set(json.keys) == ["errorMessage", "errorType", "stackTrace"])
        #expect(posts[0].header("Lambda-Runtime-Function-Error-Type") == "Function.Unhandled")
    }

    struct MissingConfiguration: Error, CustomStringConvertible {
        var description: String { "TELEGRAM_BOT_TOKEN_PARAMETER is not set" }
    }

    @Test("a failed set-up is reported to init/error, no invocation is asked for, and run throws")
    func initializationError() async throws {
        let (error, requests) = try await Self.run([ScriptedInvocation(requestID: "never", event: "{}")]) {
            throw MissingConfiguration()
        }
        let initError = try #require(error as? LambdaInitializationError)
        #expect(initError.report.errorMessage == "TELEGRAM_BOT_TOKEN_PARAMETER is not set")
        #expect(requests.map(\.path) == ["/2018-06-01/runtime/init/error"])
        #expect(requests.first?.header("Lambda-Runtime-Function-Error-Type") == "Runtime.InitError")
        let report = try JSONDecoder().decode(LambdaErrorReport.self, from: Data(try #require(requests.first).body))
        #expect(report == initError.report)
    }

    @Test("a response Lambda refuses as too large is turned into an error for the same invocation")
    func responseTooLarge() async throws {
        let (_, requests) = try await Self.run([ScriptedInvocation(requestID: "big", event: "{}", responseStatus: 413)]) {
            { _, _ in ByteBuffer(repeating: UInt8(ascii: "x"), count: 1024) }
        }
        let posts = requests.filter { $0.method == "POST" }
        #expect(posts.map(\.path) == ["/2018-06-01/runtime/invocation/big/response", "/2018-06-01/runtime/invocation/big/error"])
        let report = try JSONDecoder().decode(LambdaErrorReport.self, from: Data(posts[1].body))
        #expect(report.errorType == "Function.ResponseSizeTooLarge")
    }

    @Test("remaining time counts down to the deadline and never below zero")
    func remainingTime() {
        let invocation = LambdaInvocation(requestID: "r", deadlineMillisecondsSinceEpoch: 1_700_000_010_000, invokedFunctionARN: Self.functionARN)
        #expect(invocation.remainingTime(at: Date(timeIntervalSince1970: 1_700_000_000)) == .seconds(10))
        #expect(invocation.remainingTime(at: Date(timeIntervalSince1970: 1_700_000_009.75)) == .milliseconds(250))
        #expect(invocation.remainingTime(at: Date(timeIntervalSince1970: 1_700_000_011)) == .zero)
    }

    @Test("an invocation without its request id or deadline is refused")
    func missingHeaders() async throws {
        let (error, _) = try await FakeHTTPServer.withServer(respond: { _, _ in
            ScriptedReply(status: .ok, headers: [("Lambda-Runtime-Aws-Request-Id", "r")], body: Array("{}".utf8))
        }) { server in
            let api = LambdaRuntimeAPIClient(endpoint: "127.0.0.1:\(server.port)", httpClient: .shared)
            do {
                _ = try await api.next()
                return (nil as LambdaRuntimeAPIError?, server.requests)
            } catch let error as LambdaRuntimeAPIError {
                return (error, server.requests)
            }
        }
        #expect(error == .missingHeader("Lambda-Runtime-Deadline-Ms"))
    }

    @Test("an event over the size limit is refused")
    func eventTooLarge() async throws {
        let error = try await FakeHTTPServer.withServer(respond: { _, _ in
            ScriptedReply(
                status: .ok,
                headers: [("Lambda-Runtime-Aws-Request-Id", "r"), ("Lambda-Runtime-Deadline-Ms", "1"), ("Lambda-Runtime-Invoked-Function-Arn", "a")],
                body: Array(repeating: UInt8(ascii: " "), count: 4096)
            )
        }) { server in
            let api = LambdaRuntimeAPIClient(endpoint: "127.0.0.1:\(server.port)", httpClient: .shared, maxEventBytes: 1024)
            return await #expect(throws: LambdaRuntimeAPIError.self) { _ = try await api.next() }
        }
        #expect(error == .eventTooLarge(limit: 1024))
    }

    @Test("outside Lambda there is no runtime to start")
    func outsideLambda() {
        #expect(throws: LambdaRuntimeAPIError.missingRuntimeAPI) { try LambdaRuntime.fromEnvironment([:]) }
    }
}
