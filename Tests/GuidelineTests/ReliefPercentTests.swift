import FHIR
import PainPathTestKit
import Testing

@testable import Case

/// A block's outcome is positive at 50 % relief or more (GUIDELINE: medial branch block); the percentage is read from
/// the outcome's or note's free text, lowercased as the procedure reader reads it.
@Suite("relief percentages in free text")
struct ReliefPercentTests {
    let context = Context(
        terminology: repositoryTerminology,
        resolver: BundleResolver(bundle: FHIRElement(type: "Bundle", properties: [])))

    @Test(arguments: [
        ("fluoroscopic; 80% relief", 80.0),
        ("relief of 62.5 % after the block", 62.5),
        ("pain reduction 30%, then 70  % at two hours", 70),
        ("½ dose; improvement 55%", 55),
        ("relief: 100%", 100),
        ("80% relief at first, 40 % at a week", 80),
    ])
    func theLargestPercentageOfATextOnReliefIsRead(text: String, percent: Double) {
        #expect(context.reliefPercent(text) == percent, "\(text)")
    }

    @Test(arguments: [
        "80% of the needles placed",  // no word of relief
        "relief reported",  // no percentage
        "relief 80 mg",  // a number that is not a percentage
        "relief ٨٠ %",  // digits that Double does not read
        "relief . %",  // a point without digits
    ])
    func noPercentageWithoutBothAWordOfReliefAndANumberBeforeAPercentSign(text: String) {
        #expect(context.reliefPercent(text) == nil, "\(text)")
    }
}
