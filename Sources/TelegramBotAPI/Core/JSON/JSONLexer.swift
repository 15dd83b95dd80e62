/// Why bytes are not JSON that Ferry reads, and where that became clear.
///
/// Both readers of JSON, the key extractor at ingress (`UpdateRoutingKeys`) and `BotAPIDecoder`,
/// report it, and for the same bytes they report the same problem at the same offset: they share
/// one lexer.
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Problem: Sendable, Hashable {
        /// The input ended inside a value.
        case unexpectedEnd
        /// A byte that cannot appear at this point.
        case unexpectedByte(UInt8)
        /// A number that breaks JSON's grammar: `-`, `1.`, `2e+`.
        case invalidNumber
        /// A backslash followed by something other than one of JSON's escapes.
        case invalidEscape
        /// A `\u` escape for one half of a UTF-16 surrogate pair without the other half.
        case unpairedSurrogate
        /// String bytes that are not UTF-8.
        case invalidUTF8
        /// A control character (below U+0020) inside a string, where JSON requires an escape.
        case unescapedControlCharacter
        /// Arrays and objects nested deeper than `limit`.
        case nestingTooDeep(limit: Int)
    }

    public var problem: Problem
    /// The offset of the byte at which the problem was noticed.
    public var offset: Int

    public init(_ problem: Problem, offset: Int) {
        self.problem = problem
        self.offset = offset
    }

    public var description: String {
        let problem =
            switch self.problem {
            case .unexpectedEnd: "the input ends inside a value"
            case .unexpectedByte(let byte):
                (0x21...0x7E).contains(byte)
                    ? "unexpected character '\(Character(Unicode.Scalar(byte)))'"
                    : "unexpected byte 0x\(byte < 0x10 ? "0" : "")\(String(byte, radix: 16, uppercase: true))"
            case .invalidNumber: "malformed number"
            case .invalidEscape: "invalid escape sequence in a string"
            case .unpairedSurrogate: "\\u escape for half a surrogate pair"
            case .invalidUTF8: "a string is not valid UTF-8"
            case .unescapedControlCharacter: "unescaped control character in a string"
            case .nestingTooDeep(let limit): "arrays and objects nest deeper than \(limit) levels"
            }
        return "\(problem) at byte \(offset)"
    }
}

/// The byte-level rules of JSON (RFC 8259), written once for both of Ferry's readers: whitespace,
/// literals, the number grammar, strings (escapes, surrogate pairs, UTF-8, control characters) and
/// the nesting limit.
///
/// It reads tokens, not documents: `JSONScanner`, which skips what ingress does not need, and the
/// parser of `JSONTape`, which records every value, each put the tokens together themselves, in the
/// same order and with the same checks between them, so that both accept exactly the same
/// documents and fail on the same byte. Every read moves `offset` forward or throws.
///
/// The lexer borrows memory it does not own: use it, and any `JSONString` it returns, only while
/// the buffer it was given is alive.
struct JSONLexer {
    /// Far deeper than Telegram's updates go (under ten levels), and shallow enough that a reader
    /// recursing along with the input cannot exhaust the stack. `JSONScanner` keeps the containers
    /// it skips through as a stack of bits in one `UInt64`, so this must stay at most 64.
    static let maximumDepth = 64

