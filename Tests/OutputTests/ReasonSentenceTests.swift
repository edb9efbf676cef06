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
