import Case
import Foundation
import Guideline
import PainPathTestKit
import Testing

@testable import Output

/// The narrative's parts written the quick way give what their plain definitions give.
@Suite("the narrative's parts")
struct NarrativePartsTests {
    /// The plain definition: Characters and Unicode's case.
    private func plainLowercasedTitle(_ title: String) -> String {
        guard let first = title.first, title.count > 1, !title.dropFirst().first!.isUppercase else { return title }
        return first.lowercased() + title.dropFirst()
    }

    @Test func titlesAreLowercasedUnlessAnAcronym() {
        let titles = [
            "Yoga or tai chi", "TENS", "Acupuncture", "Ab", "A", "", "aB", "3D imaging", "Élan", "ÉLAN", "Øvelse",
            "\r\nX", "Mindfulness-based stress reduction", "X-ray", "Massage",
        ]
        for title in titles {
            #expect(CarePlanNarrative.lowercasedTitle(title) == plainLowercasedTitle(title), "\(title)")
        }
        #expect(CarePlanNarrative.lowercasedTitle("Yoga or tai chi") == "yoga or tai chi")
        #expect(CarePlanNarrative.lowercasedTitle("TENS") == "TENS")
    }

    /// Ranked as every item written, sorted and cut to three: warnings and then recommendations in the result's
    /// order within one urgency, the due date with each recommendation that has one.
    @Test(arguments: Scenarios.all.map(\.name))
    func theMostUrgentItemsAreTheFirstThreeOfAllRanked(_ name: String) throws {
        let scenario = try #require(Scenarios.all.first { $0.name == name })
        let facts = try scenario.fixture().facts()
        let result = GuidelineEngine().evaluate(facts)
        let narrative = CarePlanNarrative(
            facts: facts, result: result, now: "2026-11-21T09:00:00Z", summary: "", whyOfRecommendations: [],
            whyOfWarnings: [])
        var items: [(Int, Int, String)] = []
        for (offset, detected) in result.warnings.enumerated() {
            items.append((CarePlanNarrative.urgency(detected.warning.severity), offset, detected.warning.detail))
        }
        for (offset, recommendation) in result.recommendations.enumerated()
        where !CarePlanNarrative.isOption(recommendation) {
            let due = recommendation.proposal.dueBy.map { " (by \(ClinicalDate.day(max($0, facts.now))))" } ?? ""
            items.append(
                (
                    CarePlanNarrative.urgency(recommendation.proposal.priority), 1000 + offset,
                    recommendation.proposal.title + due
                ))
        }
        let expected = items.sorted { ($0.0, -$0.1) > ($1.0, -$1.1) }.prefix(3).map(\.2)
        #expect(narrative.mostUrgent == expected)
    }

    @Test func someScenarioHasADueDateAmongTheMostUrgent() throws {
        let facts = try Scenarios.progressiveDeficit.fixture().facts()
        let result = GuidelineEngine().evaluate(facts)
        let narrative = CarePlanNarrative(
            facts: facts, result: result, now: "", summary: "", whyOfRecommendations: [], whyOfWarnings: [])
        #expect(narrative.mostUrgent.count == 3)
        #expect(narrative.mostUrgent.contains { $0.contains(" (by ") }, "\(narrative.mostUrgent)")
    }
}
