import Output
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    // FIPS 180-4 / NIST example vectors.
    @Test func knownVectors() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(
            SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalUpdatesGiveTheSameDigest() {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = SHA256()
        for chunk in stride(from: 0, to: bytes.count, by: 37) {
            hasher.update(bytes[chunk..<min(chunk + 37, bytes.count)])
        }
        #expect(SHA256.hexString(hasher.finalize()) == SHA256.hex(bytes))
    }

    /// A copy goes on from the state the hasher had reached; the two then hash apart (output ids copy a hashed prefix).
    @Test func aCopyGoesOnFromTheSameStateAndLeavesTheOriginalAsItWas() {
        let prefix = Array(repeating: UInt8(ascii: "p"), count: 150)  // over two 64-byte blocks
        var original = SHA256()
        original.update(prefix)
        var copy = original.copy()
        copy.update(Array("first".utf8))
        var second = original.copy()
        original.update(Array("original".utf8))
        second.update(Array("second".utf8))
        #expect(SHA256.hexString(copy.finalize()) == SHA256.hex(prefix + Array("first".utf8)))
        #expect(SHA256.hexString(second.finalize()) == SHA256.hex(prefix + Array("second".utf8)))
        #expect(SHA256.hexString(original.finalize()) == SHA256.hex(prefix + Array("original".utf8)))
    }

    /// An output id is SHA-256 of `seed|name` (the seed's part hashed once and copied), as RFC 9562 version 8: with a
    /// short seed, and with a real one (a 64-digit input digest: the prefix spans several SHA-256 blocks).
    @Test(arguments: [
        ("a1b2", "d3"),
        ("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "0123456789abcdef"),
    ])
    func outputIdsAreTheDigestOfTheSeedAndTheName(inputSHA256: String, profilesDigest: String) {
        let ids = DeterministicIds(
            inputSHA256: inputSHA256, now: "2026-11-30T09:00:00Z", profilesDigest: profilesDigest)
        #expect(ids.seed == "\(inputSHA256)|2026-11-30T09:00:00Z|\(Engine.version)|\(profilesDigest)")
        for name in ["CarePlan", "request:drug:duloxetine", "", "é|ü", "CarePlan"] {
            var bytes = Array(SHA256.digest(Array((ids.seed + "|" + name).utf8)).prefix(16))
            bytes[6] = (bytes[6] & 0x0f) | 0x80
            bytes[8] = (bytes[8] & 0x3f) | 0x80
            let hex = Array(SHA256.hexString(bytes))
            let expected = [hex[0..<8], hex[8..<12], hex[12..<16], hex[16..<20], hex[20..<32]].map { String($0) }
                .joined(separator: "-")
            #expect(ids.uuid(name) == expected, "\(name)")
        }
        #expect(ids.uuid("CarePlan") != ids.uuid("CarePlan2"))
    }
}
