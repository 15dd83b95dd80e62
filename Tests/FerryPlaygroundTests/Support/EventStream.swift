import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// One server-sent event: its name and its data (JSON, for the playground).
struct ServerSentEvent: Sendable, Hashable {
    var name: String
    var data: String

    func decode<Value: Decodable>(_ type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: Data(data.utf8))
    }
}

/// Reads a `text/event-stream` response as the browser's `EventSource` does, in a task of its own, so
/// that every wait for an event is bounded in time.
final class EventStream: Sendable {
    private struct State {
        var events: [ServerSentEvent] = []
        /// How many events `next` has looked at (matching or not).
        var cursor = 0
        var ended = false
    }

    let status: Int
    private let state = Mutex(State())
    private let reader = Mutex<Task<Void, Never>?>(nil)

    private init(status: Int) {
        self.status = status
    }

    static func open(url: String, headers: [String: String] = [:], http: HTTPClient) async throws -> EventStream {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await http.execute(request, timeout: .seconds(10))
        let stream = EventStream(status: Int(response.status.code))
        stream.reader.withLock { reader in
            reader = Task { [stream] in
                var parser = EventParser()
                do {
                    for try await chunk in response.body {
                        let events = parser.feed(String(buffer: chunk))
                        stream.state.withLock { $0.events += events }
                    }
                } catch {}
                stream.state.withLock { $0.ended = true }
            }
        }
        return stream
    }

    deinit {
        reader.withLock { $0?.cancel() }
    }

    /// The next event named `name` that `matches`, waiting at most `limit`; `nil` when none came.
    func next(_ name: String, within limit: Duration = .seconds(30), where matches: (ServerSentEvent) throws -> Bool = { _ in true }) async throws -> ServerSentEvent? {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        while true {
            let (unseen, start, ended) = state.withLock { state in (Array(state.events[state.cursor...]), state.cursor, state.ended) }
            for (offset, event) in unseen.enumerated() where event.name == name {
                if try matches(event) {
                    // Events after this one stay unseen, for the next call.
                    state.withLock { $0.cursor = start + offset + 1 }
                    return event
                }
            }
            state.withLock { $0.cursor = start + unseen.count }
            if ended || clock.now >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The next event of type `name` whose data decodes as `Value` and passes `matches`.
    func next<Value: Decodable>(_ name: String, as type: Value.Type, within limit: Duration = .seconds(30), where matches: (Value) -> Bool) async throws -> Value? {
        try await next(name, within: limit) { event in matches(try event.decode(type)) }.map { try $0.decode(type) }
    }

    /// Whether the server ended the stream within `limit`.
    func ends(within limit: Duration = .seconds(30)) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        // Looked at once more after the deadline: a busy test process may oversleep it.
        while true {
            if state.withLock({ $0.ended }) { return true }
            guard clock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// Splits the stream's text into events at blank lines.
private struct EventParser {
    private var pending = ""

    mutating func feed(_ text: String) -> [ServerSentEvent] {
        pending += text
        var events: [ServerSentEvent] = []
        while let end = pending.range(of: "\n\n") {
            let block = pending[..<end.lowerBound]
            var name = "message"
            var data: [Substring] = []
            for line in block.split(separator: "\n", omittingEmptySubsequences: false) {
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data.append(line.dropFirst(6)) }
            }
            pending.removeSubrange(..<end.upperBound)
            // A block without data (the `retry:` hint, a comment) is no event.
            if !data.isEmpty { events.append(ServerSentEvent(name: name, data: data.joined(separator: "\n"))) }
        }
        return events
    }
}
