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
    @inline(__always) public var caseIndex: Int {
        assert(MemoryLayout<Self>.size == 1, "HashedByCase needs a payload-free enum of at most 256 cases")
        return withUnsafeBytes(of: self) { Int($0[0]) }
    }

    @inline(__always) public static func == (lhs: Self, rhs: Self) -> Bool { lhs.caseIndex == rhs.caseIndex }
    @inline(__always) public func hash(into hasher: inout Hasher) { hasher.combine(caseIndex) }
}
