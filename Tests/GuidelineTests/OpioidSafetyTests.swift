import Case
import Foundation
import Guideline
import PainPathTestKit
import Testing

/// §2.7 Opioid safety: a firing case and a near miss per rule, and the CDC guideline's scope.
@Suite("§2.7 opioid safety")
struct OpioidSafetyTests {
    /// Oxycodone 10 mg × `perDay` (1.5 MME/mg), ordered with a year's supply from `start`.
    static func oxycodone(_ fixture: inout CaseFixture, start: String = "2026-05-01", perDay: Double = 3) {
        fixture.order(
            "1049683", authored: start, dosage: dosage(mg(10), timing: every(perDay, per: 1, "d")),
            dispense: ["expectedSupplyDuration": ["value": 365, "unit": "days", "code": "d"]])
    }

    @Test func naloxoneIsOfferedWithARisk() throws {
        // 90 MME/day: a risk.
        let high = chronicBack { Self.oxycodone(&$0, perDay: 6) }
        let offer = try #require(try high.evaluate().recommendations.first { $0.ruleIds.contains("naloxone-offer") })
        #expect(offer.proposal.codes.map(\.code) == ["1725059"] && offer.kind == .medicationRequest)
        // Sleep-disordered breathing, and a benzodiazepine, are risks too.
        #expect(
            try chronicBack {
                Self.oxycodone(&$0)
                $0.condition(icd, "G47.33", onset: "2020-01-01")
            }.fired().contains("naloxone-offer"))
        #expect(
            try chronicBack {
                Self.oxycodone(&$0)
                $0.order("197591", authored: "2026-11-01")
            }.fired().contains("naloxone-offer"))
        // Near misses: 45 MME/day and no other risk; naloxone already current; no opioid at all.
        #expect(try !chronicBack { Self.oxycodone(&$0) }.fired().contains("naloxone-offer"))
        #expect(try !high.with { $0.order("1725059", authored: "2026-10-01") }.fired().contains("naloxone-offer"))
        #expect(
            try !chronicBack { $0.condition(icd, "G47.33", onset: "2020-01-01") }.fired().contains("naloxone-offer"))
    }

    @Test func theNaloxoneInBuprenorphineTabletsDoesNotCount() throws {
        // Suboxone film (buprenorphine/naloxone) with an opioid at 90 MME/day: naloxone is still offered.
        let fixture = chronicBack {
            Self.oxycodone(&$0, perDay: 6)
            $0.order("1010603", authored: "2026-11-01")
        }
        #expect(try fixture.facts().naloxoneCurrent.isEmpty)
        #expect(try fixture.fired().contains("naloxone-offer"))
    }

    @Test func pdmpReviewEvery90Days() throws {
        let fixture = chronicBack { Self.oxycodone(&$0) }
        #expect(try fixture.fired().contains("pdmp-review"))
        let reviewed = fixture.with { $0.procedure(sct, "461621000124108", on: "2026-10-01") }
        #expect(try !reviewed.fired().contains("pdmp-review"))
        let longAgo = fixture.with { $0.procedure(sct, "461621000124108", on: "2026-05-01") }
        #expect(try longAgo.fired().contains("pdmp-review"))
    }

    @Test func urineDrugTestingForLongTermOpioids() throws {
        let long = chronicBack { Self.oxycodone(&$0, start: "2026-05-01") }  // 29 weeks
        #expect(try long.fired().contains("urine-drug-testing"))
        let screened = long.with { $0.observation(loinc, "19296-3", date: "2026-08-01") }
        #expect(try !screened.fired().contains("urine-drug-testing"))
        let short = chronicBack { Self.oxycodone(&$0, start: "2026-10-15") }
        #expect(try !short.fired().contains("urine-drug-testing"))
    }

    @Test func treatmentAgreementForLongTermOpioids() throws {
        let long = chronicBack { Self.oxycodone(&$0) }
        #expect(try long.fired().contains("opioid-treatment-agreement"))
        let planned = long.with {
            $0.add([
                "resourceType": "DocumentReference", "id": "plan", "status": "current",
                "subject": ["reference": "Patient/p1"], "type": CaseFixture.concept(loinc, "80764-4"),
                "date": "2026-06-01T10:00:00Z", "content": [["attachment": ["contentType": "text/plain"]]],
            ])
        }
        #expect(try !planned.fired().contains("opioid-treatment-agreement"))
    }

    @Test func medicationForOpioidUseDisorderIsOffered() throws {
        let oud = chronicBack { $0.condition(icd, "F11.20", onset: "2025-01-01") }
        let offer = try #require(try oud.evaluate().recommendations.first { $0.ruleIds.contains("moud-offer") })
        #expect(offer.proposal.codes.map(\.code) == ["1819"])
        #expect(try !oud.with { $0.order("351265", authored: "2026-11-01") }.fired().contains("moud-offer"))
        #expect(try !chronicBack().fired().contains("moud-offer"))
    }

    @Test(arguments: [
        ("active cancer", icd, "C50.911"), ("sickle cell disease", icd, "D57.1"),
        ("hospice, palliative or end-of-life care", icd, "Z51.5"),
    ])
    func outOfScopeSilencesTheOpioidRulesButNotTheSafetyOnes(_ exclusion: (String, String, String)) throws {
        // 180 MME/day of extended-release oxycodone for 29 weeks, no first-line treatment, a benzodiazepine.
        let fixture = chronicBack {
            $0.condition(exclusion.1, exclusion.2, onset: "2025-01-01")
            $0.order(
                "1049593", authored: "2026-05-01", dosage: dosage(mg(60), timing: code("BID")),
                dispense: ["expectedSupplyDuration": ["value": 365, "unit": "days", "code": "d"]])
            $0.order("197591", authored: "2026-11-01")
            $0.pain(7, on: "2026-05-01")
            $0.pain(7, on: "2026-11-10")
        }
        let result = try fixture.evaluate()
        let fired = Set(result.firedRuleIds.map(\.rawValue))
        for silenced in [
            "opioid-first-line", "opioid-extended-release-start", "opioid-high-dose", "opioid-without-functional-gain",
            "urine-drug-testing", "opioid-treatment-agreement", "ineffective-medication-continued",
        ] {
            #expect(!fired.contains(silenced), "\(exclusion.0): \(silenced)")
        }
        for stillApplies in ["opioid-benzodiazepine", "naloxone-offer"] {
            #expect(fired.contains(stillApplies), "\(exclusion.0): \(stillApplies)")
        }
        let high = try #require(result.explanation.first { $0.rule == "opioid-high-dose" })
        #expect(high.reasons == ["out of the CDC opioid guideline's scope: \(exclusion.0)"])
        // In scope, the same record gets the warnings.
        var inScope = chronicBack()
        inScope.order(
            "1049593", authored: "2026-05-01", dosage: dosage(mg(60), timing: code("BID")),
            dispense: ["expectedSupplyDuration": ["value": 365, "unit": "days", "code": "d"]])
        #expect(try inScope.fired().isSuperset(of: ["opioid-high-dose", "opioid-extended-release-start"]))
    }

    @Test func theOpioidTrialIsSilencedOutOfScope() throws {
        var fixture = chronicBack {
            $0.medication("197806", status: "stopped", start: "2026-06-01", end: "2026-08-01", reason: "ineffective")
            $0.medication("835603", status: "stopped", start: "2026-08-01", end: "2026-10-01", reason: "ineffective")
            $0.procedure(sct, "229065009", on: "2026-07-01")
            $0.procedure(sct, "44868003", on: "2026-08-01")
        }
        #expect(try fixture.fired().contains("opioid-trial-last-resort"))
        fixture.condition(icd, "C50.911", onset: "2025-01-01")
        #expect(try !fixture.fired().contains("opioid-trial-last-resort"))
    }
}

