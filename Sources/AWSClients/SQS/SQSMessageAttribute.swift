#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A message attribute: a typed value sent beside the body (`String`, `Number`, `Binary`, or one of
/// those with a custom suffix such as `String.json`).
public struct SQSMessageAttribute: Sendable, Equatable {
    public var dataType: String
    public var stringValue: String?
    public var binaryValue: [UInt8]?

    public init(dataType: String, stringValue: String? = nil, binaryValue: [UInt8]? = nil) {
        self.dataType = dataType
        self.stringValue = stringValue
        self.binaryValue = binaryValue
    }

    public static func string(_ value: String) -> SQSMessageAttribute {
        SQSMessageAttribute(dataType: "String", stringValue: value)
    }

    /// SQS carries numbers as their decimal text.
    public static func number(_ value: some BinaryInteger) -> SQSMessageAttribute {
        SQSMessageAttribute(dataType: "Number", stringValue: String(value))
    }

    public static func binary(_ value: [UInt8]) -> SQSMessageAttribute {
        SQSMessageAttribute(dataType: "Binary", binaryValue: value)
    }
}

extension SQSMessageAttribute: Codable {
    /// The SQS API spells the fields in PascalCase; the Lambda event in camelCase (see ``SQSEvent``).
    enum CodingKeys: String, CodingKey {
        case dataType = "DataType"
        case stringValue = "StringValue"
        case binaryValue = "BinaryValue"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            dataType: try container.decode(String.self, forKey: .dataType),
            stringValue: try container.decodeIfPresent(String.self, forKey: .stringValue),
            binaryValue: try Self.decodeBase64(container, forKey: .binaryValue)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(dataType, forKey: .dataType)
        try container.encodeIfPresent(stringValue, forKey: .stringValue)
        try container.encodeIfPresent(binaryValue.map { Data($0).base64EncodedString() }, forKey: .binaryValue)
    }

    /// Binary values travel as base64 text in both the API and the Lambda event.
    static func decodeBase64<Key: CodingKey>(_ container: KeyedDecodingContainer<Key>, forKey key: Key) throws -> [UInt8]? {
        guard let text = try container.decodeIfPresent(String.self, forKey: key) else { return nil }
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "binary value is not base64")
        }
        return Array(data)
    }
}
