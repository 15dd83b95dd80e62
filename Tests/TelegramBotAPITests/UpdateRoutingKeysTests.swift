import Foundation
import TelegramBotAPI
import Testing
import FerryTestSupport

@Suite("Routing keys read from raw update bytes")
struct UpdateRoutingKeysTests {
    // MARK: Shared samples

    @Test("every shared sample yields the update_id, kind and key the reference reads from a decoded tree")
    func samplesMatchReference() throws {
        let samples = try SharedData.updateSamples()
        try #require(samples.count >= 70)
        for (name, data) in samples {
            let expected = try ReferenceRouting.keys(of: data)
            let compact = try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: data))
            for bytes in [data, compact] {
                let keys = try UpdateRoutingKeys.extract(from: bytes)
                #expect(keys.updateID == expected.updateID, "\(name)")
                #expect(keys.kind.rawValue == expected.kind, "\(name)")
                #expect(keys.group.id == expected.groupID, "\(name)")
            }
        }
    }

    @Test("the reference rules and the hand-written cases cover exactly the kinds in the spec's Update")
    func coverageOfSpecKinds() throws {
        let specKinds = try ReferenceRouting.specKinds()
        #expect(specKinds.count >= 25)
        #expect(Set(ReferenceRouting.rules.keys) == specKinds)
        #expect(Set(Self.everyKind.map(\.kind)) == specKinds)
        #expect(Set(UpdateKind.allKnown.map(\.rawValue)) == specKinds)
    }

    // MARK: Every kind, by hand

    /// One minimal update per kind in Bot API 10.1. Each payload carries decoys (another user, a
    /// reply's chat, an inner `id`) that a wrong path would pick up instead.
    static let everyKind: [KindCase] = [
        KindCase("message", #"{"message_id":1,"from":{"id":42,"is_bot":false,"first_name":"A"},"chat":{"id":-1001,"type":"supergroup"},"date":0,"reply_to_message":{"message_id":0,"chat":{"id":-9},"date":0},"text":"hi"}"#, "chat:-1001"),
        KindCase("edited_message", #"{"message_id":1,"from":{"id":42},"chat":{"id":-1002,"type":"group"},"date":0,"edit_date":1,"text":"hi"}"#, "chat:-1002"),
        KindCase("channel_post", #"{"message_id":1,"sender_chat":{"id":-1003},"chat":{"id":-1003,"type":"channel"},"date":0,"text":"news"}"#, "chat:-1003"),
        KindCase("edited_channel_post", #"{"message_id":1,"chat":{"id":-1004,"type":"channel"},"date":0,"text":"news!"}"#, "chat:-1004"),
        KindCase("business_connection", #"{"id":"bc1","user":{"id":43,"is_bot":false,"first_name":"B"},"user_chat_id":43,"date":0,"is_enabled":true}"#, "user:43"),
        KindCase("business_message", #"{"business_connection_id":"bc1","message_id":1,"from":{"id":44},"chat":{"id":45,"type":"private"},"date":0,"text":"order"}"#, "chat:45"),
        KindCase("edited_business_message", #"{"business_connection_id":"bc1","message_id":1,"from":{"id":44},"chat":{"id":46,"type":"private"},"date":0}"#, "chat:46"),
        KindCase("deleted_business_messages", #"{"business_connection_id":"bc1","chat":{"id":47,"type":"private"},"message_ids":[1,2]}"#, "chat:47"),
        KindCase("guest_message", #"{"message_id":1,"guest_query_id":"g1","from":{"id":48},"chat":{"id":-1005,"type":"supergroup"},"date":0,"text":"@bot?"}"#, "chat:-1005"),
        KindCase("message_reaction", #"{"chat":{"id":-1006,"type":"group"},"message_id":1,"user":{"id":49},"date":0,"old_reaction":[],"new_reaction":[{"type":"emoji","emoji":"👍"}]}"#, "chat:-1006"),
        KindCase("message_reaction_count", #"{"chat":{"id":-1007,"type":"channel"},"message_id":1,"date":0,"reactions":[{"type":{"type":"emoji","emoji":"🔥"},"total_count":3}]}"#, "chat:-1007"),
        KindCase("inline_query", #"{"id":"iq1","from":{"id":50},"query":"cats","offset":"","chat_type":"sender"}"#, "user:50"),
        KindCase("chosen_inline_result", #"{"result_id":"r1","from":{"id":51},"inline_message_id":"im1","query":"cats"}"#, "user:51"),
        KindCase("callback_query", #"{"id":"cb1","from":{"id":52},"message":{"message_id":1,"from":{"id":99,"is_bot":true},"chat":{"id":-1008,"type":"supergroup"},"date":0},"chat_instance":"ci","data":"ok"}"#, "chat:-1008"),
        KindCase("shipping_query", #"{"id":"sq1","from":{"id":53},"invoice_payload":"p","shipping_address":{"country_code":"DE","state":"","city":"Berlin","street_line1":"A","street_line2":"","post_code":"10115"}}"#, "user:53"),
        KindCase("pre_checkout_query", #"{"id":"pc1","from":{"id":54},"currency":"XTR","total_amount":10,"invoice_payload":"p"}"#, "user:54"),
        KindCase("purchased_paid_media", #"{"from":{"id":55},"paid_media_payload":"p"}"#, "user:55"),
        KindCase("poll", #"{"id":"5432109876543210987","question":"?","options":[{"text":"a","voter_count":0}],"total_voter_count":0,"is_closed":true,"is_anonymous":true,"type":"regular","allows_multiple_answers":false}"#, "poll:5432109876543210987"),
        KindCase("poll_answer", #"{"poll_id":"p1","user":{"id":56},"option_ids":[0],"option_persistent_ids":["a"]}"#, "user:56"),
        KindCase("my_chat_member", #"{"chat":{"id":57,"type":"private"},"from":{"id":57},"date":0,"old_chat_member":{"status":"member","user":{"id":98}},"new_chat_member":{"status":"kicked","user":{"id":98},"until_date":0}}"#, "chat:57"),
        KindCase("chat_member", #"{"chat":{"id":-1009,"type":"supergroup"},"from":{"id":58},"date":0,"old_chat_member":{"status":"left","user":{"id":59}},"new_chat_member":{"status":"member","user":{"id":59}}}"#, "chat:-1009"),
        KindCase("chat_join_request", #"{"chat":{"id":-1010,"type":"supergroup"},"from":{"id":60},"user_chat_id":60,"date":0}"#, "chat:-1010"),
        KindCase("chat_boost", #"{"chat":{"id":-1011,"type":"channel"},"boost":{"boost_id":"b1","add_date":0,"expiration_date":1,"source":{"source":"premium","user":{"id":61}}}}"#, "chat:-1011"),
        KindCase("removed_chat_boost", #"{"chat":{"id":-1012,"type":"channel"},"boost_id":"b1","remove_date":0,"source":{"source":"premium","user":{"id":62}}}"#, "chat:-1012"),
        KindCase("managed_bot", #"{"user":{"id":63,"is_bot":false,"first_name":"Owner"},"bot":{"id":7001,"is_bot":true,"first_name":"Managed"}}"#, "user:7001"),
    ]

    struct KindCase: Sendable, CustomTestStringConvertible {
        var kind: String
        var payload: String
        var groupID: String

        init(_ kind: String, _ payload: String, _ groupID: String) {
            (self.kind, self.payload, self.groupID) = (kind, payload, groupID)
        }

        var testDescription: String { kind }
    }

    @Test("every kind in the spec gets its documented key", arguments: UpdateRoutingKeysTests.everyKind)
    func everyKindByHand(_ kindCase: KindCase) throws {
        let (kind, payload, groupID) = (kindCase.kind, kindCase.payload, kindCase.groupID)
        let json = #"{"update_id":1000,"\#(kind)":\#(payload)}"#
        let keys = try UpdateRoutingKeys.extract(from: Array(json.utf8))
        #expect(keys.updateID == 1000)
        #expect(keys.kind == UpdateKind(rawValue: kind))
        #expect(keys.kind.rawValue == kind)
        #expect(keys.group.id == groupID)
        #expect(try ReferenceRouting.keys(of: Data(json.utf8)).groupID == groupID, "the reference disagrees")
    }

    @Test("a button on an inline message has no chat, so it is ordered by the user who pressed it")
    func inlineCallbackQuery() throws {
        let keys = try extract(#"{"update_id":1,"callback_query":{"id":"c","from":{"id":52},"inline_message_id":"im","chat_instance":"ci","data":"x"}}"#)
        #expect(keys.group == .user(52))
        // An inaccessible message (date 0) still names its chat.
        let inaccessible = try extract(#"{"update_id":2,"callback_query":{"id":"c","from":{"id":52},"message":{"chat":{"id":-5,"type":"group"},"message_id":9,"date":0},"chat_instance":"ci"}}"#)
        #expect(inaccessible.group == .chat(-5))
    }

    @Test("a vote cast for a chat is ordered by that chat, not by the user")
    func pollAnswerOnBehalfOfChat() throws {
        let keys = try extract(#"{"update_id":1,"poll_answer":{"poll_id":"p","voter_chat":{"id":-1001160242915,"type":"channel"},"user":{"id":136817688},"option_ids":[]}}"#)
        #expect(keys.group == .chat(-1001160242915))
    }

    @Test("two users writing in one group chat share one key; two private chats do not")
    func groupChatIsOneGroup() throws {
        func message(from user: Int, in chat: Int) -> String {
            #"{"update_id":\#(user),"message":{"message_id":1,"from":{"id":\#(user),"is_bot":false,"first_name":"U"},"chat":{"id":\#(chat),"type":"supergroup"},"date":0,"text":"hi"}}"#
        }
        let alice = try extract(message(from: 1001, in: -1001234567890))
        let bob = try extract(message(from: 1002, in: -1001234567890))
        #expect(alice.group == bob.group)
        #expect(alice.group.id == "chat:-1001234567890")
        #expect(try extract(message(from: 1001, in: 1001)).group != extract(message(from: 1002, in: 1002)).group)
    }

    @Test("a known kind whose chat is missing falls back to its kind, never to another field")
    func knownKindFallback() throws {
        let keys = try extract(#"{"update_id":1,"message":{"message_id":1,"from":{"id":42},"date":0}}"#)
        #expect(keys.group == .kind(.message))
        #expect(keys.group.id == "kind:message")
        // Ids that are not integers do not count.
        let stringID = try extract(#"{"update_id":1,"message":{"chat":{"id":"-100"},"date":0}}"#)
        #expect(stringID.group == .kind(.message))
        let fractionID = try extract(#"{"update_id":1,"inline_query":{"from":{"id":4.5},"query":""}}"#)
        #expect(fractionID.group == .kind(.inlineQuery))
    }

    // MARK: Unknown and odd shapes

    @Test("a kind newer than this Bot API keeps its name and is grouped by whatever it names")
    func unknownKinds() throws {
        let withChat = try extract(#"{"update_id":1,"story_reaction":{"from":{"id":3},"chat":{"id":-77}}}"#)
        #expect(withChat.kind == .unknown("story_reaction"))
        #expect(withChat.group == .chat(-77))
        let withMessage = try extract(#"{"update_id":1,"button_hold":{"from":{"id":3},"message":{"chat":{"id":-78}}}}"#)
        #expect(withMessage.group == .chat(-78))
        let withFrom = try extract(#"{"update_id":1,"gift_query":{"user":{"id":5},"from":{"id":4}}}"#)
        #expect(withFrom.group == .user(4))
        let withUser = try extract(#"{"update_id":1,"gift_query":{"user":{"id":5}}}"#)
        #expect(withUser.group == .user(5))
        let withNothing = try extract(#"{"update_id":1,"new_update_kind":{"some_field_idk":1}}"#)
        #expect(withNothing.group == .kind(.unknown("new_update_kind")))
        #expect(withNothing.group.id == "kind:new_update_kind")
    }

    @Test("beside a kind it knows, extra top-level members are ignored; an update with no payload still routes")
    func extraTopLevelMembers() throws {
        let metaFirst = try extract(#"{"update_id":1,"meta":{"chat":{"id":1}},"message":{"chat":{"id":5}}}"#)
        #expect(metaFirst.kind == .message)
        #expect(metaFirst.group == .chat(5))
        let scalarFirst = try extract(#"{"update_id":1,"flag":true,"new_kind":{"chat":{"id":3}}}"#)
        #expect(scalarFirst.kind == .unknown("new_kind"))
        #expect(scalarFirst.group == .chat(3))
        let onlyScalar = try extract(#"{"flag":true,"update_id":1}"#)
        #expect(onlyScalar.kind == .unknown("flag"))
        #expect(onlyScalar.group == .kind(.unknown("flag")))
        let nothing = try extract(#"{"update_id":7}"#)
        #expect(nothing.updateID == 7)
        #expect(nothing.kind == .unknown(""))
        #expect(nothing.group.id == "kind:")
    }

    @Test("key order, whitespace and escapes do not matter")
    func layoutDoesNotMatter() throws {
        let expected = UpdateRoutingKeys(updateID: 99, kind: .message, group: .chat(-100123))
        let variants = [
            #"{"message":{"text":"x","chat":{"type":"group","id":-100123},"from":{"id":1}},"update_id":99}"#,
            " \t\r\n{ \"update_id\" : 99 ,\r\n\t\"message\" :\n{ \"chat\" : { \"id\" : -100123 } , \"date\" : 0 } }\n ",
            #"{"update_id":99,"message":{"text":"quote \" brace } bracket ] \\\" \u0022chat\u0022:{\"id\":1}","from":{"first_name":"\ud83d\ude00 Zoë \u00e9","id":5},"chat":{"id":-100123}}}"#,
            #"{"update\u005fid":99,"mess\u0061ge":{"\u0063hat":{"\u0069d":-100123}}}"#,
            #"{"update_id":99,"message":{"entities":[{"type":"bold","offset":0,"length":4,"nested":[[],{},[{"a":null}],true,false,-0.5e-3]}],"chat":{"id":-100123}}}"#,
        ]
        for json in variants {
            #expect(try extract(json) == expected, "\(json)")
        }
        let escapedUnknown = try extract(#"{"update_id":1,"new\u005fkind":{"user":{"id":2}}}"#)
        #expect(escapedUnknown.kind == .unknown("new_kind"))
    }

    @Test("integers at the edges of Int are read exactly; beyond them they are not integers")
    func integerRange() throws {
        #expect(try extract(#"{"update_id":9223372036854775807}"#).updateID == .max)
        #expect(try extract(#"{"update_id":-9223372036854775808}"#).updateID == .min)
        #expect(try extract(#"{"update_id":-0}"#).updateID == 0)
        #expect(try extract(#"{"update_id":1,"message":{"chat":{"id":-1009999999999999}}}"#).group == .chat(-1009999999999999))
        for json in [
            #"{"update_id":9223372036854775808}"#, #"{"update_id":-9223372036854775809}"#,
            #"{"update_id":123456789012345678901234567890}"#, #"{"update_id":1.0}"#, #"{"update_id":1e3}"#,
            #"{"update_id":"1"}"#, #"{"update_id":null}"#, #"{"update_id":true}"#, #"{"update_id":[1]}"#, #"{"update_id":{"id":1}}"#,
        ] {
            #expect(throws: UpdateRoutingKeys.Error.invalidUpdateID, "\(json)") { try extract(json) }
        }
    }

    // MARK: Group ids

    @Test("group ids are valid SQS MessageGroupIds, and odd ids hash the same in every process")
    func groupIDs() {
        #expect(UpdateGroup.chat(-1001234567890).id == "chat:-1001234567890")
        #expect(UpdateGroup.user(42).description == "user:42")
        #expect(UpdateGroup.poll(id: "5432").id == "poll:5432")
        #expect(UpdateGroup.kind(.businessConnection).id == "kind:business_connection")
        // FNV-1a 64, pinned: a process that hashed differently would split one group into two.
        #expect(UpdateGroup.poll(id: "a b").id == "poll#e63f991904833892")
        #expect(UpdateGroup.kind(.unknown("опрос")).id == "kind#f8fa754d3563b88f")
        #expect(UpdateGroup.poll(id: String(repeating: "9", count: 123)).id.count == 128)
        #expect(UpdateGroup.poll(id: String(repeating: "9", count: 124)).id.hasPrefix("poll#"))

        let allowed = Set((0x21...0x7E).map { UInt8($0) })
        let odd: [UpdateGroup] = [
            .chat(.min), .user(.max), .poll(id: ""), .poll(id: "tab\there"), .poll(id: String(repeating: "x", count: 500)),
            .kind(.unknown("")), .kind(.unknown("spaced kind")), .kind(.unknown("\u{0}")),
        ]
        for key in odd {
            let groupID = key.id
            #expect((1...128).contains(groupID.utf8.count), "\(groupID)")
            #expect(groupID.utf8.allSatisfy(allowed.contains), "\(groupID)")
        }
    }

    @Test("a poll id that cannot be a group id is hashed when read from an update")
    func oddPollIDFromUpdate() throws {
        let keys = try extract(#"{"update_id":1,"poll":{"id":"a\u0020b","question":"?"}}"#)
        #expect(keys.group == .poll(id: "a b"))
        #expect(keys.group.id == "poll#e63f991904833892")
    }

    // MARK: Inputs

    @Test("every way of handing over the bytes reads the same")
    func inputForms() throws {
        let json = #"{"update_id":5,"message":{"chat":{"id":6}}}"#
        let expected = try extract(json)
        let bytes = Array(json.utf8)
        #expect(try UpdateRoutingKeys.extract(from: bytes) == expected)
        #expect(try UpdateRoutingKeys.extract(from: bytes[...]) == expected)
        #expect(try UpdateRoutingKeys.extract(from: ContiguousArray(bytes)) == expected)
        #expect(try UpdateRoutingKeys.extract(from: Data(bytes)) == expected)
        #expect(try UpdateRoutingKeys.extract(from: json.utf8) == expected)
        #expect(try UpdateRoutingKeys.extract(from: bytes.lazy.map { $0 }) == expected)  // not contiguous
        #expect(try bytes.withUnsafeBytes { try UpdateRoutingKeys.extract(from: $0) } == expected)
        // A slice that starts past the buffer's beginning, as a NIO ByteBuffer's readable bytes do.
        let framed = Array("xx\(json)yy".utf8)
        #expect(try framed.withUnsafeBytes { try UpdateRoutingKeys.extract(from: UnsafeRawBufferPointer(rebasing: $0[2..<framed.count - 2])) } == expected)
    }

    // MARK: Malformed input

    @Test("a body cut off at any byte is reported as truncated")
    func truncatedAtEveryByte() throws {
        var samples = try SharedData.updateSamples().map { Array($0.data) }
        samples.append(Array(#"{"update_id":1,"message":{"text":"\ud83d\ude00 é 😀 \n","n":[-1.5e+3,true,false,null]}}"#.utf8))
        for sample in samples {
            let end = try #require(sample.lastIndex(of: UInt8(ascii: "}")))
            for length in 0...end {
                // Each prefix gets a buffer of its own, so that a read past its end is a read past
                // the allocation, which the address sanitizer reports.
                let prefix = Array(sample[..<length])
                #expect(throws: UpdateRoutingKeys.Error.truncated, "cut at \(length)") {
                    try UpdateRoutingKeys.extract(from: prefix)
                }
            }
        }
    }

    @Test("JSON that is not an object is refused as such")
    func notAnObject() {
        for json in [#"[]"#, #"[{"update_id":1}]"#, #"1"#, #""update_id""#, #"null"#, #" true "#] {
            #expect(throws: UpdateRoutingKeys.Error.notAnObject, "\(json)") { try extract(json) }
        }
    }

    @Test("a missing or repeated update_id is refused")
    func updateIDPresence() {
        #expect(throws: UpdateRoutingKeys.Error.missingUpdateID) { try extract(#"{}"#) }
        #expect(throws: UpdateRoutingKeys.Error.missingUpdateID) { try extract(#"{"message":{"update_id":1,"chat":{"id":1}}}"#) }
        #expect(throws: UpdateRoutingKeys.Error.duplicateUpdateID) { try extract(#"{"update_id":1,"message":{},"update_id":2}"#) }
    }

    @Test("bytes that are not JSON are refused with the problem and where it is")
    func notJSON() {
        let cases: [(json: [UInt8], problem: JSONSyntaxError.Problem, offset: Int)] = [
            (Array("hello".utf8), .unexpectedByte(UInt8(ascii: "h")), 0),
            (Array("{update_id:1}".utf8), .unexpectedByte(UInt8(ascii: "u")), 1),
            (Array("{'update_id':1}".utf8), .unexpectedByte(UInt8(ascii: "'")), 1),
            (Array(#"{"update_id":1,}"#.utf8), .unexpectedByte(UInt8(ascii: "}")), 15),
            (Array(#"{"update_id":1 "message":{}}"#.utf8), .unexpectedByte(UInt8(ascii: "\"")), 15),
            (Array(#"{"update_id":1} {"#.utf8), .unexpectedByte(UInt8(ascii: "{")), 16),
            (Array(#"{"update_id":01}"#.utf8), .unexpectedByte(UInt8(ascii: "1")), 14),
            (Array(#"{"update_id":-}"#.utf8), .invalidNumber, 14),
            (Array(#"{"update_id":1.}"#.utf8), .invalidNumber, 15),
            (Array(#"{"update_id":1e+}"#.utf8), .invalidNumber, 16),
            (Array(#"{"update_id":+1}"#.utf8), .unexpectedByte(UInt8(ascii: "+")), 13),
            (Array(#"{"update_id":NaN}"#.utf8), .unexpectedByte(UInt8(ascii: "N")), 13),
            (Array(#"{"update_id":1,"a":tru}"#.utf8), .unexpectedByte(UInt8(ascii: "}")), 22),
            (Array(#"{"update_id":1,"a":"\x"}"#.utf8), .invalidEscape, 21),
            (Array(#"{"update_id":1,"a":"\u12G4"}"#.utf8), .invalidEscape, 24),
            (Array(#"{"update_id":1,"a":"\ud800"}"#.utf8), .unpairedSurrogate, 26),
            (Array(#"{"update_id":1,"a":"\ud800\u0041"}"#.utf8), .unpairedSurrogate, 32),
            (Array(#"{"update_id":1,"a":"\udc00"}"#.utf8), .unpairedSurrogate, 26),
            (Array(#"{"update_id":1,"a":""#.utf8) + [0x09] + Array(#""}"#.utf8), .unescapedControlCharacter, 20),
            (Array(#"{"update_id":1,"a":""#.utf8) + [0xC0, 0x80] + Array(#""}"#.utf8), .invalidUTF8, 20),
            (Array(#"{"update_id":1,"a":""#.utf8) + [0xED, 0xA0, 0x80] + Array(#""}"#.utf8), .invalidUTF8, 21),
            (Array(#"{"update_id":1,"a":""#.utf8) + [0xF4, 0x90, 0x80, 0x80] + Array(#""}"#.utf8), .invalidUTF8, 21),
            (Array(#"{"update_id":1,"a":""#.utf8) + [0xE2, 0x82, 0x41] + Array(#""}"#.utf8), .invalidUTF8, 22),
            (Array(#"{"update_id":1,"a":""#.utf8) + [0x80] + Array(#""}"#.utf8), .invalidUTF8, 20),
            ([0xEF, 0xBB, 0xBF] + Array(#"{"update_id":1}"#.utf8), .unexpectedByte(0xEF), 0),
            ([0x7B, 0x0C, 0x7D], .unexpectedByte(0x0C), 1),
        ]
        for (json, problem, offset) in cases {
            let text = String(decoding: json, as: UTF8.self)
            #expect(throws: UpdateRoutingKeys.Error.invalidJSON(JSONSyntaxError(problem, offset: offset)), "\(text)") {
                try UpdateRoutingKeys.extract(from: json)
            }
        }
    }

    @Test("errors say what is wrong and where")
    func errorDescriptions() {
        #expect(UpdateRoutingKeys.Error.invalidJSON(JSONSyntaxError(.unexpectedByte(UInt8(ascii: "}")), offset: 15)).description
            == "The update is not valid JSON: unexpected character '}' at byte 15.")
        #expect(JSONSyntaxError(.unexpectedByte(0x0C), offset: 1).description == "unexpected byte 0x0C at byte 1")
        #expect(UpdateRoutingKeys.Error.truncated.description == "The update is truncated: its JSON ends early.")
    }

    @Test("nesting is limited without exhausting the stack")
    func deepNesting() throws {
        func nested(_ depth: Int) -> [UInt8] {
            // The update object itself is the first level.
            Array(#"{"update_id":1,"x":"#.utf8) + Array(repeating: UInt8(ascii: "["), count: depth - 1)
                + Array(repeating: UInt8(ascii: "]"), count: depth - 1) + [UInt8(ascii: "}")]
        }
        #expect(try UpdateRoutingKeys.extract(from: nested(64)).updateID == 1)
        let tooDeep = UpdateRoutingKeys.Error.invalidJSON(JSONSyntaxError(.nestingTooDeep(limit: 64), offset: 19 + 63))
        #expect(throws: tooDeep) { try UpdateRoutingKeys.extract(from: nested(65)) }
        #expect(throws: tooDeep) { try UpdateRoutingKeys.extract(from: nested(1_000_000)) }
        let objects = Array(#"{"update_id":1,"message":"#.utf8) + Array(repeating: Array(#"{"a":"#.utf8), count: 100_000).joined()
        #expect(throws: UpdateRoutingKeys.Error.invalidJSON(JSONSyntaxError(.nestingTooDeep(limit: 64), offset: 25 + 63 * 5))) {
            try UpdateRoutingKeys.extract(from: objects)
        }
    }

    @Test("damaged samples are refused exactly when Foundation's parser refuses them, and never crash")
    func damagedSamplesAgreeWithFoundation() throws {
        var random = SplitMix64(seed: 0x5EED)
        // Left out, so that mutations rarely reach where parsers may differ: `,` (Foundation accepts
        // a trailing comma, which RFC 8259 does not) and `e` (an exponent beyond Double's range is
        // valid JSON that Foundation refuses).
        let alphabet = Array(#"{}[]":\ -.0123456789tfnaru"#.utf8) + [0x00, 0x09, 0x0A, 0x1F, 0x7F, 0x80, 0xC3, 0xA9, 0xF0, 0xFF]
        for (name, data) in try SharedData.updateSamples() {
            let original = Array(data)
            for _ in 0..<200 {
                var bytes = original
                for _ in 0...Int(random.next() % 3) {
                    let position = Int(random.next() % UInt64(bytes.count))
                    let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                    switch random.next() % 3 {
                    case 0: bytes[position] = byte
                    case 1: bytes.insert(byte, at: position)
                    default: bytes.remove(at: position)
                    }
                }
                // Every damaged sample is read, none may crash; the comparison skips those where
                // deleting a last element left a trailing comma behind.
                let result = Result { () throws(UpdateRoutingKeys.Error) in try UpdateRoutingKeys.extract(from: bytes) }
                if Self.hasTrailingComma(bytes) { continue }
                let foundationAccepts = (try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)) != nil
                let weRefuseSyntax: Bool
                switch result {
                case .failure(.truncated), .failure(.invalidJSON): weRefuseSyntax = true
                default: weRefuseSyntax = false
                }
                #expect(foundationAccepts != weRefuseSyntax, "\(name): \(String(decoding: bytes, as: UTF8.self)) -> \(result)")
            }
        }
    }

    /// Whether a `,` is followed by `]` or `}`, anywhere, strings included: a rough test that errs
    /// towards skipping a comparison.
    private static func hasTrailingComma(_ bytes: [UInt8]) -> Bool {
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: ",") {
            let next = bytes[(index + 1)...].first { !whitespace.contains($0) }
            if next == UInt8(ascii: "]") || next == UInt8(ascii: "}") { return true }
        }
        return false
    }

    private func extract(_ json: String) throws(UpdateRoutingKeys.Error) -> UpdateRoutingKeys {
        try UpdateRoutingKeys.extract(from: Array(json.utf8))
    }
}

// MARK: - Reference

/// The ordering rules restated on a tree that JSONDecoder decoded: an independent reading of the
/// table in UpdateRoutingKeys.swift, so that a slip in the byte scanner cannot hide behind the same
/// slip here.
private enum ReferenceRouting {
    typealias Rule = [(prefix: String, path: [String])]

    static let chat: Rule = [("chat", ["chat", "id"])]
    static let from: Rule = [("user", ["from", "id"])]

    static let rules: [String: Rule] = [
        "message": chat, "edited_message": chat, "channel_post": chat, "edited_channel_post": chat,
        "business_message": chat, "edited_business_message": chat, "guest_message": chat,
        "deleted_business_messages": chat, "message_reaction": chat, "message_reaction_count": chat,
        "my_chat_member": chat, "chat_member": chat, "chat_join_request": chat, "chat_boost": chat,
        "removed_chat_boost": chat,
        "callback_query": [("chat", ["message", "chat", "id"]), ("user", ["from", "id"])],
        "inline_query": from, "chosen_inline_result": from, "shipping_query": from, "pre_checkout_query": from,
        "purchased_paid_media": from,
        "poll_answer": [("chat", ["voter_chat", "id"]), ("user", ["user", "id"])],
        "business_connection": [("user", ["user", "id"])],
        "managed_bot": [("user", ["bot", "id"])],
        "poll": [("poll", ["id"])],
    ]

    static let unknownKind: Rule = [
        ("chat", ["chat", "id"]), ("chat", ["message", "chat", "id"]), ("user", ["from", "id"]), ("user", ["user", "id"]),
    ]

    /// Only for updates with exactly one member besides `update_id`: a dictionary has no order.
    static func keys(of data: Data) throws -> (updateID: Int, kind: String, groupID: String) {
        guard case .object(let update) = try JSONDecoder().decode(Tree.self, from: data),
            case .integer(let updateID) = update["update_id"]
        else { throw NotAnUpdate() }
        let kinds = update.keys.filter { $0 != "update_id" }
        try #require(kinds.count == 1)
        let kind = kinds[0]
        for (prefix, path) in rules[kind] ?? unknownKind {
            var value = update[kind]
            for component in path {
                guard case .object(let members) = value else { value = nil; break }
                value = members[component]
            }
            switch (prefix, value) {
            case ("poll", .string(let id)?): return (updateID, kind, "poll:\(id)")
            case (let prefix, .integer(let id)?) where prefix != "poll": return (updateID, kind, "\(prefix):\(id)")
            default: continue
            }
        }
        return (updateID, kind, "kind:\(kind)")
    }

    /// As much of a JSON value as routing looks at.
    private enum Tree: Decodable {
        case integer(Int)
        case string(String)
        case object([String: Tree])
        /// Arrays, booleans, null, and numbers that are not integers.
        case other

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) {
                self = .integer(value)
            } else if let value = try? container.decode(String.self) {
                self = .string(value)
            } else if let value = try? container.decode([String: Tree].self) {
                self = .object(value)
            } else {
                self = .other
            }
        }
    }

    private struct NotAnUpdate: Error {}

    /// The kinds of update in the Bot API spec beside the repository: every optional field of `Update`.
    static func specKinds() throws -> Set<String> {
        let url = SharedData.sharedRoot.appendingPathComponent("telegram/spec/api.json")
        let spec = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let types = try #require(spec["types"] as? [String: Any])
        let update = try #require(types["Update"] as? [String: Any])
        let fields = try #require(update["fields"] as? [[String: Any]])
        return Set(fields.filter { $0["required"] as? Bool == false }.compactMap { $0["name"] as? String })
    }
}

/// A small seeded generator, so that the damaged samples are the same on every run.
private struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
