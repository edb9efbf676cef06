/// Output ids derived from a hash, so that the same input bytes, *now*, engine version and profiles
/// give the same ids (DESIGN.md: deterministic output). Each id is a UUID (RFC 9562 version 8, the
/// custom layout) made from SHA-256(seed | name).
public struct DeterministicIds: Sendable {
    public let seed: String
    /// SHA-256 of `seed|`, the prefix every id hashes: copied for each id, so that an id hashes only its name.
    /// (A bundle's ids are made on one thread; the prefix is only read.)
    private let prefix: SHA256

    /// - Parameters: the input's SHA-256, *now* as written in the output, and the profiles' digest.
    public init(inputSHA256: String, now: String, profilesDigest: String) {
        seed = [inputSHA256, now, Engine.version, profilesDigest].joined(separator: "|")
        var prefix = SHA256()
        prefix.update(seed)
        prefix.update("|")
        self.prefix = prefix
    }

    /// The UUID for one named output resource (`CarePlan`, `request:drug:duloxetine`, …): SHA-256 of `seed|name`.
    public func uuid(_ name: String) -> String {
        var hasher = prefix.copy()
        hasher.update(name)
        return withUnsafeTemporaryAllocation(byteCount: 32, alignment: 1) { digest in
            hasher.finalize(into: digest)
            digest[6] = (digest[6] & 0x0f) | 0x80  // version 8
            digest[8] = (digest[8] & 0x3f) | 0x80  // variant 10
            return Self.uuidText(UnsafeRawBufferPointer(rebasing: digest[..<16]))
        }
    }

    /// Sixteen bytes as `8-4-4-4-12` lowercase hex digits, written straight into the string's storage.
    static func uuidText(_ bytes: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[position] = UInt8(ascii: "-")
                    position += 1
                }
                SHA256.writeHex(byte, into: text, at: position)
                position += 2
            }
            return position
        }
    }
}
