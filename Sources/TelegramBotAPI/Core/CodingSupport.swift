/// A coding key for any string: lets generated code read a union's discriminator before it knows
/// the member type, and lets `Update` find the name of a payload this version may not know.
public struct AnyCodingKey: CodingKey, Hashable, Sendable {
    public var stringValue: String
    public var intValue: Int?

    public init(_ stringValue: String) { self.stringValue = stringValue }
    public init(index: Int) {
        stringValue = "Index \(index)"
        intValue = index
    }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { self.init(index: intValue) }
}

/// Decodes with the first alternative that succeeds; used where several union members share a
/// discriminator value (`InlineQueryResultAudio` and `InlineQueryResultCachedAudio` are both "audio")
/// or where a union has none (`InputMessageContent`). Alternatives go most-specific first.
/// The last alternative's error is the one reported.
public func decodeFirstMatching<Value>(
    _ decoder: any Decoder,
    _ alternatives: [(any Decoder) throws -> Value]
) throws -> Value {
    var lastError: (any Error)?
    for alternative in alternatives {
        do {
            return try alternative(decoder)
        } catch {
            lastError = error
        }
    }
    throw lastError ?? DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no alternatives"))
}
