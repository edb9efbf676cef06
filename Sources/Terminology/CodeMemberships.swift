import FHIR

/// Which value sets and medication classes hold a code, and whether the terminology knows it at all.
///
/// Readers test the same coding against a dozen value sets; asking each set's index costs several hash
/// lookups per set. The membership of every listed code is computed once at load, so a coding costs one
/// lookup whatever the number of sets asked about.
public struct ValueSetMembership: Sendable, Equatable {
    // Usable from inlinable code: the readers ask `contains` of every concept they read, and a call across the module
    // boundary cost more than the test.
    @usableFromInline var valueSetBits: (low: UInt64, high: UInt64) = (0, 0)
    @usableFromInline var classBits: UInt16 = 0
    /// Some value set, the product map or a local map knows the code (the unmatched-code report).
    public internal(set) var isKnown = false

    public static let none = ValueSetMembership()

    /// A membership holding exactly these sets (to ask "in any of them?" with one test).
    public init(_ ids: [ValueSetID]) {
        for id in ids { insert(id) }
    }

    init() {}

    /// Whether any set of `other` is also here.
    @inlinable
    public func intersects(_ other: ValueSetMembership) -> Bool {
        valueSetBits.low & other.valueSetBits.low != 0 || valueSetBits.high & other.valueSetBits.high != 0
            || classBits & other.classBits != 0
    }

    @inlinable
    public func contains(_ id: ValueSetID) -> Bool {
        let (low, high) = Self.bits(id)
        return valueSetBits.low & low != 0 || valueSetBits.high & high != 0
    }

    @inlinable
    public func contains(_ medicationClass: MedicationClass) -> Bool { classBits & Self.bit(medicationClass) != 0 }

    /// A set's bit: its case index among the 128 bits (`CodeMembershipsTests` checks that all cases fit).
    @inlinable
    static func bits(_ id: ValueSetID) -> (low: UInt64, high: UInt64) {
        let index = id.caseIndex
        return index < 64 ? (1 << UInt64(index), 0) : (0, 1 << UInt64(index - 64))
    }

    @inlinable
    static func bit(_ medicationClass: MedicationClass) -> UInt16 { 1 << UInt16(medicationClass.caseIndex) }

    mutating func insert(_ id: ValueSetID) {
        let (low, high) = Self.bits(id)
        valueSetBits.low |= low
        valueSetBits.high |= high
    }

    mutating func insert(_ medicationClass: MedicationClass) { classBits |= Self.bit(medicationClass) }

    mutating func remove(_ id: ValueSetID) {
        let (low, high) = Self.bits(id)
        valueSetBits.low &= ~low
        valueSetBits.high &= ~high
    }

    mutating func remove(_ medicationClass: MedicationClass) { classBits &= ~Self.bit(medicationClass) }

    public mutating func formUnion(_ other: ValueSetMembership) {
        valueSetBits.low |= other.valueSetBits.low
        valueSetBits.high |= other.valueSetBits.high
        classBits |= other.classBits
        isKnown = isKnown || other.isKnown
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.valueSetBits == rhs.valueSetBits && lhs.classBits == rhs.classBits && lhs.isKnown == rhs.isKnown
    }
}

/// The membership of every code a value set lists (exactly), every product and ingredient code of the
/// product map and every local alias; codes met only through an ICD-10-CM `is-a` prefix are tested
/// against the few sets that have prefixes for their system.
struct CodeMemberships: Sendable {
    private let table: [CodeKey: ValueSetMembership]
    /// System → the value sets (and classes) with prefixes or exclusions in that system.
    private let prefixedSets: [String: [(Member, ValueSetIndex)]]
    private let knownPrefixes: [String: Set<String>]

    enum Member: Sendable {
        case valueSet(ValueSetID)
        case medicationClass(MedicationClass)
    }

    init(
        valueSets: [ValueSetID: ValueSetIndex], classes: [MedicationClass: ValueSetIndex], knownCodes: Set<CodeKey>,
        knownPrefixes: [String: Set<String>], productCodes: some Sequence<String>,
        aliases: [CodeKey: [CodeKey]]
    ) {
        let members: [(Member, ValueSetIndex)] =
            valueSets.map { (Member.valueSet($0.key), $0.value) } + classes.map { (.medicationClass($0.key), $0.value) }
        var table: [CodeKey: ValueSetMembership] = [:]
        table.reserveCapacity(knownCodes.count)
        // Exact members first (exclusions are applied below, with the prefixes).
        for (member, index) in members {
            for key in index.codes { table[key, default: .none].insert(member) }
        }
        for key in knownCodes { table[key, default: .none].isKnown = true }
        for code in productCodes { table[CodeKey(CodeSystems.rxnorm, code), default: .none].isKnown = true }
        // Sets whose membership is not just their code list: recompute their bit for every listed code of
        // the systems they filter.
        var prefixedSets: [String: [(Member, ValueSetIndex)]] = [:]
        for (member, index) in members {
            let systems = Set(index.prefixes.keys).union(index.excludedPrefixes.keys).union(
                index.excludedCodes.map(\.system))
            for system in systems { prefixedSets[system, default: []].append((member, index)) }
        }
        for key in Array(table.keys) {
            guard let sets = prefixedSets[key.system] else { continue }
            var membership = table[key]!
            for (member, index) in sets {
                membership.remove(member)
                if index.contains(key) { membership.insert(member) }
            }
            if ValueSetIndex.matchesPrefix(key, knownPrefixes) { membership.isKnown = true }
            table[key] = membership
        }
        // A local code stands for its own membership and its targets'.
        var withAliases = table
        for (local, targets) in aliases {
            var membership = Self.lookup(local, table, prefixedSets, knownPrefixes)
            for target in targets { membership.formUnion(Self.lookup(target, table, prefixedSets, knownPrefixes)) }
            withAliases[local] = membership
        }
        self.table = withAliases
        self.prefixedSets = prefixedSets
        self.knownPrefixes = knownPrefixes
    }

    /// The membership of a normalized code.
    func membership(_ key: CodeKey) -> ValueSetMembership { Self.lookup(key, table, prefixedSets, knownPrefixes) }

    private static func lookup(
        _ key: CodeKey, _ table: [CodeKey: ValueSetMembership], _ prefixedSets: [String: [(Member, ValueSetIndex)]],
        _ knownPrefixes: [String: Set<String>]
    ) -> ValueSetMembership {
        if let found = table[key] { return found }
        // The few systems with prefixed sets compared first: a code of another system — most codes of a record the
        // table does not list, LOINC's labs and vital signs — is passed without hashing its system again.
        guard prefixedSets.keys.contains(where: { $0 == key.system }), let sets = prefixedSets[key.system] else {
            return .none
        }
        var membership = ValueSetMembership.none
        for (member, index) in sets where index.contains(key) { membership.insert(member) }
        if ValueSetIndex.matchesPrefix(key, knownPrefixes) { membership.isKnown = true }
        return membership
    }
}

extension ValueSetMembership {
    mutating func insert(_ member: CodeMemberships.Member) {
        switch member {
        case .valueSet(let id): insert(id)
        case .medicationClass(let medicationClass): insert(medicationClass)
        }
    }

    mutating func remove(_ member: CodeMemberships.Member) {
        switch member {
        case .valueSet(let id): remove(id)
        case .medicationClass(let medicationClass): remove(medicationClass)
        }
    }
}
