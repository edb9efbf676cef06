import Case
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
