/// The type of a chat as Telegram names it; a struct rather than an enum so that a type Telegram
/// adds later still compares and prints.
public struct ChatType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let `private` = ChatType(rawValue: "private")
    public static let group = ChatType(rawValue: "group")
    public static let supergroup = ChatType(rawValue: "supergroup")
    public static let channel = ChatType(rawValue: "channel")

    public var description: String { rawValue }
}
