import Case
import Foundation
import Guideline
import PainPathTestKit
import Testing

/// The explanation of §4: for these rules the test checks what the clinician reads — each reason's
/// words and the resources it cites — not only whether the rule fired. Fixtures are evaluated at
/// their timestamp, 2026-11-21T09:00Z.
@Suite("§4 the explanation: reasons and their sources")
struct ExplanationTests {
    struct Line: Equatable, CustomStringConvertible {
        let text: String
        let sources: [String]
        init(_ text: String, _ sources: [String] = []) {
            self.text = text
            self.sources = sources
        }
        var description: String { "\(text) \(sources)" }
    }

    /// The reasons of one rule's verdict, with their sources, in order.
    func reasons(_ id: RuleID, _ fixture: CaseFixture, fired: Bool = true) throws -> [Line] {
        let facts = try fixture.facts()
        let outcome = try #require(GuidelineEngine().outcomes(facts)[id])
        #expect(outcome.fired == fired, "\(id.rawValue) fired: \(outcome.fired)")
        return outcome.reasons.map { Line($0.text, $0.sources) }
    }

    @Test func patientEducationCitesTheBackPainCondition() throws {
        #expect(try reasons("patient-education", chronicBack()) == [Line("back-pain episode", ["Condition/cond-1"])])
    }

    @Test func startBackScreenSaysHowLongAndWhy() throws {
        // Onset 2026-05-01: 204 days before now.
        #expect(
            try reasons("startback-screen", chronicBack()) == [
                Line("204 days since onset", ["Condition/cond-1"]), Line("primary care"), Line("no STarT Back result"),
            ])
    }

    @Test func urgentReferralNamesTheSeverityAndTheDueDate() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, sciatica, onset: "2026-11-01", severe: true)
        fixture.observation(loinc, "72514-3", value: 8, date: "2026-11-20")
        #expect(
            try reasons("refer-specialist-urgent", fixture) == [
                Line("severe radicular pain"), Line("\(sciatica) recorded as severe", ["Condition/cond-1"]),
                Line("pain rated 8/10 on 2026-11-20", ["Observation/obs-2"]),
                Line("presentation 2026-11-01; due by 2026-11-15", ["Condition/cond-1"]),
            ])
    }

    @Test func quietRuleSaysWhy() throws {
        #expect(
            try reasons("refer-specialist-urgent", chronicBack(), fired: false) == [
                Line("no severe radicular pain and no neurological deficit")
            ])
    }

    @Test func highDoseGivesTheFigureAndTheOpioid() throws {
        // Oxycodone 10 mg four times a day × 1.5 = 60 MME/day.
        let fixture = chronicBack { $0.medication("1049717", start: "2026-09-01", doseMg: 10, perDay: 4) }
        #expect(
            try reasons("opioid-high-dose", fixture) == [
                Line("60 MME/day (CDC 2022 factors)", ["MedicationRequest/med-2"])
            ])
    }

    @Test func opioidWithBenzodiazepineCitesBoth() throws {
        let fixture = chronicBack {
            $0.medication("1049717", start: "2026-09-01")
            $0.medication("197591", start: "2026-09-01")
        }
        #expect(
            try reasons("opioid-benzodiazepine", fixture) == [
                Line("opioid and benzodiazepine both active", ["MedicationRequest/med-2", "MedicationRequest/med-3"])
            ])
    }

    @Test func contraindicatedNSAIDNamesTheKidneyFunction() throws {
        let fixture = chronicBack {
            $0.medication("5640", start: "2026-10-01")
            $0.observation(loinc, "98979-8", value: 24, date: "2026-11-01")
        }
        #expect(
            try reasons("nsaid-contraindicated", fixture) == [
                Line("active NSAID: 5640", ["MedicationRequest/med-2"]), Line("eGFR 24 (< 30)", ["Observation/obs-3"]),
            ])
    }

    @Test func substanceUseDisorderIsReadFromTheCondition() throws {
        let fixture = chronicBack {
            $0.condition(sct, "75544000", onset: "2020-01-01")
            $0.medication("1049717", start: "2026-10-01")
        }
        #expect(
            try reasons("opioid-with-substance-use-disorder", fixture) == [
                Line("substance or opioid use disorder (75544000)", ["Condition/cond-2"]),
                Line("active opioid: 1049717", ["MedicationRequest/med-3"]),
            ])
    }

    @Test func psychosocialFactorsAreListed() throws {
        let fixture = chronicBack {
            $0.condition(sct, "35489007", onset: "2025-01-01")
            $0.observation(loinc, "70274-6", value: 12, date: "2026-11-01")
        }
        #expect(
            try reasons("psychosocial-factors-unaddressed", fixture) == [
                Line("depression: 35489007", ["Condition/cond-2"]), Line("GAD-7 12 (≥ 10)", ["Observation/obs-3"]),
                Line("no psychological therapy"),
            ])
    }

    @Test func duloxetineIsPreferredWithBackPainAndSaysSo() throws {
        let fixture = chronicBack { $0.condition(sct, neuropathicPain, onset: chronicOnset) }
        #expect(
            try reasons("start-snri-or-tca", fixture) == [
                Line("neuropathic component (multimodal with the anticonvulsant)", ["Condition/cond-2"]),
                Line("duloxetine preferred: back pain coexists"),
            ])
    }

    @Test func caudaEquinaIsAnEmergency() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, lowBackPain, onset: "2026-11-10")
        fixture.condition(sct, "192970008", onset: "2026-11-20")
        #expect(try reasons("refer-surgical-urgent", fixture) == [Line("cauda equina syndrome", ["Condition/cond-2"])])
    }

    @Test func monitoringNamesTheMedicineRulesThatFired() throws {
        // Chronic low back pain, nothing tried: the NSAID is the only medicine proposed.
        #expect(
            try reasons("reassess-pain-and-function", chronicBack()) == [
                Line("medicine proposed or changed: optimize-nsaid")
            ])
    }

    @Test func drugPassedOverForAContraindicationSaysWhich() throws {
        // eGFR 24: naproxen and ibuprofen are contraindicated, so no NSAID is proposed, with the reason.
        let fixture = chronicBack { $0.observation(loinc, "98979-8", value: 24, date: "2026-11-01") }
        #expect(
            try reasons("optimize-nsaid", fixture, fired: false) == [
                Line("NSAID contraindicated: eGFR 24 (< 30)", ["Observation/obs-2"])
            ])
    }

    /// The duration's reason is made with the case, from the onset and the stage, and rules cite it as made.
    @Test func theDurationIsCitedWithItsStageWeeksAndOnset() throws {
        var fixture = CaseFixture()
        let condition = fixture.condition(sct, lowBackPain, onset: chronicOnset)
        let facts = try fixture.facts()
        #expect(facts.durationReason.text == "chronic: 29 weeks since onset 2026-05-01")
        #expect(facts.durationReason.sources == [condition])
        let result = GuidelineEngine().evaluate(facts)
        let cited = result.recommendations.flatMap(\.reasons).filter { $0.text.hasPrefix("chronic: ") }
        #expect(!cited.isEmpty && cited.allSatisfy { $0 == facts.durationReason })

        var acute = CaseFixture()
        _ = acute.condition(sct, lowBackPain, onset: "2026-11-07")
        #expect(try acute.facts().durationReason.text == "acute: 2 weeks since onset 2026-11-07")
        let none = try CaseFixture().facts()
        #expect(none.durationReason.text == "duration unknown (no onset or recorded date)")
        #expect(none.durationReason.sources.isEmpty)
    }
}
