#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A DynamoDB attribute value, in the typed form the API sends: `{"S": "text"}`, `{"N": "42"}`, `{"M": {...}}`...
public indirect enum DynamoDBValue: Sendable, Equatable {
    case string(String)
    /// Numbers travel as decimal text (up to 38 digits), which keeps them exact.
    case number(String)
    case binary([UInt8])
    case bool(Bool)
    case null
    case list([DynamoDBValue])
    case map([String: DynamoDBValue])
    case stringSet([String])
    case numberSet([String])
    case binarySet([[UInt8]])

    public static func number(_ value: some BinaryInteger) -> DynamoDBValue { .number(String(value)) }

    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    public var intValue: Int? {
        if case .number(let value) = self { Int(value) } else { nil }
    }

    public var binaryValue: [UInt8]? {
        if case .binary(let value) = self { value } else { nil }
    }
}

/// An item: attribute names to values.
public typealias DynamoDBItem = [String: DynamoDBValue]

extension DynamoDBValue: Codable {
    enum CodingKeys: String, CodingKey {
        case string = "S", number = "N", binary = "B", bool = "BOOL", null = "NULL"
        case list = "L", map = "M", stringSet = "SS", numberSet = "NS", binarySet = "BS"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let key = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "an attribute value has exactly one type key"))
        }
        switch key {
        case .string: self = .string(try container.decode(String.self, forKey: key))
        case .number: self = .number(try container.decode(String.self, forKey: key))
        case .binary: self = .binary(try Self.bytes(try container.decode(String.self, forKey: key), container, key))
        case .bool: self = .bool(try container.decode(Bool.self, forKey: key))
        case .null: self = .null
        case .list: self = .list(try container.decode([DynamoDBValue].self, forKey: key))
        case .map: self = .map(try container.decode([String: DynamoDBValue].self, forKey: key))
        case .stringSet: self = .stringSet(try container.decode([String].self, forKey: key))
        case .numberSet: self = .numberSet(try container.decode([String].self, forKey: key))
        case .binarySet: self = .binarySet(try container.decode([String].self, forKey: key).map { try Self.bytes($0, container, key) })
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .string(let value): try container.encode(value, forKey: .string)
        case .number(let value): try container.encode(value, forKey: .number)
        case .binary(let value): try container.encode(Data(value).base64EncodedString(), forKey: .binary)
        case .bool(let value): try container.encode(value, forKey: .bool)
        case .null: try container.encode(true, forKey: .null)
        case .list(let value): try container.encode(value, forKey: .list)
        case .map(let value): try container.encode(value, forKey: .map)
        case .stringSet(let value): try container.encode(value, forKey: .stringSet)
        case .numberSet(let value): try container.encode(value, forKey: .numberSet)
        case .binarySet(let value): try container.encode(value.map { Data($0).base64EncodedString() }, forKey: .binarySet)
        }
    }

    private static func bytes(_ text: String, _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [UInt8] {
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "binary value is not base64")
        }
        return Array(data)
    }
}