/// An opioid being ordered (a draft MedicationRequest, as a CDS Hooks order-sign request sends it) is
/// "proposed" for §2.7, and counts in the naloxone MME risk, but is no use of the medicine.
@Suite("an opioid being ordered")
struct OpioidBeingOrderedTests {
    func draft(_ fixture: inout CaseFixture, perDay: Double) {
        fixture.add([
            "resourceType": "MedicationRequest", "id": "signing", "status": "draft", "intent": "order",
            "subject": ["reference": "Patient/p1"], "authoredOn": "2026-11-21",
            "medicationCodeableConcept": CaseFixture.concept(rxnorm, "1049683"),
            "dosageInstruction": [dosage(mg(10), timing: every(perDay, per: 1, "d"))],
        ])
    }

    @Test func aDraftOpioidAskedWithABenzodiazepineGetsNaloxoneAndAPDMPReview() throws {
        var fixture = chronicBack { $0.order("197591", authored: "2026-11-01") }
        draft(&fixture, perDay: 2)
        let facts = try fixture.facts()
        #expect(facts.proposedOpioids.count == 1 && facts.medications.allSatisfy { !$0.classes.contains(.opioid) })
        let fired = try fixture.fired()
        #expect(fired.contains("naloxone-offer") && fired.contains("pdmp-review"))
        #expect(!fired.contains("opioid-benzodiazepine"), "both active: the draft is not active")
    }

    @Test func itsDoseCountsInTheNaloxoneRisk() throws {
        var high = chronicBack()
        draft(&high, perDay: 4)  // 40 mg × 1.5 = 60 MME/day
        #expect(try high.fired().contains("naloxone-offer"))
        var low = chronicBack()
        draft(&low, perDay: 2)  // 30 MME/day, no other risk
        #expect(try !low.fired().contains("naloxone-offer"))
        #expect(try low.fired().contains("pdmp-review"))
    }

    @Test func aSubstanceUseDisorderWarnsWhenAnOpioidIsOrdered() throws {
        var fixture = chronicBack { $0.condition(sct, "66590003", onset: "2020-01-01") }
        draft(&fixture, perDay: 2)
        #expect(try fixture.fired().contains("opioid-with-substance-use-disorder"))
    }
}
