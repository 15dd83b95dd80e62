import Hummingbird
import NIOCore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The Lambda Runtime API as a bootstrap process sees it, for one process at a time: it hands out the
/// event it was given a set number of times, then answers `next` with 500, which ends the process as a
/// failing Runtime API does. It notes the wall-clock time of the first `next` call, which is where a
/// function's init ends.
///
///     POST /bench/reset?invocations=N   (body: the event) forget the last run; serve the body N times
///     GET  /bench/stats                 first_next_ns=... responses=... errors=...
final class LambdaRuntimeEmulator: Sendable {
    private struct Run {
        var event = ByteBuffer()
        var remaining = 0
        /// CLOCK_REALTIME at the first `next`, in nanoseconds since the epoch: comparable with a
        /// timestamp the benchmark script takes just before it starts the process.
        var firstNext: Int64?
        var responses = 0
        var errors = 0
        var nextRequestID = 1
    }

    private let run = Mutex(Run())

    func register(on router: Router<BasicRequestContext>) {
        router.post("/bench/reset") { request, context -> HTTPResponse.Status in
            let event = try await request.body.collect(upTo: 6 << 20)
            let invocations = request.uri.queryParameters.get("invocations", as: Int.self) ?? 0
            self.run.withLock { $0 = Run(event: event, remaining: invocations) }
            return .ok
        }
        router.get("/bench/stats") { _, _ -> String in
            let run = self.run.withLock { $0 }
            return "first_next_ns=\(run.firstNext.map(String.init) ?? "none") responses=\(run.responses) errors=\(run.errors)\n"
        }
        router.get("/2018-06-01/runtime/invocation/next") { _, _ -> Response in
            let now = Self.wallClockNanoseconds()
            let next = self.run.withLock { run -> (id: Int, event: ByteBuffer)? in
                if run.firstNext == nil { run.firstNext = now }
                guard run.remaining > 0 else { return nil }
                run.remaining -= 1
                run.nextRequestID += 1
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
        router.post("/2018-06-01/runtime/invocation/:id/response") { request, _ -> HTTPResponse.Status in
            _ = try await request.body.collect(upTo: 6 << 20)
            self.run.withLock { $0.responses += 1 }
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
