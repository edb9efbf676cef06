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
        var bytes = Array(SHA256.digest(Array((seed + "|" + name).utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0f) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3f) | 0x80  // variant 10
        let hex = SHA256.hexString(bytes)
        let h = Array(hex)
        return String(h[0..<8]) + "-" + String(h[8..<12]) + "-" + String(h[12..<16]) + "-" + String(h[16..<20]) + "-"
            + String(h[20..<32])
    }
}
