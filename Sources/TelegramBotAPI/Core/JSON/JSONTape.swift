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

    /// Parses `bytes` with the lexer `UpdateRoutingKeys` reads them with: a body accepted at ingress
    /// parses here, and a malformed one fails with the same error in both places.
    init(parsing bytes: [UInt8]) throws(JSONSyntaxError) {
        self.bytes = bytes
        let parsed = bytes.withUnsafeBytes { buffer -> Result<[Node], JSONSyntaxError> in
            var parser = Parser(buffer)
            do throws(JSONSyntaxError) {
                try parser.parseDocument()
                return .success(parser.nodes)
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
        return bytes.withUnsafeBytes { JSONString(raw: UnsafeRawBufferPointer(rebasing: $0[start..<end]), hasEscapes: true).value }
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
}

/// Records one node per value as the lexer reads it. It takes the same steps through containers as
/// `JSONScanner`, in the same order, so that the two refuse the same documents at the same byte.
private struct Parser {
    var lexer: JSONLexer
    var nodes: [JSONTape.Node] = []

    init(_ bytes: UnsafeRawBufferPointer) {
        lexer = JSONLexer(bytes)
        // The shared samples take one node per 10 to 18 bytes, so room for one per 8 holds them
        // without regrowing.
        nodes.reserveCapacity(bytes.count / 8 + 4)
    }

    mutating func parseDocument() throws(JSONSyntaxError) {
        try parseValue(startingWith: try lexer.peek())
        try lexer.expectEnd()
    }

    /// Parses the value whose first byte, `first`, is at the lexer's offset. Recursion is bounded
    /// by the lexer's nesting limit.
    private mutating func parseValue(startingWith first: UInt8) throws(JSONSyntaxError) {
        let start = lexer.offset
        switch try lexer.valueStart(first) {
        case .object: try parseContainer(isObject: true)
        case .array: try parseContainer(isObject: false)
        case .string: try parseString()
        case .number:
            _ = try lexer.readNumber()
            append(.number, start: start)
        case .true:
            try lexer.readLiteral("true")
            append(.true, start: start)
        case .false:
            try lexer.readLiteral("false")
            append(.false, start: start)
        case .null:
            try lexer.readLiteral("null")
            append(.null, start: start)
        }
    }

    /// Appends a leaf node for the value from `start` to the lexer's offset.
    @inline(__always)
    private mutating func append(_ kind: JSONTape.Kind, start: Int) {
        nodes.append(.init(kind: kind, start: Int32(start), length: Int32(lexer.offset - start), next: Int32(nodes.count + 1)))
    }

    private mutating func parseString() throws(JSONSyntaxError) {
        let contentStart = lexer.offset + 1
        let string = try lexer.readString()
        nodes.append(
            .init(
                kind: string.hasEscapes ? .escapedString : .string, start: Int32(contentStart),
                length: Int32(string.raw.count), next: Int32(nodes.count + 1)))
    }

    private mutating func parseContainer(isObject: Bool) throws(JSONSyntaxError) {
        let index = nodes.count
        let start = lexer.offset
        try lexer.enterContainer()
        nodes.append(.init(kind: isObject ? .object : .array, start: Int32(start), length: 0, next: 0))
        let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
        var count: Int32 = 0
        var byte = try lexer.peek()
        if byte != close {
            while true {
                if isObject {
                    guard byte == UInt8(ascii: "\"") else { throw lexer.failure(.unexpectedByte(byte)) }
                    try parseString()
                    try lexer.consume(UInt8(ascii: ":"))
                    byte = try lexer.peek()
                }
                try parseValue(startingWith: byte)
                count += 1
                byte = try lexer.peek()
                guard byte == UInt8(ascii: ",") else { break }
                lexer.offset += 1
                byte = try lexer.peek()
            }
            guard byte == close else { throw lexer.failure(.unexpectedByte(byte)) }
        }
        lexer.leaveContainer()
        nodes[index].length = count
        nodes[index].next = Int32(nodes.count)
    }
}
