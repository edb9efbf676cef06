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
    }

    @Test func aCaseIsNotHashedByItsRawString() {
        // The point of the conformance: a lookup hashes one integer, not the raw value's characters.
        var byCase = Hasher()
        byCase.combine(RuleID.naloxoneOffer.caseIndex)
        #expect(RuleID.naloxoneOffer.hashValue == byCase.finalize())
        #expect(RuleID(rawValue: "naloxone-offer") == .naloxoneOffer)
    }
}
