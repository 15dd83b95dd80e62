import Foundation
import TelegramBotAPI

// Throughput of the Bot API layer, one core, release build:
//   swift run -c release FerryBenchmarks [path/to/shared/telegram/updates]
// Prints one line per measurement; Benchmarks/run.sh runs it and docs/performance.md quotes it.

let updatesPath = CommandLine.arguments.dropFirst().first ?? "../shared/telegram/updates"
let files = try FileManager.default.contentsOfDirectory(atPath: updatesPath).filter { $0.hasSuffix(".json") }.sorted()
let samples = try files.map { try Data(contentsOf: URL(fileURLWithPath: updatesPath).appendingPathComponent($0)) }
guard let textMessage = samples.first(where: { sample in
    (try? JSONDecoder().decode(Update.self, from: sample)).map { $0.message?.text != nil && $0.message?.replyToMessage == nil } ?? false
}) else {
    fatalError("no text-message sample in \(updatesPath)")
}
let decodedSamples = try samples.map { try BotAPIDecoder().decode(Update.self, from: $0) }

// FERRY_BENCHMARK=word: run only the measurements whose name contains `word` (e.g. "handlers").
let selected = ProcessInfo.processInfo.environment["FERRY_BENCHMARK"]
// FERRY_BENCHMARK=broadcast: only issue 20's throttled broadcast (FERRY_BROADCAST_CHATS chats, default 1,000),
// which takes as long as Telegram's limits say rather than measuring the CPU (Benchmarks/broadcast.sh).
if selected == "broadcast" {
    try await BroadcastBenchmark.run(chats: ProcessInfo.processInfo.environment["FERRY_BROADCAST_CHATS"].flatMap(Int.init) ?? 1000)
    exit(0)
}

/// Runs `body` over `count` operations until at least `minimumSeconds` have passed and prints the rate.
/// Synchronous bodies (decoding) and asynchronous ones (a `Bot` handling updates) both fit.
func measure(_ name: String, count: Int, minimumSeconds: Double = 2, _ body: () async throws -> Void) async rethrows {
    if let selected, !name.contains(selected) { return }
    let clock = ContinuousClock()
    try await body()  // warm up
    var operations = 0
    let start = clock.now
    var elapsed = Duration.zero
    repeat {
        try await body()
        operations += count
        elapsed = clock.now - start
    } while elapsed < .seconds(minimumSeconds)
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let rate = Double(operations) / seconds
    let nanoseconds = seconds / Double(operations) * 1e9
    print(name.padding(toLength: 46, withPad: " ", startingAt: 0) + String(format: "%12.0f /s %10.0f ns/op", rate, nanoseconds))
}

let fast = BotAPIDecoder()
let foundation = JSONDecoder()
let encoder = JSONEncoder()
let bytes = samples.reduce(0) { $0 + $1.count }
print("samples: \(samples.count) updates, \(bytes / samples.count) bytes average; text message: \(textMessage.count) bytes")

let textArray = Array(textMessage)
let routing = RoutingBenchmark()
// FERRY_PROFILE_DECODES=N: only decode the text message N times, for `valgrind --tool=callgrind`.
if let count = ProcessInfo.processInfo.environment["FERRY_PROFILE_DECODES"].flatMap(Int.init) {
    for _ in 0..<count { _ = try fast.decode(Update.self, from: textArray) }
    exit(0)
}
// FERRY_PROFILE_EXTRACTS=N: only extract the text message's routing keys N times, for `valgrind --tool=callgrind`.
if let count = ProcessInfo.processInfo.environment["FERRY_PROFILE_EXTRACTS"].flatMap(Int.init) {
    for _ in 0..<count { _ = try textArray.withUnsafeBytes { try UpdateRoutingKeys.extract(from: $0) } }
    exit(0)
}
// FERRY_PROFILE_ROUTES=N: only route the last-match update N times (the no-match one with
// FERRY_PROFILE_NO_MATCH=1), on this thread, for `valgrind --tool=callgrind` (see CallingThreadExecutor);
// instructions per update = (count at N - count at 0) / N.
if let count = ProcessInfo.processInfo.environment["FERRY_PROFILE_ROUTES"].flatMap(Int.init) {
    let update = ProcessInfo.processInfo.environment["FERRY_PROFILE_NO_MATCH"] != nil ? routing.noneMatch : routing.lastMatches
    let executor = CallingThreadExecutor()
    // Awaiting the task's value would leave this thread; the counter tells that it ran instead.
    Task.detached(executorPreference: executor) { [routing] in
        do { try await routing.route(update, times: count) } catch { fatalError("routing failed: \(error)") }
    }
    executor.drain()
    let runs = routing.lastHandlerRuns.count.load(ordering: .relaxed)
    guard runs == (update == routing.lastMatches ? count : 0) else {
        fatalError("routed \(count) updates, but the last handler ran \(runs) times")
    }
    exit(0)
}
let sampleArrays = samples.map { Array($0) }
try await measure("decode text-message Update (BotAPIDecoder)", count: 1000) {
    for _ in 0..<1000 { _ = try fast.decode(Update.self, from: textArray) }
}
try await measure("decode text-message Update (JSONDecoder)", count: 1000) {
    for _ in 0..<1000 { _ = try foundation.decode(Update.self, from: textMessage) }
}
try await measure("decode mixed Updates (BotAPIDecoder)", count: samples.count * 20) {
    for _ in 0..<20 { for sample in sampleArrays { _ = try fast.decode(Update.self, from: sample) } }
}
try await measure("decode mixed Updates (JSONDecoder)", count: samples.count * 20) {
    for _ in 0..<20 { for sample in samples { _ = try foundation.decode(Update.self, from: sample) } }
}
try await measure("encode mixed Updates (JSONEncoder)", count: decodedSamples.count * 20) {
    for _ in 0..<20 { for update in decodedSamples { _ = try encoder.encode(update) } }
}
try await measure("extract update_id + group (text)", count: 100_000) {
    for _ in 0..<100_000 { _ = try textArray.withUnsafeBytes { try UpdateRoutingKeys.extract(from: $0) } }
}
try await measure("extract update_id + group (mixed)", count: sampleArrays.count * 1000) {
    for _ in 0..<1000 { for sample in sampleArrays { _ = try sample.withUnsafeBytes { try UpdateRoutingKeys.extract(from: $0) } } }
}

try await routing.bot.handle(routing.lastMatches)
try await routing.bot.handle(routing.noneMatch)
guard routing.lastHandlerRuns.count.load(ordering: .relaxed) == 1 else {
    fatalError("the routing benchmark's updates do not reach the handlers they should")
}
try await measure("route: 50 handlers, last matches", count: 10_000) {
    try await routing.route(routing.lastMatches, times: 10_000)
}
try await measure("route: 50 handlers, none match", count: 10_000) {
    try await routing.route(routing.noneMatch, times: 10_000)
}
