import Crypto
import FerryHashing
import Testing

/// SigV4 signatures and code-package names rest on these; a wrong digest means AWS refuses every request.
@Suite struct SHA256Tests {
    private func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    @Test("NIST's examples, padding edge cases included (FIPS 180-4 test vectors)")
    func nistExamples() {
        #expect(hex(FerryHashing.SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex(FerryHashing.SHA256.hash("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            hex(FerryHashing.SHA256.hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        )
        var million = FerryHashing.SHA256()
        for _ in 0..<1000 { million.update(repeatElement(UInt8(ascii: "a"), count: 1000)) }
        #expect(hex(million.finalize()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("RFC 4231's HMAC-SHA256 cases, a key longer than a block included")
    func hmacExamples() {
        #expect(
            hex(HMACSHA256.authenticationCode(for: "Hi There".utf8, key: [UInt8](repeating: 0x0b, count: 20)))
                == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        )
        #expect(
            hex(HMACSHA256.authenticationCode(for: "what do ya want for nothing?".utf8, key: "Jefe".utf8))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        )
        #expect(
            hex(
                HMACSHA256.authenticationCode(
                    for: "Test Using Larger Than Block-Size Key - Hash Key First".utf8, key: [UInt8](repeating: 0xaa, count: 131)
                )
            ) == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        )
    }

    @Test("the same digests and codes as swift-crypto for every length up to three blocks, fed whole and in pieces")
    func agreesWithSwiftCrypto() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...200 {
            let message = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let key = (0..<(length % 90)).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
            let expected = Array(Crypto.SHA256.hash(data: message))
            #expect(FerryHashing.SHA256.hash(message) == expected, "length \(length)")

            var pieces = FerryHashing.SHA256()
            var rest = message[...]
            while !rest.isEmpty {
                let size = Int.random(in: 1...70, using: &generator)
                pieces.update(rest.prefix(size))
                rest = rest.dropFirst(size)
            }
            #expect(pieces.finalize() == expected, "length \(length), in pieces")

            let code = Array(HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
            #expect(HMACSHA256.authenticationCode(for: message, key: key) == code, "length \(length), key \(key.count)")
        }
    }
}
