import Case
import Foundation
import Guideline
import PainPathTestKit
import Terminology
import Testing

// Dates relative to the fixture's timestamp 2026-11-21.
@Suite("§2.1 stratification and self-management")
struct StratificationRuleTests {
    @Test func patientEducation() throws {
        #expect(try chronicBack().fired().contains("patient-education"))
        var none = CaseFixture()
        none.condition(sct, "35489007", onset: chronicOnset)  // depression only
        #expect(try !none.fired().contains("patient-education"))
    }

    @Test func startBackScreen() throws {
        #expect(try chronicBack().fired().contains("startback-screen"))
        #expect(try !chronicBack { $0.startBack("low", on: "2026-11-01") }.fired().contains("startback-screen"))
        var acute = CaseFixture()
        acute.condition(sct, lowBackPain, onset: "2026-11-15")
        #expect(try !acute.fired().contains("startback-screen"))
    }

    @Test func selfManagementAndPhysiotherapyByRisk() throws {
        let low = try chronicBack { $0.startBack("low", on: "2026-11-01") }.fired()
        #expect(low.contains("self-management") && !low.contains("refer-physiotherapy-biopsychosocial"))
        let medium = try CaseFixture().with {
            $0.condition(sct, lowBackPain, onset: acuteOnset)
            $0.startBack("medium", on: "2026-11-20")
        }.fired()
        #expect(medium.contains("refer-physiotherapy") && !medium.contains("self-management"))
        let high = try chronicBack { $0.startBack("high", on: "2026-11-01") }.fired()
        #expect(high.contains("refer-physiotherapy-biopsychosocial"))
        // Physiotherapy already requested: not proposed again.
        let requested = try chronicBack { $0.request(sct, "308447003", on: "2026-10-01") }.fired()
        #expect(!requested.contains("refer-physiotherapy"))
    }
}

@Suite("§2.2 referral timing")
struct ReferralRuleTests {
    @Test func urgentSpecialistForSevereRadicularPain() throws {
        var fixture = CaseFixture()
        let sciaticaRef = fixture.condition(sct, sciatica, onset: "2026-11-01")
        fixture.encounter(on: "2026-11-03", reason: sciaticaRef)
        fixture.pain(8, on: "2026-11-03")
        let result = try fixture.evaluate()
        #expect(result.firedRuleIds.contains("refer-specialist-urgent"))
        let referral = try #require(result.recommendations.first { $0.ruleIds.contains("refer-specialist-urgent") })
        #expect(referral.proposal.priority == .urgent)
        #expect(referral.proposal.dueBy.map(ClinicalDate.day) == "2026-11-17")
        // Near miss: mild radicular pain.
        var mild = CaseFixture()
        mild.condition(sct, sciatica, onset: "2026-11-01")
        mild.pain(4, on: "2026-11-03")
        #expect(try !mild.fired().contains("refer-specialist-urgent"))
    }

    @Test func surgicalUrgentForProgressiveDeficitAndCaudaEquina() throws {
        var progressive = CaseFixture()
        progressive.condition(sct, sciatica, onset: "2026-10-20")
        progressive.observation(sct, "6077001", value: 4, date: "2026-11-01")
        progressive.observation(sct, "6077001", value: 2, date: "2026-11-15")
        let result = try progressive.evaluate()
        #expect(
            result.firedRuleIds.contains("refer-surgical-urgent")
                && result.firedRuleIds.contains("refer-specialist-urgent"))
        #expect(
            result.recommendations.first { $0.ruleIds.contains("refer-surgical-urgent") }?.proposal.priority == .asap)
        var cauda = CaseFixture()
        cauda.condition(sct, lowBackPain, onset: "2026-11-10")
        cauda.condition(sct, "192970008", onset: "2026-11-20")
        #expect(
            try cauda.evaluate().recommendations.first { $0.ruleIds.contains("refer-surgical-urgent") }?.proposal
                .priority == .stat)
        var stable = CaseFixture()
        stable.condition(sct, sciatica, onset: "2026-10-20")
        stable.condition(sct, "6077001", onset: "2026-11-01")
        let stableFired = try stable.fired()
        #expect(!stableFired.contains("refer-surgical-urgent") && stableFired.contains("refer-specialist-urgent"))
    }

    @Test func routineSpecialistAfterSixWeeks() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, sciatica, onset: "2026-09-01")
        fixture.pain(5, on: "2026-09-02")
        fixture.pain(5, on: "2026-11-15")
        let result = try fixture.evaluate()
        #expect(result.firedRuleIds.contains("refer-specialist-routine"))
        #expect(
            result.recommendations.first { $0.ruleIds.contains("refer-specialist-routine") }?.proposal.dueBy.map(
                ClinicalDate.day) == "2026-12-01")
        var improved = fixture
        improved.pain(2, on: "2026-11-20")
        #expect(try !improved.fired().contains("refer-specialist-routine"))
    }

    @Test func multidisciplinaryPainAndSpecialistAssessment() throws {
        #expect(try chronicBack { $0.odi(48, on: "2026-11-01") }.fired().contains("refer-multidisciplinary-pain"))
        #expect(try !chronicBack { $0.odi(30, on: "2026-11-01") }.fired().contains("refer-multidisciplinary-pain"))
        let specialist = try chronicBack { $0.encounter(on: "2026-11-20", specialist: true) }.fired()
        #expect(
            specialist.contains("specialist-biopsychosocial-assessment") && !specialist.contains("startback-screen"))
        #expect(try !chronicBack().fired().contains("specialist-biopsychosocial-assessment"))
    }
}

