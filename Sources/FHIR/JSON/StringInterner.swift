#if canImport(Glibc)
    import Glibc
#endif

/// Makes each distinct long string value of one document once. Real bundles repeat their values: in fhiry's two
/// Synthea bundles, 12,581 strings are longer than the 15 bytes a Swift String holds inline, and only 2,136 are
/// distinct (code systems, the patient's and encounters' references, displays). Each repeat would otherwise be a new
/// heap string — allocated, validated, copied and freed again; here it is a hash, a comparison and a retain.
///
/// Bounded: past `maxEntries` distinct strings (a hostile document of unique values), strings are made as before; and
/// no search goes further than `maxProbe` slots (`BoundedHashSlots`: the hash is not keyed).
struct StringInterner {
    private var slots = BoundedHashSlots(initialCount: 256)
    private var strings: [String] = []
    /// Each entry's whole hash, read again when the table doubles.
    private var hashes: [UInt64] = []
    static let maxEntries = 1 << 16
    static var maxProbe: Int { BoundedHashSlots.maxProbe }
    /// Shorter strings are stored inline in the String itself: nothing to share.
    static let minimumLength = 16

    /// How many distinct strings are stored (tests).
    var storedCount: Int { strings.count }

    /// The string of these UTF-8 bytes (valid UTF-8: the JSON parser checked them).
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let hash = Self.hash(bytes)
        if let position = slots.find(hash, where: { Self.hasBytes(strings[$0], bytes) }) { return strings[position] }
        let string = String(decoding: bytes, as: UTF8.self)
        guard strings.count < Self.maxEntries, slots.insert(hash, position: strings.count) else { return string }
        strings.append(string)
        hashes.append(hash)
        if slots.needsToGrow(count: strings.count) { slots.grow(count: strings.count) { hashes[$0] } }
        return string
    }

    private static func hasBytes(_ string: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        string.withUTF8Bytes { stored in
            stored.count == bytes.count && memcmp(stored.baseAddress!, bytes.baseAddress!, bytes.count) == 0
        }
    }

    /// Eight bytes at a time, multiplied and folded (the values are at least 16 bytes long).
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let raw = UnsafeRawBufferPointer(bytes)
        var hash = UInt64(truncatingIfNeeded: bytes.count) &* 0x9E37_79B9_7F4A_7C15
        var offset = 0
        while offset + 8 <= raw.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 29
            offset += 8
        }
        if offset < raw.count {
            // The last eight bytes (overlapping the previous word): every byte counts, no tail loop.
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 29
        }
        return hash
    }
}
