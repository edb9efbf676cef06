/// Output ids derived from a hash, so that the same input bytes, *now*, engine version and profiles
/// give the same ids (DESIGN.md: deterministic output). Each id is a UUID (RFC 9562 version 8, the
/// custom layout) made from SHA-256(seed | name).
public struct DeterministicIds: Sendable {
    public let seed: String

    /// - Parameters: the input's SHA-256, *now* as written in the output, and the profiles' digest.
    public init(inputSHA256: String, now: String, profilesDigest: String) {
        seed = [inputSHA256, now, Engine.version, profilesDigest].joined(separator: "|")
    }

    /// The UUID for one named output resource (`CarePlan`, `request:drug:duloxetine`, …).
    public func uuid(_ name: String) -> String {
        // Hashed in three parts, in place: the same bytes as `seed|name`, without making that string or an array.
        var hasher = SHA256()
        hasher.update(seed)
        hasher.update("|")
        hasher.update(name)
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3f) | 0x80  // variant 10
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (index, digit) in SHA256.hexString(bytes).utf8.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append(UInt8(ascii: "-")) }
            text.append(digit)
        }
        return String(decoding: text, as: UTF8.self)
    }
}
