#if canImport(Glibc)
    import Glibc
#endif

/// Makes each distinct long string value of one document once. Real bundles repeat their values: in fhiry's two
/// Synthea bundles, 12,581 strings are longer than the 15 bytes a Swift String holds inline, and only 2,136 are
/// distinct (code systems, the patient's and encounters' references, displays). Each repeat would otherwise be a new
/// heap string — allocated, validated, copied and freed again; here it is a hash, a comparison and a retain.
///
/// Bounded: past `maxEntries` distinct strings (a hostile document of unique values), strings are made as before.
struct StringInterner {
    /// Slot → entry, or -1; the table doubles at half full.
    private var slots = [Int32](repeating: -1, count: 256)
    private var strings: [String] = []
    private var hashes: [UInt64] = []
    static let maxEntries = 1 << 16
    /// Shorter strings are stored inline in the String itself: nothing to share.
    static let minimumLength = 16

    /// The string of these UTF-8 bytes (valid UTF-8: the JSON parser checked them).
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let hash = Self.hash(bytes)
        var mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { break }
            if hashes[entry] == hash && Self.hasBytes(strings[entry], bytes) { return strings[entry] }
            slot = (slot + 1) & mask
        }
        let string = String(decoding: bytes, as: UTF8.self)
        guard strings.count < Self.maxEntries else { return string }
        slots[slot] = Int32(strings.count)
        strings.append(string)
        hashes.append(hash)
        if strings.count * 2 > slots.count {
            slots = [Int32](repeating: -1, count: slots.count * 2)
            mask = slots.count - 1
            for (entry, hash) in hashes.enumerated() {
                var slot = Int(truncatingIfNeeded: hash) & mask
                while slots[slot] >= 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(entry)
            }
        }
        return string
    }

    private static func hasBytes(_ string: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        string.withUTF8Bytes { stored in
            stored.count == bytes.count && memcmp(stored.baseAddress!, bytes.baseAddress!, bytes.count) == 0
        }
    }

    /// Eight bytes at a time, multiplied and folded (the values are at least 16 bytes long).
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
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
