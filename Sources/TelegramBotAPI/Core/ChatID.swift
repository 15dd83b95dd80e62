/// A chat to address: its numeric id, or the `@username` of a public channel or supergroup.
///
/// The Bot API types this `Integer or String`; Ferry makes the choice explicit.
public enum ChatID: Sendable, Hashable, Codable, CustomStringConvertible {
    case id(Int)
    case username(String)

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let id = try? container.decode(Int.self) {
            self = .id(id)
        } else {
            self = .username(try container.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .id(let id): try container.encode(id)
        case .username(let username): try container.encode(username)
        }
    }

    public var description: String {
        switch self {
        case .id(let id): String(id)
        case .username(let username): username
        }
    }
}

extension ChatID: ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
    public init(integerLiteral value: Int) { self = .id(value) }
    public init(stringLiteral value: String) { self = .username(value) }
}
