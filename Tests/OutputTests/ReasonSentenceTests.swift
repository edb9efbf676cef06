import Case
import FHIR
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

    @Test func elementsBuiltPropertyByPropertyKeepCanonicalOrder() {
        // The first property goes in without a definition lookup; later ones still find their place.
        var coding = FHIRElement(type: "Coding")
        coding.set("display", .string("Low back pain"))
        coding.set("system", .uri("http://snomed.info/sct"))
        coding.set("code", .code("279039007"))
        #expect(coding.properties.map(\.name) == ["system", "code", "display"])
    }
}
