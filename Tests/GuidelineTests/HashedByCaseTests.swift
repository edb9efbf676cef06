import Case
import FHIR
import Guideline
import Terminology
import Testing

/// The enums that key the engine's dictionaries and sets are hashed and compared by case: their case
/// index must be their declaration index (what `HashedByCase` reads), and equal cases must hash alike
/// while distinct cases stay distinct.
@Suite("enums hashed by case")
struct HashedByCaseTests {
    func check<E: HashedByCase>(_: E.Type) {
        let cases = Array(E.allCases)
        for (index, value) in cases.enumerated() {
            #expect(value.caseIndex == index, "\(E.self).\(value)")
            #expect(value == value && value.hashValue == value.hashValue)
        }
        #expect(Set(cases).count == cases.count, "\(E.self): distinct cases stay distinct in a Set")
        #expect(cases.count <= 256)
    }

    @Test func everyConformingEnum() {
        check(RuleID.self)
        check(ValueSetID.self)
        check(MedicationClass.self)
        check(Phenotype.self)
        check(TherapyKind.self)
        check(RuleTag.self)
        check(SourceText.self)
        check(Contraindicated.self)
        check(RedFlag.self)
        check(ScopeExclusion.Kind.self)
    }

    @Test func aCaseIsNotHashedByItsRawString() {
        // The point of the conformance: a lookup mixes one integer, the case index, with the table's seed — not
        // the raw value's characters through a seeded SipHash.
        for value in RuleID.allCases {
            var mixed = UInt64(truncatingIfNeeded: value.caseIndex ^ 7) &* 0x9E37_79B9_7F4A_7C15
            mixed ^= mixed >> 29
            #expect(value._rawHashValue(seed: 7) == Int(truncatingIfNeeded: mixed))
        }
        #expect(RuleID(rawValue: "naloxone-offer") == .naloxoneOffer)
    }

    @Test func casesSpreadOverATablesBuckets() {
        // Set and Dictionary take the low bits of `_rawHashValue(seed:)`: distinct cases must hash apart, and
        // rarely share a bucket (84 rule ids in 256 buckets: about 72 distinct buckets expected at random).
        for seed in [0, 1, 0x5BD1_E995, -1] {
            let hashes = RuleID.allCases.map { $0._rawHashValue(seed: seed) }
            #expect(Set(hashes).count == hashes.count)
            #expect(Set(hashes.map { $0 & 255 }).count >= RuleID.allCases.count * 3 / 4, "seed \(seed)")
        }
        var verdicts: [RuleID: Int] = [:]
        for (index, id) in RuleID.allCases.enumerated() { verdicts[id] = index }
        #expect(RuleID.allCases.enumerated().allSatisfy { verdicts[$0.element] == $0.offset })
    }
}
