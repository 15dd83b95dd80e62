/// How long CloudWatch Logs keeps a log group's events: only the periods CloudWatch offers.
public struct LogRetention: Sendable, Hashable, CustomStringConvertible {
    /// The retention in days.
    public let days: Int

    /// The retention periods CloudWatch Logs accepts, in days.
    public static let allowedDays: [Int] = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]

    /// `nil` unless `days` is one of ``allowedDays``.
    public init?(days: Int) {
        guard Self.allowedDays.contains(days) else { return nil }
        self.days = days
    }

    private init(known days: Int) {
        self.days = days
    }

    public static let oneDay = Self(known: 1)
    public static let threeDays = Self(known: 3)
    public static let oneWeek = Self(known: 7)
    public static let twoWeeks = Self(known: 14)
    public static let oneMonth = Self(known: 30)
    public static let threeMonths = Self(known: 90)
    public static let oneYear = Self(known: 365)

    public var description: String { "\(days) days" }
}
