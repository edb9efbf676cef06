import Case
import Foundation
import Guideline
import PainPathTestKit
import Testing

/// The situation of each source text, end to end through the case and the rules: what the text
/// says must happen fires, and what it rules out does not.
@Suite("scenarios of the source texts")
struct ScenarioTests {
    func fired(_ scenario: Scenario) throws -> Set<String> { try scenario.fixture().fired() }

    @Test func multisiteNeuropathicPainWithBackPain000() throws {
        let result = try Scenarios.multisiteNeuropathic.fixture().evaluate()
        let fired = Set(result.firedRuleIds.map(\.rawValue))
        // Multimodal: an anticonvulsant and an SNRI (duloxetine, as back pain coexists), a topical for
        // the peripheral sites, physical and psychological therapy; simple analgesics alone are flagged.
        for id in [
            "start-gabapentinoid", "start-snri-or-tca", "topical-agent", "exercise-therapy",
            "cognitive-behavioural-therapy",
            "analgesic-monotherapy-neuropathic", "patient-education",
        ] {
            #expect(fired.contains(id), "\(id) should fire")
        }
        // No SCS before a first-line neuropathic medicine has failed; no opioid.
        for id in ["spinal-cord-stimulation-trial", "opioid-trial-last-resort", "start-tramadol"] {
            #expect(!fired.contains(id), "\(id) should not fire")
        }
        // start-snri-or-tca and start-duloxetine propose the same drug: one recommendation listing both.
        let duloxetine = try #require(result.recommendations.first { $0.proposal.key == .medicine("duloxetine") })
        #expect(Set(duloxetine.ruleIds) == ["start-snri-or-tca", "start-duloxetine"])
        #expect(try Scenarios.multisiteNeuropathic.fixture().facts().multisiteNeuropathic)
    }

    @Test func chronicLowBackPainRefractory002() throws {
        let fired = try fired(Scenarios.chronicRefractory)
        for id in [
            "start-duloxetine", "exercise-therapy", "multidisciplinary-rehabilitation", "cognitive-behavioural-therapy",
            "refer-multidisciplinary-pain", "functional-goals", "reassess-pain-and-function",
        ] {
            #expect(fired.contains(id), "\(id) should fire")
        }
        // Opioids only after NSAIDs and duloxetine or tramadol failed; tramadol only after duloxetine.
        for id in ["opioid-trial-last-resort", "start-tramadol", "start-gabapentinoid"] {
            #expect(!fired.contains(id), "\(id) should not fire")
        }
    }

    @Test func conservativeManagementFailed003() throws {
        let result = try Scenarios.conservativeFailed.fixture().evaluate()
        let fired = Set(result.firedRuleIds.map(\.rawValue))
        for id in [
            "epidural-steroid-injection", "refer-specialist-routine", "start-gabapentinoid",
            "cognitive-behavioural-therapy", "mri-lumbar-spine",
        ] {
            #expect(fired.contains(id), "\(id) should fire")
        }
        // Exercise therapy was done: not proposed again.
        #expect(!fired.contains("exercise-therapy") && !fired.contains("refer-physiotherapy"))
        let injection = try #require(result.recommendations.first { $0.ruleIds.contains("epidural-steroid-injection") })
        #expect(injection.proposal.detail.lowercased().contains("fluoroscop"))
    }

    @Test func radicularPainWithCompressionFracture004() throws {
        let result = try Scenarios.radicularCompressionFracture.fixture().evaluate()
        let fired = Set(result.firedRuleIds.map(\.rawValue))
        // At once: injection and augmentation; urgent specialist referral for severe radicular pain.
        for id in [
            "epidural-steroid-injection", "vertebral-augmentation", "refer-specialist-urgent", "mri-lumbar-spine",
        ] {
            #expect(fired.contains(id), "\(id) should fire")
        }
        let referral = try #require(result.recommendations.first { $0.ruleIds.contains("refer-specialist-urgent") })
        #expect(referral.proposal.priority == .urgent)
        #expect(referral.proposal.dueBy.map(ClinicalDate.day) == "2026-10-16")  // presentation 2026-10-02 + 14 days
        #expect(fired.contains("referral-overdue"))
    }

    @Test func severeRadicularPainWithProgressiveDeficit() throws {
        let result = try Scenarios.progressiveDeficit.fixture().evaluate()
        let fired = Set(result.firedRuleIds.map(\.rawValue))
        for id in ["refer-surgical-urgent", "refer-specialist-urgent", "mri-lumbar-spine"] {
            #expect(fired.contains(id), "\(id) should fire")
        }
        let surgical = try #require(result.recommendations.first { $0.ruleIds.contains("refer-surgical-urgent") })
        #expect(surgical.proposal.priority == .asap)
        let facts = try Scenarios.progressiveDeficit.fixture().facts()
        #expect(facts.deficits.contains { $0.progressive })
        #expect(facts.redFlags[.progressiveDeficit] != nil)
    }

    @Test func opioidWithBenzodiazepine() throws {
        let result = try Scenarios.opioidBenzodiazepine.fixture().evaluate()
        let fired = Set(result.firedRuleIds.map(\.rawValue))
        for id in [
            "opioid-benzodiazepine", "benzodiazepine-for-pain", "opioid-first-line", "opioid-risk-assessment",
            "opioid-without-functional-gain",
        ] {
            #expect(fired.contains(id), "\(id) should fire")
        }
        let benzodiazepine = try #require(result.warnings.first { $0.ruleId == "benzodiazepine-for-pain" })
        #expect(benzodiazepine.warning.severity == .high)  // high with an opioid
        #expect(result.warnings.first { $0.ruleId == "opioid-benzodiazepine" }?.warning.severity == .high)
        // No further opioid, and nothing that adds sedation.
        #expect(!fired.contains("opioid-trial-last-resort") && !fired.contains("start-tramadol"))
    }
}
