#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A parsed JSON document laid out flat: one node per value, in document order, each container
/// followed by its children. Decoding walks this tape instead of building dictionaries per object,
/// which is what makes ``BotAPIDecoder`` several times faster than Foundation's `JSONDecoder`
/// on Telegram's many-optional-field objects.
struct JSONTape: Sendable {
    enum Kind: UInt8, Sendable {
        case null, `true`, `false`, number, string, escapedString, array, object
    }

    struct Node: Sendable {
        var kind: Kind
        /// Offset of the value's first byte; for strings, of the first byte after the opening quote.
        var start: Int32
        /// Strings: content length in bytes. Numbers: length. Containers: number of children (object: members).
        var length: Int32
        /// Index of the node after this value's subtree: its next sibling.
        var next: Int32
    }

    let bytes: [UInt8]
    private(set) var nodes: [Node] = []

    /// Nesting deeper than this is refused: no real update comes close, and it bounds recursion.
    static let maximumDepth = 128

    init(parsing bytes: [UInt8]) throws(JSONParseError) {
        self.bytes = bytes
        // The parser reads through an unsafe buffer: every access is already guarded by an explicit
        // `position < count` check, and the array's own bounds check on each byte doubled the cost.
        let parsed = bytes.withUnsafeBufferPointer { buffer -> Result<[Node], JSONParseError> in
            var nodes: [Node] = []
            nodes.reserveCapacity(buffer.count / 8 + 4)
            var parser = Parser(bytes: buffer)
            do throws(JSONParseError) {
                parser.skipWhitespace()
                try parser.parseValue(into: &nodes, depth: 0)
                parser.skipWhitespace()
                guard parser.position == buffer.count else { throw parser.error("unexpected data after the JSON value") }
                return .success(nodes)
            } catch {
                return .failure(error)
            }
        }
        nodes = try parsed.get()
    }

    // MARK: Reading values

    func string(at index: Int) -> String {
        let node = nodes[index]
        let start = Int(node.start), end = start + Int(node.length)
        if node.kind == .string {
            return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
        }
        return Self.unescape(bytes[start..<end])
    }

    /// Whether the string node at `index` equals `key`, without creating a String in the common case.
    func stringEquals(_ index: Int, _ key: String) -> Bool {
        let node = nodes[index]
        guard node.kind == .string else { return string(at: index) == key }
        let start = Int(node.start), length = Int(node.length)
        let compared = key.utf8.withContiguousStorageIfAvailable { keyBytes -> Bool in
            guard keyBytes.count == length else { return false }
            return bytes.withUnsafeBufferPointer { buffer in
                for offset in 0..<length where buffer[start + offset] != keyBytes[offset] { return false }
                return true
            }
        }
        return compared ?? (string(at: index) == key)
    }

    func integer(at index: Int) -> Int? {
        let node = nodes[index]
        guard node.kind == .number else { return nil }
        var position = Int(node.start)
        let end = position + Int(node.length)
        var negative = false
        if bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        var value = 0
        while position < end {
            let digit = bytes[position] &- UInt8(ascii: "0")
            guard digit < 10 else {
                // A fraction or exponent: accept it only if it is a whole number that fits.
                guard let double = self.double(at: index), let exact = Int(exactly: double) else { return nil }
                return exact
            }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = negative ? times10.subtractingReportingOverflow(Int(digit)) : times10.addingReportingOverflow(Int(digit))
            if overflow1 || overflow2 { return nil }
            value = sum
            position += 1
        }
        return value
    }