    private let bytes: UnsafeRawBufferPointer
    /// `bytes.count`, which the buffer would recompute from two optional pointers at every use.
    private let end: Int
    /// The next byte to read.
    var offset = 0
    /// How many containers the reader is inside.
    private(set) var depth = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.end = bytes.count
    }

    /// What the first byte of a value says it is.
    enum ValueStart {
        case object, array, string, number, `true`, `false`, null
    }

    /// Which kind of value `byte` starts; any other byte is an error here, where a value must begin.
    @inline(__always)
    func valueStart(_ byte: UInt8) throws(JSONSyntaxError) -> ValueStart {
        switch byte {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): .number
        case UInt8(ascii: "t"): .true
        case UInt8(ascii: "f"): .false
        case UInt8(ascii: "n"): .null
        default: throw failure(.unexpectedByte(byte))
        }
    }

    // MARK: Punctuation

    /// The first byte of the next value or punctuation, not consumed.
    @inline(__always)
    mutating func peek() throws(JSONSyntaxError) -> UInt8 {
        skipWhitespace()
        guard offset < end else { throw failure(.unexpectedEnd) }
        return bytes[offset]
    }

    /// Requires that the next significant byte is `expected`, and steps over it.
    @inline(__always)
    mutating func consume(_ expected: UInt8) throws(JSONSyntaxError) {
        let byte = try peek()
        guard byte == expected else { throw failure(.unexpectedByte(byte)) }
        offset += 1
    }

    /// Requires that only whitespace follows the value just read.
    mutating func expectEnd() throws(JSONSyntaxError) {
        skipWhitespace()
        guard offset == end else { throw failure(.unexpectedByte(bytes[offset])) }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        // Telegram sends compact JSON: usually there is nothing to skip.
        guard offset < end, bytes[offset] <= UInt8(ascii: " ") else { return }
        while offset < end {
            switch bytes[offset] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): offset += 1
            default: return
            }
        }
    }

    // MARK: Containers

    /// Steps into the object or array whose bracket is at `offset`, if that stays within
    /// `maximumDepth`.
    @inline(__always)
    mutating func enterContainer() throws(JSONSyntaxError) {
        guard depth < Self.maximumDepth else { throw failure(.nestingTooDeep(limit: Self.maximumDepth)) }
        depth += 1
        offset += 1
    }

    /// Steps out of the object or array whose closing bracket is at `offset`.
    @inline(__always)
    mutating func leaveContainer() {
        depth -= 1
        offset += 1
    }

    // MARK: Literals

    /// Reads `true`, `false` or `null`, whose first byte is at `offset`.
    mutating func readLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        for index in 0..<literal.utf8CodeUnitCount {
            guard offset < end else { throw failure(.unexpectedEnd) }
            guard bytes[offset] == literal.utf8Start[index] else { throw failure(.unexpectedByte(bytes[offset])) }
            offset += 1
        }
    }

    // MARK: Numbers

    /// Reads the number whose `-` or first digit is at `offset`; returns its value if it is written
    /// as an integer within `Int`'s range. Telegram writes ids as plain integers; `1.0` or `1e3` is
    /// not taken for one, so that an id is never a guess. Readers that only need the number's extent
    /// ignore the value, and once this is inlined the optimizer drops its arithmetic.
    @inline(__always)
    mutating func readNumber() throws(JSONSyntaxError) -> Int? {
        let isNegative = bytes[offset] == UInt8(ascii: "-")
        if isNegative { offset += 1 }
        let digitsStart = offset
        // Wrapping arithmetic is safe: the digit count below decides whether the value fits, and up
        // to 19 digits never wrap a UInt64.
        var magnitude: UInt64 = 0
        switch try byteInsideNumber() {
        case UInt8(ascii: "0"):
            offset += 1
        case UInt8(ascii: "1")...UInt8(ascii: "9"):
            repeat {
                magnitude = magnitude &* 10 &+ UInt64(bytes[offset] &- UInt8(ascii: "0"))
                offset += 1
            } while offset < end && Self.isDigit(bytes[offset])
        default:
            throw failure(.invalidNumber)
        }
        let digitCount = offset - digitsStart
        var isInteger = true
        if offset < end, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            isInteger = false
            try skipDigits()
        }
        if offset < end, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            offset += 1
            isInteger = false
            if offset < end, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                offset += 1
            }
            try skipDigits()
        }
        guard isInteger, digitCount <= 19 else { return nil }
        if isNegative {
            // Int.min's magnitude is one more than Int.max's.
            return magnitude <= UInt64(Int.max) + 1 ? Int(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int.max) ? Int(magnitude) : nil
    }

    /// Steps over one or more digits, as the grammar requires after `.` and `e`.
    private mutating func skipDigits() throws(JSONSyntaxError) {
        guard Self.isDigit(try byteInsideNumber()) else { throw failure(.invalidNumber) }
        repeat { offset += 1 } while offset < end && Self.isDigit(bytes[offset])
    }

    /// The byte at `offset` inside a number, where running out means the number was cut off.
    @inline(__always)
    private func byteInsideNumber() throws(JSONSyntaxError) -> UInt8 {
        guard offset < end else { throw failure(.unexpectedEnd) }
        return bytes[offset]
    }

    @inline(__always)
    static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    // MARK: Strings

    /// Reads the string whose opening quote is at `offset`, validating it, without decoding it.
    @inline(__always)
    mutating func readString() throws(JSONSyntaxError) -> JSONString {
        offset += 1
        let start = offset
        var hasEscapes = false
        while true {
            skipPlainStringBytes()
            guard offset < end else { throw failure(.unexpectedEnd) }
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: "\""):
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
                offset += 1
                return JSONString(raw: raw, hasEscapes: hasEscapes)
            case UInt8(ascii: "\\"):
                hasEscapes = true
                try skipEscape()
            case ..<0x20:
                throw failure(.unescapedControlCharacter)
            case 0x80...:
                try skipMultiByteScalar(leadingWith: byte)
            default:
                offset += 1
            }
        }
    }

    /// Steps over printable ASCII other than `"` and `\` inside a string, eight bytes at a time:
    /// string contents are most of an update's bytes. Stops at the first byte that needs a look,
    /// or where fewer than eight bytes remain.
    @inline(__always)
    private mutating func skipPlainStringBytes() {
        guard let base = bytes.baseAddress else { return }
        while offset + 8 <= end {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            let mask = Self.attentionMask(word)
            guard mask == 0 else {
                offset += mask.trailingZeroBitCount / 8
                return
            }
            offset += 8
        }
    }

    /// Sets the high bit of each byte of `word` that is `"`, `\`, below 0x20 or above 0x7F, and maybe
    /// of bytes after the first such byte, never before it (the classic has-zero-byte trick, whose
    /// borrows only run upwards), so the lowest set bit marks the first byte that needs a look.
    @inline(__always)
    private static func attentionMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quotes = word ^ (ones &* UInt64(UInt8(ascii: "\"")))
        let backslashes = word ^ (ones &* UInt64(UInt8(ascii: "\\")))
        let isQuote = (quotes &- ones) & ~quotes
        let isBackslash = (backslashes &- ones) & ~backslashes
        let isControl = (word &- ones &* 0x20) & ~word
        return (isQuote | isBackslash | isControl | word) & (ones &* 0x80)
    }

    /// Steps over the escape sequence at the current backslash.
    private mutating func skipEscape() throws(JSONSyntaxError) {
        offset += 1
        guard offset < end else { throw failure(.unexpectedEnd) }
        switch bytes[offset] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            offset += 1
        case UInt8(ascii: "u"):
            offset += 1
            let unit = try readHexCodeUnit()
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate means nothing without the low surrogate escape right after it.
                try consumeInsideSurrogatePair(UInt8(ascii: "\\"))
                try consumeInsideSurrogatePair(UInt8(ascii: "u"))
                guard (0xDC00...0xDFFF).contains(try readHexCodeUnit()) else { throw failure(.unpairedSurrogate) }
            case 0xDC00...0xDFFF:
                throw failure(.unpairedSurrogate)
            default:
                break
            }
        default:
            throw failure(.invalidEscape)
        }
    }

    private mutating func consumeInsideSurrogatePair(_ expected: UInt8) throws(JSONSyntaxError) {
        guard offset < end else { throw failure(.unexpectedEnd) }
        guard bytes[offset] == expected else { throw failure(.unpairedSurrogate) }
        offset += 1
    }

    /// Reads the four hex digits of a `\u` escape.
    private mutating func readHexCodeUnit() throws(JSONSyntaxError) -> UInt32 {
        var unit: UInt32 = 0
        for _ in 0..<4 {
            guard offset < end else { throw failure(.unexpectedEnd) }
            guard let digit = JSONString.hexValue(bytes[offset]) else { throw failure(.invalidEscape) }
            unit = unit << 4 | digit
            offset += 1
        }
        return unit
    }

    /// Steps over one UTF-8 encoded scalar of two to four bytes, rejecting what the Unicode
    /// standard's table of well-formed sequences rejects: overlong forms, surrogates, values
    /// beyond U+10FFFF, stray continuation bytes.
    private mutating func skipMultiByteScalar(leadingWith lead: UInt8) throws(JSONSyntaxError) {
        let continuationCount: Int
        let secondByteRange: ClosedRange<UInt8>
        switch lead {
        case 0xC2...0xDF: (continuationCount, secondByteRange) = (1, 0x80...0xBF)
        case 0xE0: (continuationCount, secondByteRange) = (2, 0xA0...0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: (continuationCount, secondByteRange) = (2, 0x80...0xBF)
        case 0xED: (continuationCount, secondByteRange) = (2, 0x80...0x9F)
        case 0xF0: (continuationCount, secondByteRange) = (3, 0x90...0xBF)
        case 0xF1...0xF3: (continuationCount, secondByteRange) = (3, 0x80...0xBF)
        case 0xF4: (continuationCount, secondByteRange) = (3, 0x80...0x8F)
        default: throw failure(.invalidUTF8)
        }
        for index in 1...continuationCount {
            let position = offset + index
            guard position < end else { throw JSONSyntaxError(.unexpectedEnd, offset: end) }
            let allowed = index == 1 ? secondByteRange : 0x80...0xBF
            guard allowed.contains(bytes[position]) else { throw JSONSyntaxError(.invalidUTF8, offset: position) }
        }
        offset += 1 + continuationCount
    }

    // MARK: Errors

    /// The error for `problem` at the current offset.
    func failure(_ problem: JSONSyntaxError.Problem) -> JSONSyntaxError {
        JSONSyntaxError(problem, offset: offset)
    }
}