@Suite("§2.3 medicines")
struct MedicineRuleTests {
    @Test func gabapentinoidThenPregabalinWhenGabapentinFailed() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, sciatica, onset: chronicOnset)
        let first = try fixture.evaluate()
        #expect(
            first.recommendations.first { $0.ruleIds.contains("start-gabapentinoid") }?.proposal.ingredient
                == "gabapentin")
        fixture.medication("25480", status: "stopped", start: "2026-06-01", end: "2026-08-01", reason: "ineffective")
        #expect(
            try fixture.evaluate().recommendations.first { $0.ruleIds.contains("start-gabapentinoid") }?.proposal
                .ingredient == "pregabalin")
        #expect(try !chronicBack().fired().contains("start-gabapentinoid"))
    }

    @Test func sodiumChannelWhenGabapentinoidsFailed() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, neuropathicPain, onset: chronicOnset)
        #expect(try !fixture.fired().contains("start-sodium-channel-anticonvulsant"))
        fixture.medication("25480", status: "stopped", start: "2026-06-01", end: "2026-07-15", reason: "not tolerated")
        fixture.medication("187832", status: "stopped", start: "2026-07-20", end: "2026-09-01", reason: "no relief")
        let fired = try fixture.fired()
        #expect(fired.contains("start-sodium-channel-anticonvulsant") && !fired.contains("start-gabapentinoid"))
    }

    @Test func snriOrTcaChoice() throws {
        var back = CaseFixture()
        back.condition(sct, neuropathicPain, onset: chronicOnset)
        back.condition(sct, lowBackPain, onset: chronicOnset)
        let withBack = try back.evaluate()
        let choice = withBack.recommendations.first { $0.ruleIds.contains("start-snri-or-tca") }
        #expect(choice?.proposal.ingredient == "duloxetine")
        var neuropathicOnly = CaseFixture()
        neuropathicOnly.condition(sct, postherpeticNeuralgia, onset: chronicOnset)
        #expect(
            try neuropathicOnly.evaluate().recommendations.first { $0.ruleIds.contains("start-snri-or-tca") }?.proposal
                .ingredient == "nortriptyline")
        #expect(try !chronicBack().fired().contains("start-snri-or-tca"))
    }

    @Test func duloxetineAfterInitialMedicinesAndMergedWithSNRIRule() throws {
        let fixture = chronicBack {
            $0.medication("7258", start: "2026-07-01", doseMg: 500, perDay: 2)
            $0.pain(7, on: "2026-07-01")
            $0.pain(7, on: "2026-11-15")
            $0.condition(sct, neuropathicPain, onset: chronicOnset)
        }
        let result = try fixture.evaluate()
        #expect(result.firedRuleIds.contains("start-duloxetine"))
        let duloxetine = result.recommendations.filter { $0.proposal.ingredient == "duloxetine" }
        #expect(duloxetine.count == 1 && Set(duloxetine[0].ruleIds) == ["start-snri-or-tca", "start-duloxetine"])
        #expect(try !chronicBack().fired().contains("start-duloxetine"))
    }

    @Test func titrateDuloxetine() throws {
        let fixture = chronicBack {
            $0.medication("72625", start: "2026-11-01", doseMg: 30, perDay: 1)
            $0.pain(6, on: "2026-11-01")
        }
        #expect(try fixture.fired().contains("titrate-duloxetine"))
        let full = chronicBack { $0.medication("72625", start: "2026-11-01", doseMg: 60, perDay: 1) }
        #expect(try !full.fired().contains("titrate-duloxetine"))
    }

    @Test func optimizeNSAID() throws {
        #expect(
            try chronicBack().evaluate().recommendations.first { $0.ruleIds.contains("optimize-nsaid") }?.proposal
                .ingredient == "naproxen")
        #expect(
            try chronicBack { $0.medication("5640", start: "2026-10-01", doseMg: 200, perDay: 2) }.fired().contains(
                "optimize-nsaid"))
        #expect(
            try !chronicBack { $0.medication("5640", start: "2026-10-01", doseMg: 600, perDay: 3) }.fired().contains(
                "optimize-nsaid"))
        #expect(
            try !chronicBack { $0.condition(sct, "433146000", onset: "2020-01-01") }.fired().contains("optimize-nsaid"))
    }

    @Test func topicalAgent() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, postherpeticNeuralgia, onset: chronicOnset)
        #expect(try fixture.fired().contains("topical-agent"))
        var central = CaseFixture()
        central.condition(sct, "90584004", onset: chronicOnset)
        #expect(try !central.fired().contains("topical-agent"))
    }

    @Test func tramadolAfterDuloxetineAndNSAIDFailed() throws {
        let failed = chronicBack {
            $0.medication("7258", status: "stopped", start: "2026-06-01", end: "2026-07-15", reason: "no relief")
            $0.medication(
                "72625", status: "stopped", start: "2026-07-20", end: "2026-09-15", reason: "intolerance: nausea")
        }
        #expect(try failed.fired().contains("start-tramadol"))
        let seizures = failed.with { $0.condition(sct, "84757009", onset: "2010-01-01") }
        #expect(try !seizures.fired().contains("start-tramadol"))
    }

    @Test func opioidTrialAndRiskAssessment() throws {
        let exhausted = chronicBack {
            $0.medication("7258", status: "stopped", start: "2026-06-01", end: "2026-07-15", reason: "no relief")
            $0.medication("10689", status: "stopped", start: "2026-07-20", end: "2026-09-15", reason: "ineffective")
            $0.procedure(sct, "229065009", on: "2026-07-01")
            $0.procedure(cptSystem, "97810", on: "2026-08-01")
        }
        let fired = try exhausted.fired()
        #expect(fired.contains("opioid-trial-last-resort") && fired.contains("opioid-risk-assessment"))
        let oneTherapy = chronicBack {
            $0.medication("7258", status: "stopped", start: "2026-06-01", end: "2026-07-15", reason: "no relief")
            $0.medication("10689", status: "stopped", start: "2026-07-20", end: "2026-09-15", reason: "ineffective")
            $0.procedure(sct, "229065009", on: "2026-07-01")
        }
        let partly = try oneTherapy.fired()
        #expect(!partly.contains("opioid-trial-last-resort") && !partly.contains("opioid-risk-assessment"))
        #expect(
            try chronicBack { $0.medication("1049717", start: "2026-10-01", doseMg: 10, perDay: 2) }.fired().contains(
                "opioid-risk-assessment"))
    }

    @Test func muscleRelaxantForAcutePainOnly() throws {
        var acute = CaseFixture()
        acute.condition(sct, lowBackPain, onset: acuteOnset)
        #expect(try acute.fired().contains("muscle-relaxant-short-course"))
        #expect(try !chronicBack().fired().contains("muscle-relaxant-short-course"))
    }
}

