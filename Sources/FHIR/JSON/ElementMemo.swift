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
/// `maxProbe` slots (`BoundedHashSlots`: the hash is not keyed, so a document crafted to collide costs at most
/// `maxProbe` comparisons per value, then reads its values as before).
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

    private var slots = BoundedHashSlots(initialCount: 64)
    private(set) var entries: [Entry] = []
    static let maxEntries = 1 << 15
    static var maxProbe: Int { BoundedHashSlots.maxProbe }

    /// How many distinct values are stored (tests).
    var storedCount: Int { entries.count }

    /// The entry holding these bytes of this type, if any, and their hash (for `store`).
    func find(type: UnsafeMutableRawPointer, start: Int, length: Int, in document: UnsafeBufferPointer<UInt8>)
        -> (index: Int?, hash: UInt64)
    {
        let hash = Self.hash(document, start: start, length: length, type: type)
        let index = slots.find(hash) { index in
            // Compared in place (a copy of the entry would retain its element).
            entries[index].type == type && entries[index].length == length
                && memcmp(document.baseAddress! + entries[index].start, document.baseAddress! + start, length) == 0
        }
        return (index, hash)
    }

    /// Records a value read without a warning (`element`: nil when only checked); `hash` from `find`.
    mutating func store(type: UnsafeMutableRawPointer, start: Int, length: Int, hash: UInt64, element: FHIRElement?) {
        guard entries.count < Self.maxEntries, slots.insert(hash, position: entries.count) else { return }
        entries.append(Entry(type: type, start: start, length: length, element: element, hash: hash))
        if slots.needsToGrow(count: entries.count) { slots.grow(count: entries.count) { entries[$0].hash } }
    }

    /// A value only checked before, now built.
    mutating func setElement(_ index: Int, _ element: FHIRElement) {
        entries[index].element = element
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
