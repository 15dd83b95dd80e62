import FerryRuntime
import FerrySQLite
import Hummingbird
import Logging
import NIOCore
import Synchronization
import TelegramBotAPI
import TelegramClient
#if canImport(Glibc)
import Glibc
#endif

// The other ends of the HTTP benchmarks (Benchmarks/http.sh), each a separate process:
//   FerryBenchServers bare --port P       a Hummingbird route that reads the body and answers 200:
//                                         the ceiling ingress is compared with
//   FerryBenchServers telegram --port P   a minimal Bot API: answers sendMessage, counts the calls,
//                                         GET /count tells how many
//   FerryBenchServers ingress --port P --data-dir D
//                                         the webhook ingress alone: the same checks and durable SQLite
//                                         enqueue (group commit, fsync) as `serve`, with no dispatcher
//                                         taking the CPU, so ingress is measured apart from handling
//   FerryBenchServers relay --port P --api URL
//                                         the least work an end-to-end update can cost: the webhook's body
//                                         is read, its chat found, one sendMessage made through
//                                         TelegramClient to the Bot API at URL, then 200. No storage, no
//                                         dispatcher, no handler: the ceiling `serve` is compared with
// and of the Lambda benchmarks (Benchmarks/lambda.sh):
//   FerryBenchServers lambda --port P     a Lambda Runtime API for one bootstrap process at a time, plus the
//                                         minimal Bot API its handlers answer through (TELEGRAM_API_URL) and
//                                         SQS SendMessage (AWS_ENDPOINT_URL), each at a latency set per run

let arguments = CommandLine.arguments
let modes = ["bare": nil, "telegram": nil, "lambda": nil, "ingress": "--data-dir", "relay": "--api"]
guard arguments.count >= 4, arguments[2] == "--port", let port = Int(arguments[3]), let option = modes[arguments[1]],
    option.map({ arguments.count == 6 && arguments[4] == $0 }) ?? (arguments.count == 4)
else {
    print("usage: FerryBenchServers (bare|telegram|lambda) --port PORT | ingress --port PORT --data-dir DIR | relay --port PORT --api URL")
    exit(2)
}

let router = Router()
let calls = Atomic<Int>(0)
let lambda: LambdaRuntimeEmulator? = arguments[1] == "lambda" ? LambdaRuntimeEmulator() : nil
if let lambda {
    lambda.register(on: router)
} else if arguments[1] == "ingress" {
    let storage = try await SQLiteStorage.open(directory: arguments[5])
    let ingress = WebhookIngress(configuration: .init(), queue: storage.queue)
    router.post("/webhook") { request, _ -> HTTPResponse.Status in
        let body = try await request.body.collect(upTo: ingress.configuration.maximumBodySize)
        let answer = await ingress.accept(body: Array(buffer: body), secretHeader: nil)
        return HTTPResponse.Status(code: answer.status)
    }
} else if arguments[1] == "relay" {
    let client = TelegramClient(token: "123:bench", configuration: .init(baseURL: arguments[5]))
    router.post("/webhook") { request, _ -> HTTPResponse.Status in
        let body = try await request.body.collect(upTo: 1 << 20)
        guard let keys = try? UpdateRoutingKeys.extract(from: Array(buffer: body)), case .chat(let chat) = keys.group else {
            return .badRequest
        }
        _ = try await client.send(SendMessage(chatID: .id(chat), text: "hello"))
        return .ok
    }
} else if arguments[1] == "bare" {
    router.post("/webhook") { request, _ -> HTTPResponse.Status in
        _ = try await request.body.collect(upTo: 1 << 20)
        return .ok
    }
}
if arguments[1] == "telegram" || arguments[1] == "lambda" {
    let message = ByteBuffer(string: #"{"ok":true,"result":{"message_id":1,"date":1700000000,"chat":{"id":1,"type":"private"},"text":"ok"}}"#)
    router.post("/:token/:method") { request, _ -> Response in
        _ = try await request.body.collect(upTo: 1 << 20)
        calls.add(1, ordering: .relaxed)
        if let latency = lambda?.botAPILatency, latency > .zero { try await Task.sleep(for: latency) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: message))
    }
    router.get("/count") { _, _ in "\(calls.load(ordering: .relaxed))\n" }
}
var logger = Logger(label: "bench")
logger.logLevel = .warning
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)), logger: logger)
try await app.runService()
