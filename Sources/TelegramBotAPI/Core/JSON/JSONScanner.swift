/// A forward-only reader over the UTF-8 bytes of one JSON text (RFC 8259).
///
/// Ingress needs three values from an update it otherwise passes on untouched, so rather than build
/// a tree this walks the bytes once and lets the caller step into only the members it cares about,
/// skipping the rest. Skipping still validates, with the same `JSONLexer` the decoder's tape is
/// parsed with, so a body it accepts is one `BotAPIDecoder` can parse, and the queue never holds one
/// that can only fail to. Skipping does not recurse, and nesting is capped at
/// `JSONLexer.maximumDepth`.
///
/// The scanner borrows memory it does not own: use it, and any `JSONString` it returns, only
/// while the buffer it was given is alive.
struct JSONScanner {
    private var lexer: JSONLexer

    init(_ bytes: UnsafeRawBufferPointer) {
        lexer = JSONLexer(bytes)
    }

    /// The first byte of the next value or punctuation, not consumed.
    @inline(__always)
    mutating func peek() throws(JSONSyntaxError) -> UInt8 {
        try lexer.peek()
    }

    /// Requires that only whitespace follows the value just read.
    mutating func expectEnd() throws(JSONSyntaxError) {
        try lexer.expectEnd()
    }

    // MARK: Reading values

    /// Reads the object that starts here, passing each member's key to `member`, which must consume
    /// exactly that member's value: read it, or `skipValue()`.
    @inline(__always)  // so that each caller's `member` is inlined rather than called through a context
    mutating func readObject(
        _ member: (_ key: JSONString, _ scanner: inout JSONScanner) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) {
        let brace = try lexer.peek()
        guard brace == UInt8(ascii: "{") else { throw lexer.failure(.unexpectedByte(brace)) }
        // The same steps, in the same order, as `JSONTape`'s parser takes through an object, so that
        // both fail on the same byte.
        try lexer.enterContainer()
        var byte = try lexer.peek()
        if byte != UInt8(ascii: "}") {
            while true {
                guard byte == UInt8(ascii: "\"") else { throw lexer.failure(.unexpectedByte(byte)) }
                let key = try lexer.readString()
                try lexer.consume(UInt8(ascii: ":"))
                try member(key, &self)
                byte = try lexer.peek()
                guard byte == UInt8(ascii: ",") else { break }
                lexer.offset += 1
                byte = try lexer.peek()
            }
            guard byte == UInt8(ascii: "}") else { throw lexer.failure(.unexpectedByte(byte)) }
        }
        lexer.leaveContainer()
    }

    /// Reads the value that starts here, of any type, and returns it if it is an integer that fits
    /// `Int` (see `JSONLexer.readNumber()`).
    mutating func readInteger() throws(JSONSyntaxError) -> Int? {
        let byte = try lexer.peek()
        guard byte == UInt8(ascii: "-") || JSONLexer.isDigit(byte) else {
            try skipValue(startingWith: byte)
            return nil
        }
        return try lexer.readNumber()
    }

    /// Reads the string that starts here, validating it, without decoding it.
    mutating func readString() throws(JSONSyntaxError) -> JSONString {
        let quote = try lexer.peek()
        guard quote == UInt8(ascii: "\"") else { throw lexer.failure(.unexpectedByte(quote)) }
        return try lexer.readString()
    }

    /// Validates and steps over the value that starts here, whatever it is.
    mutating func skipValue() throws(JSONSyntaxError) {
        try skipValue(startingWith: try lexer.peek())
    }

    // MARK: Skipping

    /// Validates and steps over the value that starts with `first`, whatever it is.
    ///
    /// Skipping is most of the work, so it runs as one loop rather than a call per value: the
    /// containers it is inside are a stack of bits, set for objects, clear for arrays. Sixty-four
    /// bits hold every level `JSONLexer.maximumDepth` allows.
    private mutating func skipValue(startingWith first: UInt8) throws(JSONSyntaxError) {
        let outerDepth = lexer.depth
        var openObjects: UInt64 = 0
        var byte = first
        while true {
            switch try lexer.valueStart(byte) {
            case .object, .array:
                let isObject = byte == UInt8(ascii: "{")
                try lexer.enterContainer()
                openObjects = openObjects << 1 | (isObject ? 1 : 0)
                byte = try lexer.peek()
                if byte != (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    if isObject { byte = try skipKey(startingWith: byte) }
                    continue
                }
                // The container is empty; the loop below closes it.
            case .string: _ = try lexer.readString()
            case .number: _ = try lexer.readNumber()
            case .true: try lexer.readLiteral("true")
            case .false: try lexer.readLiteral("false")
            case .null: try lexer.readLiteral("null")
            }
            // After a value: close the containers it ends, then go on to the next value, if any.
            while true {
                guard lexer.depth > outerDepth else { return }
                byte = try lexer.peek()
                let inObject = openObjects & 1 == 1
                if byte == UInt8(ascii: ",") {
                    lexer.offset += 1
                    byte = try lexer.peek()
                    if inObject { byte = try skipKey(startingWith: byte) }
                    break
                }
                guard byte == (inObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) else {
                    throw lexer.failure(.unexpectedByte(byte))
                }
                lexer.leaveContainer()
                openObjects >>= 1
            }
        }
    }

    /// Steps over an object member's key and colon; returns the first byte of its value.
    @inline(__always)
    private mutating func skipKey(startingWith byte: UInt8) throws(JSONSyntaxError) -> UInt8 {
        guard byte == UInt8(ascii: "\"") else { throw lexer.failure(.unexpectedByte(byte)) }
        _ = try lexer.readString()
        try lexer.consume(UInt8(ascii: ":"))
        return try lexer.peek()
    }
}
