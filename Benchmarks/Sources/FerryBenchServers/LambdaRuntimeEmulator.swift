import Foundation
import Hummingbird
import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The Lambda Runtime API as a bootstrap process sees it, for one process at a time: it hands out the
/// event it was given a set number of times, then answers `next` with 500, which ends the process as a
/// failing Runtime API does. It notes the wall-clock time of the first `next` call, which is where a
/// function's init ends, and each invocation's duration: from the event handed out to its response
/// posted, which is what Lambda bills.
///
/// It also stands in for the services the handlers call, each answering after a set latency (Telegram
/// and SQS as seen from an AWS region): the Bot API (registered by `main.swift`, which asks
/// ``botAPILatency``) and SQS's `SendMessage` and `SendMessageBatch` (`POST /` in the AWS JSON protocol), which the webhook role
/// calls.
///
///     POST /bench/reset?invocations=N[&bot_latency_ms=L][&sqs_latency_ms=S]   (body: the event)
///                                       forget the last run; serve the body N times
///     GET  /bench/stats                 first_next_ns=... responses=... errors=... sqs_calls=...
///     GET  /bench/durations             one invocation's duration per line, in microseconds
final class LambdaRuntimeEmulator: Sendable {
    private struct Run {
        var event = ByteBuffer()
        var remaining = 0
        var botAPILatency = Duration.zero
        var sqsLatency = Duration.zero
        /// CLOCK_REALTIME at the first `next`, in nanoseconds since the epoch: comparable with a
        /// timestamp the benchmark script takes just before it starts the process.
        var firstNext: Int64?
        var responses = 0
        var errors = 0
        var sqsCalls = 0
        var nextRequestID = 1
        /// When each invocation in flight was handed out, by request ID.
        var started: [String: ContinuousClock.Instant] = [:]
        var durations: [Duration] = []
        /// The last invocation's response, so a script can tell a measured answer from a refusal.
        var lastResponse = ""
        /// SQS operations other than `SendMessage`, which the stand-in refuses.
        var unexpectedTargets: [String] = []
    }

    private let run = Mutex(Run())

    /// How long the Bot API takes to answer in the current run.
    var botAPILatency: Duration { run.withLock { $0.botAPILatency } }

    func register(on router: Router<BasicRequestContext>) {
        router.post("/bench/reset") { request, context -> HTTPResponse.Status in
            let event = try await request.body.collect(upTo: 6 << 20)
            let parameters = request.uri.queryParameters
            let invocations = parameters.get("invocations", as: Int.self) ?? 0
            let botAPILatency = Duration.milliseconds(parameters.get("bot_latency_ms", as: Int.self) ?? 0)
            let sqsLatency = Duration.milliseconds(parameters.get("sqs_latency_ms", as: Int.self) ?? 0)
            self.run.withLock {
                $0 = Run(event: event, remaining: invocations, botAPILatency: botAPILatency, sqsLatency: sqsLatency)
            }
            return .ok
        }
        router.get("/bench/stats") { _, _ -> String in
            let run = self.run.withLock { $0 }
            return "first_next_ns=\(run.firstNext.map(String.init) ?? "none") responses=\(run.responses) errors=\(run.errors)"
                + " sqs_calls=\(run.sqsCalls) unexpected_sqs=\(run.unexpectedTargets.joined(separator: ",")) last_response=\(run.lastResponse.prefix(300))\n"
        }
        router.get("/bench/durations") { _, _ -> String in
            let durations = self.run.withLock { $0.durations }
            return durations.map { "\($0 / .microseconds(1))\n" }.joined()
        }
        // SQS SendMessage and SendMessageBatch (the webhook role sends each update in a batch of one): the
        // answer's fields are what SQS returns.
        router.post("/") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let (latency, sequence) = self.run.withLock { run -> (Duration, Int) in
                run.sqsCalls += 1
                return (run.sqsLatency, run.sqsCalls)
            }
            let target = request.headers[HTTPFields.Element.Name("X-Amz-Target")!] ?? "none"
            let answer: String
            switch target {
            case "AmazonSQS.SendMessage":
                answer = #"{"MessageId":"bench-\#(sequence)","MD5OfMessageBody":"00000000000000000000000000000000","SequenceNumber":"\#(sequence)"}"#
            case "AmazonSQS.SendMessageBatch":
                struct Batch: Decodable { struct Entry: Decodable { var Id: String }; var Entries: [Entry] }
                guard let batch = try? JSONDecoder().decode(Batch.self, from: Data(body.readableBytesView)) else { return Response(status: .badRequest) }
                let successful = batch.Entries.enumerated().map { index, entry in
                    #"{"Id":"\#(entry.Id)","MessageId":"bench-\#(sequence)-\#(index)","MD5OfMessageBody":"00000000000000000000000000000000","SequenceNumber":"\#(sequence)"}"#
                }
                answer = #"{"Successful":[\#(successful.joined(separator: ","))],"Failed":[]}"#
            default:
                self.run.withLock { $0.unexpectedTargets.append(target) }
                return Response(status: .badRequest)
            }
            try await Task.sleep(for: latency)
            return Response(
                status: .ok, headers: [.contentType: "application/x-amz-json-1.0"], body: .init(byteBuffer: ByteBuffer(string: answer))
            )
        }
        router.get("/2018-06-01/runtime/invocation/next") { _, _ -> Response in
            let now = Self.wallClockNanoseconds()
            let next = self.run.withLock { run -> (id: Int, event: ByteBuffer)? in
                if run.firstNext == nil { run.firstNext = now }
                guard run.remaining > 0 else { return nil }
                run.remaining -= 1
                run.nextRequestID += 1
                run.started["bench-\(run.nextRequestID)"] = .now
                return (run.nextRequestID, run.event)
            }
            guard let next else { return Response(status: .internalServerError) }
            let deadline = now / 1_000_000 + 30_000
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[HTTPFields.Element.Name("Lambda-Runtime-Aws-Request-Id")!] = "bench-\(next.id)"
            headers[HTTPFields.Element.Name("Lambda-Runtime-Deadline-Ms")!] = "\(deadline)"
            headers[HTTPFields.Element.Name("Lambda-Runtime-Invoked-Function-Arn")!] = "arn:aws:lambda:us-east-1:000000000000:function:bench"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: next.event))
        }
        router.post("/2018-06-01/runtime/invocation/:id/response") { request, context -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 6 << 20)
            let id = context.parameters.get("id") ?? ""
            let now = ContinuousClock.now
            self.run.withLock { run in
                run.responses += 1
                run.lastResponse = String(buffer: body)
                if let started = run.started.removeValue(forKey: id) { run.durations.append(now - started) }
            }
            return .accepted
        }
        router.post("/2018-06-01/runtime/invocation/:id/error") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 1 << 20)
            self.run.withLock { $0.errors += 1 }
            return .accepted
        }
        router.post("/2018-06-01/runtime/init/error") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 1 << 20)
            self.run.withLock { $0.errors += 1 }
            return .accepted
        }
    }

    private static func wallClockNanoseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)
    }
}