let cptSystem = "http://www.ama-assn.org/go/cpt"

@Suite("§2.4 non-pharmacological therapy")
struct NonPharmacologicalRuleTests {
    @Test func chronicBackPainOptions() throws {
        let fired = try chronicBack().fired()
        for id in [
            "exercise-therapy", "cognitive-behavioural-therapy", "acupuncture", "mindfulness-stress-reduction",
            "yoga-or-tai-chi",
            "spinal-manipulation", "massage", "progressive-relaxation", "tens", "functional-goals",
        ] {
            #expect(fired.contains(id), "\(id) should fire for chronic back pain")
        }
        var acute = CaseFixture()
        acute.condition(sct, lowBackPain, onset: acuteOnset)
        let acuteFired = try acute.fired()
        for id in [
            "exercise-therapy", "acupuncture", "mindfulness-stress-reduction", "yoga-or-tai-chi", "spinal-manipulation",
            "massage",
            "progressive-relaxation", "tens", "functional-goals", "cognitive-behavioural-therapy",
        ] {
            #expect(!acuteFired.contains(id), "\(id) should not fire for acute back pain")
        }
        #expect(try !chronicBack { $0.procedure(sct, "44868003", on: "2026-09-01") }.fired().contains("acupuncture"))
    }

    @Test func multidisciplinaryRehabilitationByDisability() throws {
        #expect(try chronicBack { $0.odi(30, on: "2026-11-01") }.fired().contains("multidisciplinary-rehabilitation"))
        #expect(try !chronicBack { $0.odi(12, on: "2026-11-01") }.fired().contains("multidisciplinary-rehabilitation"))
    }

    @Test func cbtForPsychosocialFactorsInAcutePain() throws {
        var acute = CaseFixture()
        acute.condition(sct, lowBackPain, onset: acuteOnset)
        acute.observation(loinc, "44261-6", value: 14, date: "2026-11-20")
        let fired = try acute.fired()
        #expect(fired.contains("cognitive-behavioural-therapy") && fired.contains("psychosocial-factors-unaddressed"))
    }
}