    func double(at index: Int) -> Double? {
        let node = nodes[index]
        guard node.kind == .number else { return nil }
        let start = Int(node.start)
        let text = bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<(start + Int(node.length))]), as: UTF8.self) }
        return Double(text)
    }

    /// The value at `index` when `T` is a JSON primitive and the node holds exactly that; otherwise nil,
    /// and the caller takes the general path, which also reports mismatches.
    @inline(__always)
    func primitive<T>(_ type: T.Type, at index: Int) -> T? {
        // Each bit cast is between identical types, checked just before; a dynamic cast here would
        // cost more than the decoding.
        let kind = nodes[index].kind
        if T.self == String.self {
            guard kind == .string || kind == .escapedString else { return nil }
            return unsafeBitCast(string(at: index), to: T.self)
        }
        if T.self == Int.self {
            guard kind == .number, let value = integer(at: index) else { return nil }
            return unsafeBitCast(value, to: T.self)
        }
        if T.self == Bool.self {
            guard kind == .true || kind == .false else { return nil }
            return unsafeBitCast(kind == .true, to: T.self)
        }
        if T.self == Double.self {
            guard kind == .number, let value = double(at: index) else { return nil }
            return unsafeBitCast(value, to: T.self)
        }
        return nil
    }

    /// Child nodes of the container at `index`: for objects, alternately key and value.
    func children(of index: Int) -> ChildIterator {
        ChildIterator(tape: self, position: index + 1, end: Int(nodes[index].next))
    }

    struct ChildIterator: IteratorProtocol {
        let tape: JSONTape
        var position: Int
        let end: Int

        mutating func next() -> Int? {
            guard position < end else { return nil }
            defer { position = Int(tape.nodes[position].next) }
            return position
        }
    }

    /// The value node of member `key` of the object at `index`.
    /// This is the decoder's innermost loop: one pass over the members, lengths compared before bytes.
    func member(_ key: String, of index: Int) -> Int? {
        var key = key
        return key.withUTF8 { keyBytes -> Int? in
            nodes.withUnsafeBufferPointer { nodes -> Int? in
                bytes.withUnsafeBufferPointer { bytes -> Int? in
                    var position = index + 1
                    let end = Int(nodes[index].next)
                    while position < end {
                        let keyNode = nodes[position]
                        let valueIndex = position + 1
                        if keyNode.length == keyBytes.count || keyNode.kind == .escapedString {
                            if keyNode.kind == .escapedString {
                                if string(at: position) == String(decoding: keyBytes, as: UTF8.self) { return valueIndex }
                            } else if keyBytes.isEmpty
                                || memcmp(bytes.baseAddress! + Int(keyNode.start), keyBytes.baseAddress!, keyBytes.count) == 0
                            {
                                return valueIndex
                            }
                        }
                        position = Int(nodes[valueIndex].next)
                    }
                    return nil
                }
            }
        }
    }

    func jsonValue(at index: Int) -> JSONValue {
        let node = nodes[index]
        switch node.kind {
        case .null: return .null
        case .true: return .bool(true)
        case .false: return .bool(false)
        case .number:
            if let integer = integer(at: index), !isFractional(node) { return .integer(integer) }
            return .double(double(at: index) ?? 0)
        case .string, .escapedString: return .string(string(at: index))
        case .array:
            var values: [JSONValue] = []
            values.reserveCapacity(Int(node.length))
            var children = self.children(of: index)
            while let child = children.next() { values.append(jsonValue(at: child)) }
            return .array(values)
        case .object:
            var members: [String: JSONValue] = [:]
            members.reserveCapacity(Int(node.length))
            var children = self.children(of: index)
            while let keyIndex = children.next(), let valueIndex = children.next() {
                members[string(at: keyIndex)] = jsonValue(at: valueIndex)
            }
            return .object(members)
        }
    }

    private func isFractional(_ node: Node) -> Bool {
        let start = Int(node.start)
        return bytes[start..<(start + Int(node.length))].contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }

    static func unescape(_ raw: ArraySlice<UInt8>) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var index = raw.startIndex
        while index < raw.endIndex {
            let byte = raw[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < raw.endIndex else {
                output.append(byte)
                index += 1
                continue
            }
            let escape = raw[index + 1]
            index += 2
            switch escape {
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "u"):
                var scalar = hex4(raw, at: index) ?? 0xFFFD
                index += 4
                // A surrogate pair spells one scalar beyond the Basic Multilingual Plane.
                if (0xD800..<0xDC00).contains(scalar), index + 5 < raw.endIndex, raw[index] == UInt8(ascii: "\\"),
                    raw[index + 1] == UInt8(ascii: "u"), let low = hex4(raw, at: index + 2), (0xDC00..<0xE000).contains(low)
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                output.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            default: output.append(escape)  // \" \\ \/
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hex4(_ raw: ArraySlice<UInt8>, at index: Int) -> UInt32? {
        guard index + 4 <= raw.endIndex else { return nil }
        var value: UInt32 = 0
        for byte in raw[index..<(index + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}

public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public var offset: Int
    public var reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

/// A strict RFC 8259 parser that records nodes instead of building values.
private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    func error(_ reason: String) -> JSONParseError { JSONParseError(offset: position, reason: reason) }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func parseValue(into nodes: inout [JSONTape.Node], depth: Int) throws(JSONParseError) {
        guard position < bytes.count else { throw error("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): try parseContainer(into: &nodes, depth: depth, object: true)
        case UInt8(ascii: "["): try parseContainer(into: &nodes, depth: depth, object: false)
        case UInt8(ascii: "\""): try parseString(into: &nodes)
        case UInt8(ascii: "t"): try parseLiteral("true", .true, into: &nodes)
        case UInt8(ascii: "f"): try parseLiteral("false", .false, into: &nodes)
        case UInt8(ascii: "n"): try parseLiteral("null", .null, into: &nodes)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try parseNumber(into: &nodes)
        default: throw error("unexpected character")
        }
    }

    mutating func parseLiteral(_ literal: StaticString, _ kind: JSONTape.Kind, into nodes: inout [JSONTape.Node]) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw error("unexpected end of input") }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
        }
        guard matches else { throw error("invalid literal") }
        nodes.append(.init(kind: kind, start: Int32(position), length: Int32(count), next: Int32(nodes.count + 1)))
        position += count
    }

    mutating func parseNumber(into nodes: inout [JSONTape.Node]) throws(JSONParseError) {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard try digits() > 0 else { throw error("a number needs digits") }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard try digits() > 0 else { throw error("a fraction needs digits") }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard try digits() > 0 else { throw error("an exponent needs digits") }
        }
        nodes.append(.init(kind: .number, start: Int32(start), length: Int32(position - start), next: Int32(nodes.count + 1)))
    }

    mutating func digits() throws(JSONParseError) -> Int {
        let start = position
        while position < bytes.count, bytes[position] &- UInt8(ascii: "0") < 10 { position += 1 }
        return position - start
    }

    mutating func parseString(into nodes: inout [JSONTape.Node]) throws(JSONParseError) {
        position += 1  // opening quote
        let start = position
        var escaped = false
        while true {
            guard position < bytes.count else { throw error("unterminated string") }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw error("control character in string") }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                guard position + 1 < bytes.count else { throw error("unterminated string") }
                switch bytes[position + 1] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 2
                case UInt8(ascii: "u"):
                    guard position + 6 <= bytes.count,
                        bytes[(position + 2)..<(position + 6)].allSatisfy({ ($0 | 0x20) &- UInt8(ascii: "a") < 6 || $0 &- UInt8(ascii: "0") < 10 })
                    else { throw error("invalid \\u escape") }
                    position += 6
                default: throw error("invalid escape")
                }
                continue
            }
            position += 1
        }
        nodes.append(.init(kind: escaped ? .escapedString : .string, start: Int32(start), length: Int32(position - start), next: Int32(nodes.count + 1)))
        position += 1  // closing quote
    }

    mutating func parseContainer(into nodes: inout [JSONTape.Node], depth: Int, object: Bool) throws(JSONParseError) {
        guard depth < JSONTape.maximumDepth else { throw error("nested too deeply") }
        let index = nodes.count
        nodes.append(.init(kind: object ? .object : .array, start: Int32(position), length: 0, next: 0))
        position += 1
        let close = object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        var count: Int32 = 0
        skipWhitespace()
        if position < bytes.count, bytes[position] == close {
            position += 1
        } else {
            while true {
                if object {
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw error("expected a member name") }
                    try parseString(into: &nodes)
                    skipWhitespace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw error("expected ':'") }
                    position += 1
                    skipWhitespace()
                }
                try parseValue(into: &nodes, depth: depth + 1)
                count += 1
                skipWhitespace()
                guard position < bytes.count else { throw error("unexpected end of input") }
                if bytes[position] == close {
                    position += 1
                    break
                }
                guard bytes[position] == UInt8(ascii: ",") else { throw error("expected ',' or a closing bracket") }
                position += 1
                skipWhitespace()
            }
        }
        nodes[index].length = count
        nodes[index].next = Int32(nodes.count)
    }
}
