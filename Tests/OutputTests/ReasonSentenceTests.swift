import Case
import Guideline
import PainPathTestKit
import Testing

@testable import Output

/// The "Why:" sentence of notes, issues and the narrative: each reason once, in order, with its sources.
@Suite("the reasons sentence")
struct ReasonSentenceTests {
    @Test func eachReasonIsSaidOnceInOrderWithItsSources() {
        let reasons = [
            Reason("chronic low back pain", ["Condition/c1"]), Reason("no red flags"),
            Reason("chronic low back pain", ["Condition/c1"]), Reason("ODI 42", ["Observation/o1", "Observation/o2"]),
            Reason("no red flags"), Reason("chronic low back pain", ["Condition/c2"]),
        ]
        #expect(
            OutputContext.describe(reasons)
                == "chronic low back pain (Condition/c1); no red flags; ODI 42 (Observation/o1, Observation/o2); "
                + "chronic low back pain (Condition/c2)")
        #expect(OutputContext.describe([]) == "")
    }
}

@Suite("a literal reference's resource type")
struct ReferenceTypeTests {
    @Test("`Type/id`: a capitalised type of letters, a slash, an R4 id of 1 to 64 letters, digits, `-` and `.`")
    func literalReferences() {
        let literal = [
            "Condition/c1", "Observation/o-1.2", "MedicationRequest/order-197591-2026-12-15", "P/1",
            "Patient/" + String(repeating: "a", count: 64), "DocumentReference/A.b-C",
        ]
        let other = [
            "", "/", "Condition", "Condition/", "/Condition/c1", "condition/c1", "Condition1/c1", "Con dition/c1",
            "Patient/" + String(repeating: "a", count: 65), "Patient/a/b", "Patient/a b", "Patient/é", "Pätient/a",
            "urn:uuid:0f6c4a38-8c1f-4c1a-9d2e-3f1a2b3c4d5e", "#contained", "http://example.org/fhir/Patient/1",
        ]
        for reference in literal { #expect(isLiteralReference(reference), "\(reference)") }
        for reference in other { #expect(!isLiteralReference(reference), "\(reference)") }
    }

    @Test("`Type/id` is to `Type`: the whole part before the slash, and an id after it")
    func literalReferencesByType() {
        #expect(isLiteralReference("Condition/c1", to: "Condition"))
        #expect(isLiteralReference("MedicationRequest/order-197591-2026-12-15", to: "MedicationRequest"))
        #expect(!isLiteralReference("Condition/c1", to: "Observation"))
        #expect(!isLiteralReference("ConditionX/c1", to: "Condition"))
        #expect(!isLiteralReference("Medication/m1", to: "MedicationRequest"))
        #expect(!isLiteralReference("Condition", to: "Condition"))
        #expect(!isLiteralReference("", to: "Condition"))
    }
}

/// A request's `reasonReference` and `supportingInfo`: the reasons of allowed types (led by the pain conditions when
/// no Condition is among them), every other source supporting — the same split for a few sources and for hundreds.
@Suite("reasons and supporting information of a request")
struct ReasonSplitTests {
    func context(conditions: Int) throws -> (OutputContext, [String]) {
        var fixture = CaseFixture()
        let references = (0..<conditions).map { _ in fixture.condition(sct, lowBackPain, onset: chronicOnset) }
        let facts = try fixture.facts()
        let context = OutputContext(
            facts: facts, result: GuidelineEngine().evaluate(facts), now: "2026-11-21T09:00:00Z",
            canonicals: Canonicals(), ids: DeterministicIds(inputSHA256: "0", now: "now", profilesDigest: "0"),
            node: nil)
        return (context, references)
    }

    @Test(arguments: [3, 40])
    func sourcesAreSplitByType(conditions: Int) throws {
        let (context, pain) = try context(conditions: conditions)
        #expect(Set(context.painConditions) == Set(pain))
        let reasons = [
            Reason("ODI 42", ["Observation/o1", "Observation/o2"]), Reason("a visit", ["Encounter/e1"]),
            Reason("again", ["Observation/o1", "Encounter/e1", "not a reference"]),
        ]
        let split = context.reasonSplit(reasons, allowed: ["Condition", "Observation"])
        #expect(split.reasons.compactMap(\.reference) == context.painConditions + ["Observation/o1", "Observation/o2"])
        #expect(split.supporting.compactMap(\.reference) == ["Encounter/e1"])
        // A Condition among the reasons leads alone; the pain conditions are then neither reasons nor supporting.
        let named = context.reasonSplit([Reason("pain", [pain[0], "Encounter/e1"])], allowed: ["Condition"])
        #expect(named.reasons.compactMap(\.reference) == [pain[0]])
        #expect(named.supporting.compactMap(\.reference) == ["Encounter/e1"])
    }
}