@Suite("§2.5 interventional and surgical")
struct InterventionalRuleTests {
    @Test func epiduralAfterSixWeeksOrAtOnceWithFracture() throws {
        var persisting = CaseFixture()
        persisting.condition(sct, sciatica, onset: "2026-09-01")
        #expect(try persisting.fired().contains("epidural-steroid-injection"))
        var early = CaseFixture()
        early.condition(sct, sciatica, onset: "2026-11-01")
        #expect(try !early.fired().contains("epidural-steroid-injection"))
        var fracture = early
        fracture.condition(sct, "42942008", onset: "2026-11-01")
        let fired = try fracture.fired()
        #expect(fired.contains("epidural-steroid-injection") && fired.contains("vertebral-augmentation"))
        let three = persisting.with {
            for date in ["2026-09-20", "2026-10-10", "2026-11-01"] { $0.procedure(cptSystem, "64483", on: date) }
        }
        #expect(try !three.fired().contains("epidural-steroid-injection"))
    }

    @Test func spinalCordStimulationTrial() throws {
        var fbss = CaseFixture()
        fbss.condition(sct, "27151001", onset: chronicOnset)
        fbss.medication("25480", status: "stopped", start: "2026-06-01", end: "2026-08-01", reason: "ineffective")
        #expect(try fbss.fired().contains("spinal-cord-stimulation-trial"))
        // An implant requested without a trial: the trial is still proposed (and the implant flagged).
        let implantRequested = try fbss.with { $0.request(cptSystem, "63685", on: "2026-11-01") }.fired()
        #expect(
            implantRequested.contains("spinal-cord-stimulation-trial")
                && implantRequested.contains("scs-implant-without-trial"))
        #expect(
            try !fbss.with { $0.procedure(cptSystem, "63650", on: "2026-10-01") }.fired().contains(
                "spinal-cord-stimulation-trial"))
        var untreated = CaseFixture()
        untreated.condition(sct, "27151001", onset: chronicOnset)
        #expect(try !untreated.fired().contains("spinal-cord-stimulation-trial"))
    }

    @Test func radiofrequencyAfterPositiveMedialBranchBlock() throws {
        #expect(
            try chronicBack { $0.procedure(cptSystem, "64493", on: "2026-10-01", note: "fluoroscopic; 80% relief") }
                .fired().contains("radiofrequency-denervation"))
        #expect(
            try !chronicBack { $0.procedure(cptSystem, "64493", on: "2026-10-01", note: "fluoroscopic; 20% relief") }
                .fired().contains("radiofrequency-denervation"))
    }

    @Test func sacroiliacRadiofrequency() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, "202487003", onset: chronicOnset)
        #expect(try !fixture.fired().contains("sacroiliac-radiofrequency"))
        fixture.procedure(loinc, "35927-3", on: "2026-09-01", outcome: "385671000")
        #expect(try fixture.fired().contains("sacroiliac-radiofrequency"))
    }

    @Test func surgicalConsultationAndMRI() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, sciatica, onset: "2026-09-01")
        fixture.mriReport(
            on: "2026-10-01", conclusion: "L5-S1 disc extrusion with nerve root compression of the left S1 root.")
        let fired = try fixture.fired()
        #expect(fired.contains("surgical-consultation") && !fired.contains("mri-lumbar-spine"))
        var noMRI = CaseFixture()
        noMRI.condition(sct, sciatica, onset: "2026-09-01")
        let noMRIFired = try noMRI.fired()
        #expect(noMRIFired.contains("mri-lumbar-spine") && !noMRIFired.contains("surgical-consultation"))
        var early = CaseFixture()
        early.condition(sct, sciatica, onset: "2026-11-10")
        early.pain(4, on: "2026-11-10")
        #expect(try !early.fired().contains("mri-lumbar-spine"))
    }
}

@Suite("§2.6 monitoring")
struct MonitoringRuleTests {
    @Test func reassessAndMonitorWhenMedicinesProposed() throws {
        let fired = try chronicBack().fired()
        #expect(
            fired.contains("reassess-pain-and-function") && fired.contains("medication-monitoring-plan")
                && fired.contains("baseline-outcome-measures"))
        var depressionOnly = CaseFixture()
        depressionOnly.condition(sct, "35489007", onset: chronicOnset)
        let none = try depressionOnly.fired()
        #expect(
            !none.contains("reassess-pain-and-function") && !none.contains("medication-monitoring-plan")
                && !none.contains("baseline-outcome-measures"))
        #expect(
            try !chronicBack {
                $0.pain(5, on: "2026-11-01")
                $0.odi(30, on: "2026-11-01")
            }.fired().contains("baseline-outcome-measures"))
    }
}
