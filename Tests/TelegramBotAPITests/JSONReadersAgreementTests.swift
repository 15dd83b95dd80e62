import Foundation
import Testing
import TelegramBotAPI
import FerryTestSupport

/// Ingress reads a body with `UpdateRoutingKeys.extract` and queues it; the dispatcher later decodes it
/// with `BotAPIDecoder`. If the two disagreed on what JSON is, a body could be queued that can only fail
/// to decode, or refused at ingress although it would decode. They share one lexer; these tests hold
/// them to it from the outside.
@Suite("The routing-key extractor and the decoder agree on what JSON is")
struct JSONReadersAgreementTests {
    /// What a reader made of the bytes as JSON. A document that is JSON but not an update (no
    /// `update_id`, not an object, a field of the wrong type) counts as accepted: only syntax is
    /// compared here.
    enum Verdict: Equatable, Sendable, CustomStringConvertible {
        case accepted
        case refused(JSONSyntaxError)

        var description: String {
            switch self {
            case .accepted: "accepted"
            case .refused(let error): "refused: \(error)"
            }
        }
    }

    static func extractorVerdict(_ bytes: [UInt8]) -> Verdict {
        do {
            _ = try UpdateRoutingKeys.extract(from: bytes)
            return .accepted
        } catch UpdateRoutingKeys.Error.truncated {
            // The extractor folds running out of input into `.truncated`, which carries no offset; the
            // lexer only ever notices the end at the end.
            return .refused(JSONSyntaxError(.unexpectedEnd, offset: bytes.count))
        } catch UpdateRoutingKeys.Error.invalidJSON(let error) {
            return .refused(error)
        } catch {
            return .accepted
        }
    }

    static func decoderVerdict(_ bytes: [UInt8]) -> Verdict {
        do {
            _ = try BotAPIDecoder().decode(Update.self, from: bytes)
            return .accepted
        } catch DecodingError.dataCorrupted(let context) {
            guard let syntaxError = context.underlyingError as? JSONSyntaxError else { return .accepted }
            return .refused(syntaxError)
        } catch {
            return .accepted
        }
    }

    /// One document and what both readers must make of it.
    struct Case: CustomTestStringConvertible, Sendable {
        var bytes: [UInt8]
        var expected: Verdict

        var testDescription: String { "\(String(decoding: bytes, as: UTF8.self).debugDescription) \(expected)" }
    }

    static func accepted(_ text: String) -> Case {
        Case(bytes: Array(text.utf8), expected: .accepted)
    }

    static func accepted(_ bytes: [UInt8]) -> Case {
        Case(bytes: bytes, expected: .accepted)
    }

    static func refused(_ text: String, _ problem: JSONSyntaxError.Problem, at offset: Int) -> Case {
        refused(Array(text.utf8), problem, at: offset)
    }

    static func refused(_ bytes: [UInt8], _ problem: JSONSyntaxError.Problem, at offset: Int) -> Case {
        Case(bytes: bytes, expected: .refused(JSONSyntaxError(problem, offset: offset)))
    }

