public import AsyncHTTPClient
public import Logging

extension AWSJSONService {
    /// CloudWatch Logs.
    public static let cloudWatchLogs = AWSJSONService(signingName: "logs", targetPrefix: "Logs_20140328", jsonVersion: "1.1")
}

/// One event of a log group.
public struct LogEvent: Sendable, Hashable {
    /// When it was logged, in milliseconds since 1970.
    public var timestamp: Int64
    public var message: String
    public var logStream: String
    /// Unique within the log group: how a follower that asks again from the same millisecond skips what it printed.
    public var eventID: String
}

/// One page of ``CloudWatchLogsClient/filterLogEvents(group:from:to:nextToken:limit:)``.
public struct LogEventPage: Sendable, Hashable {
    public var events: [LogEvent]
    /// Where the next page starts; `nil` on the last one.
    public var nextToken: String?
}

/// Amazon CloudWatch Logs over its JSON protocol: reading the functions' logs (and, for tests, writing them).
public struct CloudWatchLogsClient: AWSServiceClient {
    public let client: AWSJSONClient

    public static let service = AWSJSONService.cloudWatchLogs

    public init(wrapping client: AWSJSONClient) {
        self.client = client
    }

    public static let silentLogger = Logger(label: "ferry.logs", factory: { _ in SwiftLogNoOpLogHandler() })

    /// One page of the group's events from `start` (milliseconds since 1970) on, across all its streams, oldest first.
    ///
    /// - Throws: ``AWSServiceError`` with code `ResourceNotFoundException` when the group does not exist.
    public func filterLogEvents(
        group: String,
        from start: Int64,
        to end: Int64? = nil,
        nextToken: String? = nil,
        limit: Int = 1_000
    ) async throws -> LogEventPage {
        let output = try await client.send(
            "FilterLogEvents",
            Wire.FilterLogEvents(logGroupName: group, startTime: start, endTime: end, nextToken: nextToken, limit: limit),
            as: Wire.FilterLogEventsOutput.self
        )
        let events = (output.events ?? []).map { event in
            LogEvent(
                timestamp: event.timestamp ?? 0,
                message: event.message ?? "",
                logStream: event.logStreamName ?? "",
                eventID: event.eventId ?? ""
            )
        }
        return LogEventPage(events: events, nextToken: output.nextToken)
    }

    public func createLogGroup(named group: String) async throws {
        try await client.send("CreateLogGroup", Wire.LogGroup(logGroupName: group))
    }

    public func createLogStream(named stream: String, in group: String) async throws {
        try await client.send("CreateLogStream", Wire.LogStream(logGroupName: group, logStreamName: stream))
    }

    /// Writes events (timestamps in milliseconds since 1970, in order) to a stream.
    public func putLogEvents(_ events: [(timestamp: Int64, message: String)], to stream: String, in group: String) async throws {
        try await client.send(
            "PutLogEvents",
            Wire.PutLogEvents(
                logGroupName: group,
                logStreamName: stream,
                logEvents: events.map { Wire.PutLogEvents.Event(timestamp: $0.timestamp, message: $0.message) }
            )
        )
    }

    /// The operations' JSON shapes; CloudWatch Logs names its members in camelCase.
    private enum Wire {
        struct FilterLogEvents: Encodable {
            var logGroupName: String
            var startTime: Int64
            var endTime: Int64?
            var nextToken: String?
            var limit: Int
        }

        struct FilterLogEventsOutput: Decodable {
            struct Event: Decodable {
                var timestamp: Int64?
                var message: String?
                var logStreamName: String?
                var eventId: String?
            }

            var events: [Event]?
            var nextToken: String?
        }

        struct LogGroup: Encodable {
            var logGroupName: String
        }

        struct LogStream: Encodable {
            var logGroupName: String
            var logStreamName: String
        }

        struct PutLogEvents: Encodable {
            struct Event: Encodable {
                var timestamp: Int64
                var message: String
            }

            var logGroupName: String
            var logStreamName: String
            var logEvents: [Event]
        }
    }
}
