/// The open-addressing table under `StringInterner` and `ElementMemo`: positions of their entries by hash. Each slot
/// is 0 (empty) or an entry's hash tag (the hash's high 32 bits) and position + 1, so that a probe compares tags in the
/// table itself, without a second, random read per slot. Linear probing; the owner doubles the table at half full.
///
/// Bounded: no search or insertion goes further than `maxProbe` slots. The owners' hashes are not keyed, so a
/// document could be written whose values all land in one run of the table; past the bound a value is not found and
/// not stored — its owner makes it as if the table did not exist — and every value costs at most `maxProbe`
/// comparisons, whatever the input. At half full a search looks at 2.5 slots on average: 32 is not reached by chance.
struct BoundedHashSlots {
    static let maxProbe = 32
    private var slots: [UInt64] = []
    /// The slot count made at the first insertion (a document may have nothing to store).
    private let initialCount: Int

    /// `initialCount`: a power of two.
    init(initialCount: Int) { self.initialCount = initialCount }

    /// The position of the first entry under `hash` that `matches`, within `maxProbe` slots.
    @inline(__always)
    func find(_ hash: UInt64, where matches: (Int) -> Bool) -> Int? {
        guard !slots.isEmpty else { return nil }
        let tag = hash & 0xFFFF_FFFF_0000_0000
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        for _ in 0..<Self.maxProbe {
            let stored = slots[slot]
            if stored == 0 { return nil }
            if stored & 0xFFFF_FFFF_0000_0000 == tag {
                let position = Int(truncatingIfNeeded: stored & 0xFFFF_FFFF) - 1
                if matches(position) { return position }
            }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Places a position under its hash; false when the run is longer than `maxProbe` (not stored). The owner then
    /// calls `grow` if `needsToGrow(count:)`.
    mutating func insert(_ hash: UInt64, position: Int) -> Bool {
        if slots.isEmpty { slots = [UInt64](repeating: 0, count: initialCount) }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        var probes = 0
        while slots[slot] != 0 {
            probes += 1
            if probes == Self.maxProbe { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(position + 1)
        return true
    }

    /// Past half full with `count` entries.
    func needsToGrow(count: Int) -> Bool { count * 2 > slots.count }

    /// Doubles the table, placing every entry again from its hash. (An entry that lands past `maxProbe` is still
    /// placed: searches stop early, so it is only not found — made again, never wrong.)
    mutating func grow(count: Int, hash: (Int) -> UInt64) {
        slots = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for position in 0..<count {
            let hash = hash(position)
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(position + 1)
        }
    }
}
