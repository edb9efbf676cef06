#if canImport(Glibc)
    import Glibc
#endif

/// The datatype values of one document that repeat byte for byte, read once. A real record codes the same things
/// again and again: fhiry's two Synthea bundles hold 2,544 CodeableConcepts and only 178 distinct ones (every vital
/// sign's code and category, every claim's codings), a quarter of their bytes. A repeat is found by the bytes of its
/// JSON object and shares the element read the first time: a hash and a comparison, not a walk that checks and
/// builds every property again. The model is the same — elements are values, and equal ones may share storage — and
/// the stages after it gain too: what they remember of an element by its storage (`FHIRElement.storageIdentity`: the
/// case stage's value-set memberships) is asked once per distinct concept, not once per resource.
///
/// What a repeat may skip is only what its first reading proved: an entry is kept only for a value read without a
/// warning (a warning names the path and line where it was found, and each place must have its own). Errors end the
/// read, so no entry records one. The depth limit needs no care here: the JSON parser checks it on the whole document
/// before any element is read, and an element's path is never deeper than its JSON nesting.
///
/// Bounded as `StringInterner` is: past `maxEntries` values nothing more is stored, and no search goes further than
/// `maxProbe` slots (the hash is not keyed: a document crafted to collide costs at most `maxProbe` comparisons per
/// value, then reads its values as before).
struct ElementMemo {
    struct Entry {
        /// The value's type definition (its identity: the schema holds it for the whole read).
        let type: UnsafeMutableRawPointer
        /// Its JSON object's bytes in the document: where a repeat is compared.
        let start: Int
        let length: Int
        /// The element read; nil while it was only checked (inside a deferred resource).
        var element: FHIRElement?
        /// The whole hash, read again when the table doubles.
        let hash: UInt64
    }

    /// Slot → 0 (empty) or the entry's hash tag (high 32 bits) and position + 1, as in `StringInterner`. Made at the
    /// first store: a document of one resource may have nothing to store.
    private var slots: [UInt64] = []
    private(set) var entries: [Entry] = []
    static let maxEntries = 1 << 15
    static let maxProbe = 32

    /// How many distinct values are stored (tests).
    var storedCount: Int { entries.count }

    /// The entry holding these bytes of this type, if any, and their hash (for `store`).
    func find(type: UnsafeMutableRawPointer, start: Int, length: Int, in document: UnsafeBufferPointer<UInt8>)
        -> (index: Int?, hash: UInt64)
    {
        let hash = Self.hash(document, start: start, length: length, type: type)
        return (slots.isEmpty ? nil : find(hash, type: type, start: start, length: length, in: document), hash)
    }

    private func find(
        _ hash: UInt64, type: UnsafeMutableRawPointer, start: Int, length: Int, in document: UnsafeBufferPointer<UInt8>
    ) -> Int? {
        let tag = hash & 0xFFFF_FFFF_0000_0000
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        for _ in 0..<Self.maxProbe {
            let stored = slots[slot]
            if stored == 0 { return nil }
            if stored & 0xFFFF_FFFF_0000_0000 == tag {
                let index = Int(truncatingIfNeeded: stored & 0xFFFF_FFFF) - 1
                // Compared in place (a copy of the entry would retain its element).
                if entries[index].type == type, entries[index].length == length,
                    memcmp(document.baseAddress! + entries[index].start, document.baseAddress! + start, length) == 0
                {
                    return index
                }
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Records a value read without a warning (`element`: nil when only checked); `hash` from `find`.
    mutating func store(type: UnsafeMutableRawPointer, start: Int, length: Int, hash: UInt64, element: FHIRElement?) {
        guard entries.count < Self.maxEntries else { return }
        if slots.isEmpty {
            slots = [UInt64](repeating: 0, count: 64)
            entries.reserveCapacity(32)
        }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        var probes = 0
        while slots[slot] != 0 {
            probes += 1
            if probes == Self.maxProbe { return }  // past the bound: not found by a search either
            slot = (slot + 1) & mask
        }
        slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(entries.count + 1)
        entries.append(Entry(type: type, start: start, length: length, element: element, hash: hash))
        if entries.count * 2 > slots.count { grow() }
    }

    /// A value only checked before, now built.
    mutating func setElement(_ index: Int, _ element: FHIRElement) {
        entries[index].element = element
    }

    private mutating func grow() {
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for index in entries.indices {
            let hash = entries[index].hash
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(index + 1)
        }
    }

    /// `StringInterner.hash` of the bytes, mixed with the type (a Coding and a CodeableConcept never share bytes,
    /// but two types could).
    static func hash(
        _ document: UnsafeBufferPointer<UInt8>, start: Int, length: Int, type: UnsafeMutableRawPointer
    ) -> UInt64 {
        let bytes = UnsafeBufferPointer(rebasing: document[start..<start + length])
        let typeBits = UInt64(UInt(bitPattern: type))
        return (StringInterner.hash(bytes) ^ typeBits) &* 0x9E37_79B9_7F4A_7C15
    }
}

extension ElementMemo {
    /// The types whose values are remembered: the codes a record repeats. (Others were measured — see the README.)
    static let typeNames = ["CodeableConcept", "Coding", "Reference"]
    /// Shorter objects are read faster than looked up (and the hash reads eight bytes at a time).
    static let minimumLength = 16
}
