#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Decodes Bot API JSON into Ferry's types: a drop-in for `JSONDecoder` with the same `Decodable`
/// contract (same `DecodingError`s, `null` equals absent for optionals), several times faster on
/// Telegram's objects, which declare dozens of optional fields and send few of them.
///
/// It parses the bytes once into a flat ``JSONTape`` and answers keyed look-ups by scanning the few
/// members an object actually has, instead of building a dictionary per object.
public struct BotAPIDecoder: Sendable {
    public var userInfo: [CodingUserInfoKey: any Sendable] = [:]

    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        guard bytes.count < Int32.max else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "JSON larger than 2 GiB"))
        }
        let tape: JSONTape
        do {
            tape = try JSONTape(parsing: bytes)
        } catch {
            // The `JSONSyntaxError` goes along as the underlying error: the same problem at the same
            // offset that `UpdateRoutingKeys.extract` reports for these bytes.
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "The given data was not valid JSON: \(error).", underlyingError: error))
        }
        return try TapeDecoder(document: TapeDocument(tape: tape, userInfo: userInfo), node: 0, codingPath: []).decode(T.self)
    }

    public func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try decode(type, from: Array(data))
    }

    public func decode<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>) throws -> T {
        try decode(type, from: Array(bytes))
    }
}

/// What every decoder of one document shares, held once so that a `TapeDecoder` is three words and
/// fits an existential's inline buffer: passing it as `any Decoder` then allocates nothing.
final class TapeDocument: Sendable {
    let tape: JSONTape
    let userInfo: [CodingUserInfoKey: any Sendable]

    init(tape: JSONTape, userInfo: [CodingUserInfoKey: any Sendable]) {
        self.tape = tape
        self.userInfo = userInfo
    }
}

struct TapeDecoder: Decoder {
    let document: TapeDocument
    let node: Int
    let codingPath: [any CodingKey]

    var tape: JSONTape { document.tape }

    var userInfo: [CodingUserInfoKey: Any] { document.userInfo }

    var kind: JSONTape.Kind { tape.nodes[node].kind }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard kind == .object else { throw typeMismatch([String: Any].self) }
        return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard kind == .array else { throw typeMismatch([Any].self) }
        return UnkeyedContainer(decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleValueContainer(decoder: self) }

    func child(_ node: Int, key: any CodingKey) -> TapeDecoder {
        // `append`, not `codingPath + [key]`: the latter goes through a generic array cast that checks
        // the key's conformance at run time, which cost more than the rest of a child decode.
        var path = codingPath
        path.append(key)
        return TapeDecoder(document: document, node: node, codingPath: path)
    }

