import ArgumentParser
import AsyncHTTPClient
import AWSClients
import FerryDeploy
import FoundationEssentials

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `logs --stage S`: the stage's function logs from CloudWatch Logs, interleaved by time, each line tagged with
/// the function's role, bot tokens redacted.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print a deployed stage's function logs, oldest first, each line tagged with its function.",
        discussion: "Reads CloudWatch Logs (AWS_REGION, AWS_ENDPOINT_URL and the AWS_* credentials apply). Bot tokens are redacted."
    )

    @OptionGroup var options: DeployedStageOptions

    @Option(help: "Only this function's logs (webhook, consumer or dead-letter); repeat for more. Default: all three.")
    var role: [Role] = []

    @Option(help: ArgumentHelp("How far back to start (30s, 10m, 2h, 1d).", valueName: "duration"))
    var since = DurationArgument(argument: "10m")!

    @Flag(help: "Keep printing new lines as they arrive, until interrupted.")
    var follow = false

    @Option(help: "Print at most this many log events before following (the newest are kept).")
    var limit = 10_000

    /// A function named by its handler name, as the stage names its functions and log groups.
    struct Role: ExpressibleByArgument {
        var function: BotStack.Function

        init?(argument: String) {
            guard let function = BotStack.Function(handler: argument) else { return nil }
            self.function = function
        }

        static var allValueStrings: [String] { BotStack.Function.allCases.map(\.handler) }
    }

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() async throws {
        let stack = options.stack
        try stack.validate()
        let functions = role.isEmpty ? BotStack.Function.allCases : role.map(\.function)
        try await options.withAWS { configuration, httpClient in
            let configuration = try configuration.get()
            let token = try? await stageBotToken(stack, configuration: configuration, httpClient: httpClient).get()
            var reader = StageLogReader(
                logs: CloudWatchLogsClient(configuration: configuration, httpClient: httpClient),
                groups: functions.map { ($0, stack.names.logGroup($0)) },
                redactor: TokenRedactor(knownToken: token)
            )
            let start = Int64(Date().timeIntervalSince1970 * 1000) - Int64(since.seconds) * 1000
            let first = try await reader.read(from: start, limit: limit)
            for note in first.notes { printToStandardError(note) }
            if first.truncated { printToStandardError("(only the newest \(limit) lines are shown; narrow --since or --role for older ones)") }
            for line in first.lines { print(line) }
            guard follow else { return }
            // Standard output into a pipe (`logs --follow | grep ...`) is block-buffered: flush each batch.
            fflush(nil)
            // The newest events may still be arriving in CloudWatch Logs: each poll asks again from the last
            // millisecond printed, and the reader skips the events it has already printed.
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(2))
                let next = try await reader.read(from: reader.lastTimestamp ?? start, limit: limit)
                for line in next.lines { print(line) }
                fflush(nil)
            }
        }
    }
}

/// Reads the events of several log groups as one stream, oldest first.
struct StageLogReader {
    var logs: CloudWatchLogsClient
    var groups: [(function: BotStack.Function, group: String)]
    var redactor: TokenRedactor
    /// The newest timestamp printed so far, and the events printed at it: a later read starts there.
    private(set) var lastTimestamp: Int64?
    private var printedAtLast: Set<String> = []
    /// Groups already reported missing, so a follower says it once.
    private var reportedMissing: Set<String> = []

    /// The most pages read from one group per read: a bound on a read, even of a very busy stage.
    static let maxPagesPerGroup = 50

    init(logs: CloudWatchLogsClient, groups: [(function: BotStack.Function, group: String)], redactor: TokenRedactor) {
        self.logs = logs
        self.groups = groups
        self.redactor = redactor
    }

    struct Batch {
        var lines: [String]
        var notes: [String]
        var truncated: Bool
    }

    mutating func read(from start: Int64, limit: Int) async throws -> Batch {
        var tagged: [(event: LogEvent, function: BotStack.Function)] = []
        var notes: [String] = []
        var truncated = false
        for (function, group) in groups {
            var token: String?
            var pages = 0
            repeat {
                let page: LogEventPage
                do {
                    page = try await logs.filterLogEvents(group: group, from: start, nextToken: token)
                } catch let error as AWSServiceError where error.code == "ResourceNotFoundException" {
                    if reportedMissing.insert(group).inserted {
                        notes.append("no logs of the \(function.handler) function yet (\(group) does not exist)")
                    }
                    break
                }
                tagged += page.events.map { ($0, function) }
                token = page.nextToken
                pages += 1
            } while token != nil && pages < Self.maxPagesPerGroup
            if token != nil { truncated = true }
        }
        let fresh = tagged.filter { entry in
            guard let lastTimestamp else { return true }
            return entry.event.timestamp > lastTimestamp
                || (entry.event.timestamp == lastTimestamp && !printedAtLast.contains(entry.event.eventID))
        }
        // By time; within one millisecond, in the pipeline's order, then as CloudWatch numbered them.
        let order = BotStack.Function.allCases
        var sorted = fresh.sorted { a, b in
            if a.event.timestamp != b.event.timestamp { return a.event.timestamp < b.event.timestamp }
            if a.function != b.function { return order.firstIndex(of: a.function)! < order.firstIndex(of: b.function)! }
            return a.event.eventID < b.event.eventID
        }
        if sorted.count > limit {
            sorted.removeFirst(sorted.count - limit)
            truncated = true
        }
        if let newest = sorted.last?.event.timestamp {
            if newest != lastTimestamp { printedAtLast = [] }
            lastTimestamp = newest
            for entry in sorted where entry.event.timestamp == newest { printedAtLast.insert(entry.event.eventID) }
        }
        return Batch(lines: sorted.flatMap { format($0.event, $0.function) }, notes: notes, truncated: truncated)
    }

    /// `2026-12-05T08:10:00.123Z [consumer] message`; each line of a multi-line message carries the tag.
    private func format(_ event: LogEvent, _ function: BotStack.Function) -> [String] {
        let time = Date(timeIntervalSince1970: Double(event.timestamp) / 1000).formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        let tag = "[\(function.handler)]"
        let message = redactor.redact(event.message)
        let lines = message.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        let kept = lines.last?.isEmpty == true ? lines.dropLast() : lines[...]
        return (kept.isEmpty ? [""] : Array(kept)).map { "\(time) \(tag) \($0)" }
    }
}
