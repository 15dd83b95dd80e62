public import AsyncHTTPClient
public import Logging
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

extension AWSJSONService {
    /// CloudWatch metrics and alarms, over the JSON 1.0 protocol it speaks beside its older query protocol.
    public static let cloudWatch = AWSJSONService(signingName: "monitoring", targetPrefix: "GraniteServiceVersion20100801", jsonVersion: "1.0")
}

/// A metric's dimension: `FunctionName` = `ferry-echo-prod-consumer`.
public struct CloudWatchDimension: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", value = "Value"
    }
}

/// One statistic of a metric over one period.
public struct CloudWatchDatapoint: Sendable, Hashable {
    public var timestamp: Date
    public var value: Double
}

/// An alarm's state as CloudWatch reports it.
public struct CloudWatchAlarmState: Sendable, Hashable {
    public var name: String
    /// `OK`, `ALARM` or `INSUFFICIENT_DATA`.
    public var state: String
    /// CloudWatch's words for why the alarm is in its state.
    public var reason: String
    public var updatedAt: Date?
}

/// Amazon CloudWatch over its JSON protocol: reading a stage's metrics and alarms (and, for tests and
/// set-up, writing them).
public struct CloudWatchClient: AWSServiceClient {
    public let client: AWSJSONClient

    public static let service = AWSJSONService.cloudWatch

    public init(wrapping client: AWSJSONClient) {
        self.client = client
    }

    public static let silentLogger = Logger(label: "ferry.cloudwatch", factory: { _ in SwiftLogNoOpLogHandler() })

    /// One statistic (`Maximum`, `Sum`...) of a metric per `periodSeconds` between `start` and `end`, oldest first.
    public func statistics(
        namespace: String,
        metric: String,
        dimensions: [CloudWatchDimension],
        statistic: String,
        from start: Date,
        to end: Date,
        periodSeconds: Int = 60
    ) async throws -> [CloudWatchDatapoint] {
        let output = try await client.send(
            "GetMetricStatistics",
            Wire.GetMetricStatistics(
                Namespace: namespace, MetricName: metric, Dimensions: dimensions,
                StartTime: start.timeIntervalSince1970, EndTime: end.timeIntervalSince1970,
                Period: periodSeconds, Statistics: [statistic]
            ),
            as: Wire.GetMetricStatisticsOutput.self
        )
        return (output.Datapoints ?? []).compactMap { point in
            guard let value = point.value(of: statistic) else { return nil }
            return CloudWatchDatapoint(timestamp: Date(timeIntervalSince1970: point.Timestamp), value: value)
        }.sorted { $0.timestamp < $1.timestamp }
    }

    /// The metric alarms among `names` that exist (at most 100 names, CloudWatch's limit per call), sorted by name.
    public func alarms(named names: [String]) async throws -> [CloudWatchAlarmState] {
        precondition(names.count <= 100, "DescribeAlarms takes at most 100 alarm names")
        let output = try await client.send(
            "DescribeAlarms",
            Wire.DescribeAlarms(AlarmNames: names, AlarmTypes: ["MetricAlarm"], MaxRecords: 100),
            as: Wire.DescribeAlarmsOutput.self
        )
        return (output.MetricAlarms ?? []).map { alarm in
            CloudWatchAlarmState(
                name: alarm.AlarmName,
                state: alarm.StateValue,
                reason: alarm.StateReason ?? "",
                updatedAt: alarm.StateUpdatedTimestamp.map(Date.init(timeIntervalSince1970:))
            )
        }.sorted { $0.name < $1.name }
    }

    /// Records one value of a metric.
    public func putMetricData(
        namespace: String,
        metric: String,
        dimensions: [CloudWatchDimension],
        value: Double,
        unit: String = "None",
        at timestamp: Date = Date()
    ) async throws {
        try await client.send(
            "PutMetricData",
            Wire.PutMetricData(Namespace: namespace, MetricData: [
                .init(MetricName: metric, Dimensions: dimensions, Timestamp: timestamp.timeIntervalSince1970, Value: value, Unit: unit),
            ])
        )
    }

    /// Creates or replaces an alarm: `statistic` of the metric per `periodSeconds` compared with `threshold`.
    public func putMetricAlarm(
        named name: String,
        namespace: String,
        metric: String,
        dimensions: [CloudWatchDimension],
        statistic: String,
        periodSeconds: Int,
        threshold: Double,
        comparison: String = "GreaterThanThreshold"
    ) async throws {
        try await client.send(
            "PutMetricAlarm",
            Wire.PutMetricAlarm(
                AlarmName: name, Namespace: namespace, MetricName: metric, Dimensions: dimensions, Statistic: statistic,
                Period: periodSeconds, EvaluationPeriods: 1, Threshold: threshold, ComparisonOperator: comparison
            )
        )
    }

    /// Sets an alarm's state by hand, until its next evaluation: how to test what follows an alarm.
    public func setAlarmState(named name: String, to state: String, reason: String) async throws {
        try await client.send("SetAlarmState", Wire.SetAlarmState(AlarmName: name, StateValue: state, StateReason: reason))
    }

    /// The operations' JSON shapes, with the API's PascalCase member names; times are seconds since 1970.
    private enum Wire {
        struct GetMetricStatistics: Encodable {
            var Namespace: String
            var MetricName: String
            var Dimensions: [CloudWatchDimension]
            var StartTime: Double
            var EndTime: Double
            var Period: Int
            var Statistics: [String]
        }

        struct GetMetricStatisticsOutput: Decodable {
            struct Datapoint: Decodable {
                var Timestamp: Double
                var Maximum: Double?
                var Minimum: Double?
                var Average: Double?
                var Sum: Double?
                var SampleCount: Double?

                func value(of statistic: String) -> Double? {
                    switch statistic {
                    case "Maximum": Maximum
                    case "Minimum": Minimum
                    case "Average": Average
                    case "Sum": Sum
                    case "SampleCount": SampleCount
                    default: nil
                    }
                }
            }

            var Datapoints: [Datapoint]?
        }

        struct DescribeAlarms: Encodable {
            var AlarmNames: [String]
            var AlarmTypes: [String]
            var MaxRecords: Int
        }

        struct DescribeAlarmsOutput: Decodable {
            struct MetricAlarm: Decodable {
                var AlarmName: String
                var StateValue: String
                var StateReason: String?
                var StateUpdatedTimestamp: Double?
            }

            var MetricAlarms: [MetricAlarm]?
        }

        struct PutMetricData: Encodable {
            struct Datum: Encodable {
                var MetricName: String
                var Dimensions: [CloudWatchDimension]
                var Timestamp: Double
                var Value: Double
                var Unit: String
            }

            var Namespace: String
            var MetricData: [Datum]
        }

        struct PutMetricAlarm: Encodable {
            var AlarmName: String
            var Namespace: String
            var MetricName: String
            var Dimensions: [CloudWatchDimension]
            var Statistic: String
            var Period: Int
            var EvaluationPeriods: Int
            var Threshold: Double
            var ComparisonOperator: String
        }

        struct SetAlarmState: Encodable {
            var AlarmName: String
            var StateValue: String
            var StateReason: String
        }
    }
}