    func typeMismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "Expected \(type) but found \(kind) instead."))
    }

    func valueNotFound(_ type: Any.Type) -> DecodingError {
        .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "Expected \(type) but found null instead."))
    }

    // Primitive reads, shared by every container kind.

    func decodeBool() throws -> Bool {
        switch kind {
        case .true: return true
        case .false: return false
        case .null: throw valueNotFound(Bool.self)
        default: throw typeMismatch(Bool.self)
        }
    }

    func decodeString() throws -> String {
        switch kind {
        case .string, .escapedString: return tape.string(at: node)
        case .null: throw valueNotFound(String.self)
        default: throw typeMismatch(String.self)
        }
    }

    func decodeInteger<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard kind == .number else { throw kind == .null ? valueNotFound(type) : typeMismatch(type) }
        guard let value = tape.integer(at: node), let exact = T(exactly: value) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Number does not fit in \(type)."))
        }
        return exact
    }

    func decodeDouble() throws -> Double {
        guard kind == .number else { throw kind == .null ? valueNotFound(Double.self) : typeMismatch(Double.self) }
        guard let value = tape.double(at: node) else {
            throw DecodingError.dataCorrupted(.init(codingPath: codingPath, debugDescription: "Invalid number."))
        }
        return value
    }

    /// The one generic entry point: primitives and `JSONValue` are read straight off the tape.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        // The checks make each bit cast a no-op between identical types, and avoid a dynamic cast.
        if T.self == String.self { return unsafeBitCast(try decodeString(), to: T.self) }
        if T.self == Int.self { return unsafeBitCast(try decodeInteger(Int.self), to: T.self) }
        if T.self == Bool.self { return unsafeBitCast(try decodeBool(), to: T.self) }
        if T.self == Double.self { return unsafeBitCast(try decodeDouble(), to: T.self) }
        if T.self == JSONValue.self { return unsafeBitCast(tape.jsonValue(at: node), to: T.self) }
        return try T(from: self)
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TapeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    var allKeys: [Key] { decoder.presentKeys(Key.self) }

    func value(_ key: Key) -> Int? { decoder.tape.member(key.stringValue, of: decoder.node) }

    func contains(_ key: Key) -> Bool { value(key) != nil }

    func keyNotFound(_ key: Key) -> DecodingError {
        DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "No value for key \"\(key.stringValue)\"."))
    }

    func require(_ key: Key) throws -> TapeDecoder {
        guard let node = value(key) else { throw keyNotFound(key) }
        return decoder.child(node, key: key)
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        guard let node = value(key) else { throw keyNotFound(key) }
        return decoder.tape.nodes[node].kind == .null
    }

    // Primitives are read straight off the tape: a child decoder, and the coding path it carries,
    // is made only for nested values, or to report an error with its path.

    // One implementation each for `decode` and `decodeIfPresent`: the generic requirements and the
    // concrete primitive overloads below all call these (an overload calling the generic requirement
    // by name would call itself).
    private func read<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let node = value(key) else { throw keyNotFound(key) }
        if let value = decoder.tape.primitive(T.self, at: node) { return value }
        return try decoder.child(node, key: key).decode(T.self)
    }

    private func readIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let node = value(key), decoder.tape.nodes[node].kind != .null else { return nil }
        if let value = decoder.tape.primitive(T.self, at: node) { return value }
        return try decoder.child(node, key: key).decode(T.self)
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try read(type, forKey: key) }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? { try readIfPresent(type, forKey: key) }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try readIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try readIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try readIfPresent(type, forKey: key) }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try readIfPresent(type, forKey: key) }

    // The protocol's primitive requirements: the same fast path.
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try read(type, forKey: key) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try read(type, forKey: key) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try read(type, forKey: key) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try read(type, forKey: key) }

    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { Float(try require(key).decodeDouble()) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try require(key).decodeInteger(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try require(key).decodeInteger(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try require(key).decodeInteger(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try require(key).decodeInteger(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try require(key).decodeInteger(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try require(key).decodeInteger(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try require(key).decodeInteger(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try require(key).decodeInteger(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try require(key).decodeInteger(type) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try require(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try require(key).unkeyedContainer() }

    func superDecoder() throws -> any Decoder { decoder }

    func superDecoder(forKey key: Key) throws -> any Decoder { try require(key) }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: TapeDecoder
    var children: JSONTape.ChildIterator
    var upcoming: Int?
    var currentIndex = 0

    init(decoder: TapeDecoder) {
        self.decoder = decoder
        children = decoder.tape.children(of: decoder.node)
        upcoming = children.next()
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { Int(decoder.tape.nodes[decoder.node].length) }
    var isAtEnd: Bool { upcoming == nil }

    mutating func next(_ type: Any.Type) throws -> TapeDecoder {
        guard let node = upcoming else {
            throw DecodingError.valueNotFound(type, .init(codingPath: codingPath, debugDescription: "Unkeyed container is at end."))
        }
        let child = decoder.child(node, key: AnyCodingKey(index: currentIndex))
        upcoming = children.next()
        currentIndex += 1
        return child
    }

    mutating func decodeNil() throws -> Bool {
        guard let node = upcoming else { throw DecodingError.valueNotFound(Any?.self, .init(codingPath: codingPath, debugDescription: "Unkeyed container is at end.")) }
        guard decoder.tape.nodes[node].kind == .null else { return false }
        _ = try next(Any?.self)
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next(type).decode(T.self) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next([String: Any].self).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next([Any].self).unkeyedContainer() }

    mutating func superDecoder() throws -> any Decoder { try next(Any.self) }
}

private struct SingleValueContainer: SingleValueDecodingContainer {
    let decoder: TapeDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.kind == .null }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(T.self) }
    func decode(_ type: Bool.Type) throws -> Bool { try decoder.decodeBool() }
    func decode(_ type: String.Type) throws -> String { try decoder.decodeString() }
    func decode(_ type: Double.Type) throws -> Double { try decoder.decodeDouble() }
    func decode(_ type: Float.Type) throws -> Float { Float(try decoder.decodeDouble()) }
    func decode(_ type: Int.Type) throws -> Int { try decoder.decodeInteger(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try decoder.decodeInteger(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try decoder.decodeInteger(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try decoder.decodeInteger(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try decoder.decodeInteger(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try decoder.decodeInteger(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try decoder.decodeInteger(type) }
}

extension TapeDecoder {
    /// The keys of this object that `Key` knows, in document order.
    func presentKeys<Key: CodingKey>(_ type: Key.Type) -> [Key] {
        var keys: [Key] = []
        var children = tape.children(of: node)
        while let keyIndex = children.next(), children.next() != nil {
            if let key = Key(stringValue: tape.string(at: keyIndex)) { keys.append(key) }
        }
        return keys
    }
}

/// The keys an object has, for generated `init(from:)`s. `KeyedDecodingContainer.allKeys` goes through
/// the standard library's type-erasing box, which casts every key back to `Key` at run time; with
/// `BotAPIDecoder` that cast cost more than decoding the values, so its decoder is asked directly.
func presentKeys<Key: CodingKey>(of container: KeyedDecodingContainer<Key>, in decoder: any Decoder) -> [Key] {
    if let tapeDecoder = decoder as? TapeDecoder { return tapeDecoder.presentKeys(Key.self) }
    return container.allKeys
}