    /// A string member whose value is `content` between quotes; the content starts at byte 20.
    static func stringMember(_ content: [UInt8]) -> [UInt8] {
        Array(#"{"update_id":1,"a":""#.utf8) + content + Array(#""}"#.utf8)
    }

    /// An update whose member `a` nests arrays so that the deepest is at `depth`, the update being level 1.
    static func nested(_ depth: Int) -> [UInt8] {
        Array(#"{"update_id":1,"a":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: depth - 1)
            + Array(repeating: UInt8(ascii: "]"), count: depth - 1) + [UInt8(ascii: "}")]
    }

    static func byte(_ character: Unicode.Scalar) -> UInt8 {
        UInt8(ascii: character)
    }

    static let cases: [Case] = [
        // Truncated
        refused("", .unexpectedEnd, at: 0),
        refused("  ", .unexpectedEnd, at: 2),
        refused(#"{"#, .unexpectedEnd, at: 1),
        refused(#"{"update_id":1"#, .unexpectedEnd, at: 14),
        refused(#"{"update_id":1,"a":"abc"#, .unexpectedEnd, at: 23),
        refused(#"{"update_id":1,"a":"ab\"#, .unexpectedEnd, at: 23),
        refused(#"{"update_id":1,"a":"\u00"#, .unexpectedEnd, at: 24),
        refused(#"{"update_id":1,"a":"\ud83d\"#, .unexpectedEnd, at: 27),
        refused(#"{"update_id":1,"a":tr"#, .unexpectedEnd, at: 21),
        refused(#"{"update_id":1,"a":[1,"#, .unexpectedEnd, at: 22),
        refused(Array(#"{"update_id":1,"a":""#.utf8) + [0xE2, 0x82], .unexpectedEnd, at: 22),
        // Literals and structure
        refused(#"{"update_id":1,"a":tru}"#, .unexpectedByte(byte("}")), at: 22),
        refused(#"{"update_id":1,"a":nulL}"#, .unexpectedByte(byte("L")), at: 22),
        refused(#"{"update_id":NaN}"#, .unexpectedByte(byte("N")), at: 13),
        refused(#"{"update_id":1,}"#, .unexpectedByte(byte("}")), at: 15),
        refused(#"[1,]"#, .unexpectedByte(byte("]")), at: 3),
        refused(#"[1 2]"#, .unexpectedByte(byte("2")), at: 3),
        refused(#"{"update_id" 1}"#, .unexpectedByte(byte("1")), at: 13),
        refused(#"{1:2}"#, .unexpectedByte(byte("1")), at: 1),
        refused(#"{'update_id':1}"#, .unexpectedByte(byte("'")), at: 1),
        refused(#"{"update_id":1]"#, .unexpectedByte(byte("]")), at: 14),
        refused([byte("{"), 0x0C, byte("}")], .unexpectedByte(0x0C), at: 1),
        // Escapes and surrogates
        refused(stringMember(Array(#"\x"#.utf8)), .invalidEscape, at: 21),
        refused(stringMember(Array(#"\u12G4"#.utf8)), .invalidEscape, at: 24),
        refused(stringMember(Array(#"\U0041"#.utf8)), .invalidEscape, at: 21),
        refused(stringMember(Array(#"\ud800"#.utf8)), .unpairedSurrogate, at: 26),
        refused(stringMember(Array(#"\ud800\u0041"#.utf8)), .unpairedSurrogate, at: 32),
        refused(stringMember(Array(#"\ud800\n"#.utf8)), .unpairedSurrogate, at: 27),
        refused(stringMember(Array(#"\udc00"#.utf8)), .unpairedSurrogate, at: 26),
        refused(stringMember(Array(#"\udfff\ud800"#.utf8)), .unpairedSurrogate, at: 26),
        accepted(stringMember(Array(#"\ud83d\ude00 \u00E9 \" \\ \/ \b \f \n \r \t"#.utf8))),
        // UTF-8
        refused(stringMember([0xC0, 0x80]), .invalidUTF8, at: 20),
        refused(stringMember([0xC1, 0xBF]), .invalidUTF8, at: 20),
        refused(stringMember([0xE0, 0x80, 0x80]), .invalidUTF8, at: 21),
        refused(stringMember([0xED, 0xA0, 0x80]), .invalidUTF8, at: 21),
        refused(stringMember([0xF4, 0x90, 0x80, 0x80]), .invalidUTF8, at: 21),
        refused(stringMember([0xE2, 0x82, 0x41]), .invalidUTF8, at: 22),
        refused(stringMember([0x80]), .invalidUTF8, at: 20),
        refused(stringMember([0xFF]), .invalidUTF8, at: 20),
        refused(stringMember(Array("abcdefgh".utf8) + [0xF5]), .invalidUTF8, at: 28),
        accepted(stringMember(Array("é € 😀 \u{7F} \u{10FFFF}".utf8))),
        // Control characters
        refused(stringMember([0x09]), .unescapedControlCharacter, at: 20),
        refused(stringMember([0x00]), .unescapedControlCharacter, at: 20),
        refused(stringMember(Array("abcdefghij".utf8) + [0x1F]), .unescapedControlCharacter, at: 30),
        // Numbers
        refused(#"{"update_id":1,"a":-}"#, .invalidNumber, at: 20),
        refused(#"{"update_id":1,"a":1.}"#, .invalidNumber, at: 21),
        refused(#"{"update_id":1,"a":2e+}"#, .invalidNumber, at: 22),
        refused(#"{"update_id":1,"a":1.e3}"#, .invalidNumber, at: 21),
        refused(#"{"update_id":1,"a":-x}"#, .invalidNumber, at: 20),
        refused(#"{"update_id":1,"a":01}"#, .unexpectedByte(byte("1")), at: 20),
        refused(#"{"update_id":1,"a":-01}"#, .unexpectedByte(byte("1")), at: 21),
        refused(#"{"update_id":1,"a":.5}"#, .unexpectedByte(byte(".")), at: 19),
        refused(#"{"update_id":1,"a":+1}"#, .unexpectedByte(byte("+")), at: 19),
        refused("-", .unexpectedEnd, at: 1),
        refused("1.", .unexpectedEnd, at: 2),
        refused("2e+", .unexpectedEnd, at: 3),
        refused("01", .unexpectedByte(byte("1")), at: 1),
        accepted(#"{"update_id":1,"a":[0,-0,1e5,-0.5E-3,2E+10,123456789012345678901234567890]}"#),
        // Nesting: the update is level 1, the limit 64
        accepted(nested(64)),
        refused(nested(65), .nestingTooDeep(limit: 64), at: 19 + 63),
        accepted(String(repeating: "[", count: 64) + String(repeating: "]", count: 64)),
        refused(String(repeating: "[", count: 65) + String(repeating: "]", count: 65), .nestingTooDeep(limit: 64), at: 64),
        refused(String(repeating: #"{"a":"#, count: 65) + "1" + String(repeating: "}", count: 65), .nestingTooDeep(limit: 64), at: 64 * 5),
        // What comes after the document
        refused(#"{"update_id":1} {"#, .unexpectedByte(byte("{")), at: 16),
        refused(#"{"update_id":1}x"#, .unexpectedByte(byte("x")), at: 15),
        refused(#"{"update_id":1}}"#, .unexpectedByte(byte("}")), at: 15),
        refused(Array(#"{"update_id":1}"#.utf8) + [0x00], .unexpectedByte(0x00), at: 15),
        accepted(" \t\r\n{ \"update_id\" : 1 , \"a\" : [ ] } \n"),
        // A byte order mark is not JSON whitespace
        refused([0xEF, 0xBB, 0xBF] + Array(#"{"update_id":1}"#.utf8), .unexpectedByte(0xEF), at: 0),
        // Values that are JSON but no update
        accepted(#""update_id""#),
        accepted("null"),
        accepted("[true,false,null,{}]"),
        accepted(#"{"a":1}"#),
    ]

    @Test("malformed and edge-case documents: the same verdict, problem and offset from both", arguments: cases)
    func sameVerdict(_ document: Case) {
        let extractor = Self.extractorVerdict(document.bytes)
        let decoder = Self.decoderVerdict(document.bytes)
        #expect(extractor == document.expected, "UpdateRoutingKeys.extract")
        #expect(decoder == document.expected, "BotAPIDecoder")
    }

    @Test("every shared sample is accepted by both")
    func samplesAccepted() throws {
        let samples = try SharedData.updateSamples()
        #expect(!samples.isEmpty)
        for (name, data) in samples {
            let bytes = Array(data)
            #expect(throws: Never.self, "\(name)") { try UpdateRoutingKeys.extract(from: bytes) }
            #expect(throws: Never.self, "\(name)") { try BotAPIDecoder().decode(Update.self, from: bytes) }
        }
    }

    @Test("every prefix of a sample gets the same verdict from both")
    func truncatedSamplesAgree() throws {
        let bytes = Array(try SharedData.updateSample("01-message-command-start.json"))
        for length in 0..<bytes.count {
            let prefix = Array(bytes[..<length])
            #expect(Self.extractorVerdict(prefix) == Self.decoderVerdict(prefix), "first \(length) bytes")
        }
    }

    @Test("the decoder's error carries the syntax error and says what it says")
    func decoderErrorText() {
        let bytes = Array(#"{"update_id":1,}"#.utf8)
        do {
            _ = try BotAPIDecoder().decode(Update.self, from: bytes)
            Issue.record("expected an error")
        } catch DecodingError.dataCorrupted(let context) {
            #expect(context.underlyingError as? JSONSyntaxError == JSONSyntaxError(.unexpectedByte(UInt8(ascii: "}")), offset: 15))
            #expect(context.debugDescription == "The given data was not valid JSON: unexpected character '}' at byte 15.")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
