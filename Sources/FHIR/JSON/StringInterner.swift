#if canImport(Glibc)
    import Glibc
#endif

/// Makes each distinct long string value of one document once. Real bundles repeat their values: in fhiry's two
/// Synthea bundles, 12,581 strings are longer than the 15 bytes a Swift String holds inline, and only 2,136 are
/// distinct (code systems, the patient's and encounters' references, displays). Each repeat would otherwise be a new
/// heap string — allocated, validated, copied and freed again; here it is a hash, a comparison and a retain.
///
/// Bounded: past `maxEntries` distinct strings (a hostile document of unique values), strings are made as before.
/// And no search goes further than `maxProbe` slots: the hash is not keyed, so a document could be written whose
/// values all land in one run of the table; past the bound such a value is made as before and not stored, and every
/// string costs at most `maxProbe` comparisons whatever the input.
struct StringInterner {
    /// Slot → 0 (empty) or the entry's hash tag (its high 32 bits) and position + 1: a probe compares tags in the
    /// table itself, without a second, random read per slot. The table doubles at half full.
    private var slots = [UInt64](repeating: 0, count: 256)
    private var strings: [String] = []
    /// Each entry's whole hash, read in order when the table doubles.
    private var hashes: [UInt64] = []
    static let maxEntries = 1 << 16
    /// At half full, a search of linear probing looks at 2.5 slots on average; 32 is not reached by chance.
    static let maxProbe = 32
    /// Shorter strings are stored inline in the String itself: nothing to share.
    static let minimumLength = 16

    /// How many distinct strings are stored (tests).
    var storedCount: Int { strings.count }

    /// The string of these UTF-8 bytes (valid UTF-8: the JSON parser checked them).
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let hash = Self.hash(bytes)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        var probes = 0
        while true {
            let stored = slots[slot]
            if stored == 0 { break }
            if stored & 0xFFFF_FFFF_0000_0000 == tag {
                let entry = Int(truncatingIfNeeded: stored & 0xFFFF_FFFF) - 1
                if Self.hasBytes(strings[entry], bytes) { return strings[entry] }
            }
            probes += 1
            if probes == Self.maxProbe { return String(decoding: bytes, as: UTF8.self) }
            slot = (slot + 1) & mask
        }
        let string = String(decoding: bytes, as: UTF8.self)
        guard strings.count < Self.maxEntries else { return string }
        slots[slot] = tag | UInt64(strings.count + 1)
        strings.append(string)
        hashes.append(hash)
        if strings.count * 2 > slots.count { grow() }
        return string
    }

    /// Doubles the table, placing every entry again from its stored hash. (An entry that would land past
    /// `maxProbe` is still placed: searches stop early, so it is only not found — made again, never wrong.)
    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (entry, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(entry + 1)
        }
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