/// A string as it appears in the input, validated but not yet decoded: the bytes between its
/// quotes. Most keys and ids carry no escapes, so comparing them costs no allocation.
///
/// It points into the lexer's input; it is only valid while that memory is.
struct JSONString {
    /// The bytes between the quotes, escapes as written.
    let raw: UnsafeRawBufferPointer
    let hasEscapes: Bool

    /// Whether the decoded string equals the UTF-8 bytes of `other`.
    func equals(_ other: UnsafeRawBufferPointer) -> Bool {
        if hasEscapes { return value.utf8.elementsEqual(other) }
        return raw.count == other.count && raw.elementsEqual(other)
    }

    static func == (string: JSONString, literal: StaticString) -> Bool {
        string.equals(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// The decoded string.
    var value: String {
        guard hasEscapes else { return String(decoding: raw, as: UTF8.self) }
        // Decoding never lengthens: every escape is at least as long as the UTF-8 it stands for.
        return String(unsafeUninitializedCapacity: raw.count) { output in
            var written = 0
            var index = 0
            func hexCodeUnit(at start: Int) -> UInt32 {
                raw[start..<start + 4].reduce(0) { $0 << 4 | (Self.hexValue($1) ?? 0) }
            }
            while index < raw.count {
                let byte = raw[index]
                guard byte == UInt8(ascii: "\\") else {
                    output[written] = byte
                    written += 1
                    index += 1
                    continue
                }
                // The lexer accepted this string, so every escape here is complete and well formed.
                let escape = raw[index + 1]
                index += 2
                let decoded: UInt8
                switch escape {
                case UInt8(ascii: "b"): decoded = 0x08
                case UInt8(ascii: "f"): decoded = 0x0C
                case UInt8(ascii: "n"): decoded = 0x0A
                case UInt8(ascii: "r"): decoded = 0x0D
                case UInt8(ascii: "t"): decoded = 0x09
                case UInt8(ascii: "u"):
                    var scalar = hexCodeUnit(at: index)
                    index += 4
                    if (0xD800...0xDBFF).contains(scalar) {
                        let low = hexCodeUnit(at: index + 2)
                        index += 6
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    UTF8.encode(Unicode.Scalar(scalar) ?? "\u{FFFD}") { unit in
                        output[written] = unit
                        written += 1
                    }
                    continue
                default: decoded = escape  // \" \\ \/
                }
                output[written] = decoded
                written += 1
            }
            return written
        }
    }

    static func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}
