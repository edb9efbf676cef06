/// A String-backed enum hashes and compares its raw string by default (the standard library's
/// `RawRepresentable` implementations). Enums that key the engine's dictionaries and sets — rule ids,
/// value-set ids, medication classes, phenotypes — conform to this instead and are hashed and compared
/// by case: one integer, not a string, per lookup. Their raw values stay the output contract.
///
/// Only for enums without payloads and with at most 256 cases, which Swift stores as their declaration
/// index in one byte (`caseIndex` reads it; tests check it against `allCases` for every conforming type).
public protocol HashedByCase: RawRepresentable, Hashable, CaseIterable {}

extension HashedByCase {
    /// The case's declaration index.
    @inlinable @inline(__always) public var caseIndex: Int {
        assert(MemoryLayout<Self>.size == 1, "HashedByCase needs a payload-free enum of at most 256 cases")
        return withUnsafeBytes(of: self) { Int($0[0]) }
    }

    @inlinable @inline(__always) public static func == (lhs: Self, rhs: Self) -> Bool { lhs.caseIndex == rhs.caseIndex }
    @inlinable @inline(__always) public func hash(into hasher: inout Hasher) { hasher.combine(caseIndex) }

    /// What `Set` and `Dictionary` ask for: the case index mixed with the table's seed by one multiply
    /// (a Fibonacci hash, its high bits folded into the low ones the table reads), instead of a
    /// SipHash `Hasher` seeded and finalized per lookup. A key is one of at most 256 known cases, never
    /// chosen by input, so the seeded hasher's defence against crafted collisions buys nothing here;
    /// the case sets and dictionaries of the engine are read on every rule and every concept.
    @inlinable @inline(__always) public func _rawHashValue(seed: Int) -> Int {
        fibonacciHash(UInt64(truncatingIfNeeded: caseIndex), seed: seed)
    }
}

/// A key mixed with a table's seed by one multiply, its high bits folded into the low ones a table reads: the hash of
/// keys never chosen by the input (a case index, an address from the allocator), where the seeded SipHash `Hasher`
/// defends against nothing and costs most of a lookup.
@inlinable @inline(__always) public func fibonacciHash(_ key: UInt64, seed: Int) -> Int {
    var mixed = (key ^ UInt64(truncatingIfNeeded: seed)) &* 0x9E37_79B9_7F4A_7C15
    mixed ^= mixed >> 29
    return Int(truncatingIfNeeded: mixed)
}
