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

@Suite("a reference's resource type")
struct ReferenceTypeTests {
    @Test("the first non-empty part before a slash, as splitting the reference gives it")
    func resourceTypeOfReferences() {
        let references = [
            "Condition/c1", "Observation/o-1.2", "/Condition/c1", "//Encounter//e", "Condition", "", "/", "//",
            "MedicationRequest/order-197591-2026-12-15", "Patient/", "a/b/c",
        ]
        for reference in references {
            #expect(
                resourceType(reference) == String(reference.split(separator: "/").first ?? ""), "\(reference)")
        }
        #expect(resourceType("Condition/c1") == "Condition")
        #expect(resourceType("/Condition/c1") == "Condition")
        #expect(resourceType("//") == "")
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
