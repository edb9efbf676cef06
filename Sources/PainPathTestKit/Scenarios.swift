import Foundation

/// The situations of the five source texts (and two more the engine issue names), as fixtures:
/// shared by the scenario tests of the engine and the output tests. Dates are relative to the
/// fixture timestamp 2026-11-21.
public struct Scenario: Sendable {
    public let name: String
    public let source: String
    public let summary: String
    public let fixture: @Sendable () -> CaseFixture
}

public enum Scenarios {
    static let lowBackPain = "279039007", sciatica = "23056005", neuropathicPain = "247398009",
        postherpeticNeuralgia = "2177002"
    static let icd = "http://hl7.org/fhir/sid/icd-10-cm"

    /// 000: neuropathic pain at several sites (PHN, diabetic neuropathy) with chronic back pain,
    /// treated with acetaminophen and ibuprofen only, seen three times in primary care.
    public static let multisiteNeuropathic = Scenario(
        name: "multisite-neuropathic-back-pain", source: "000",
        summary:
            "PHN and diabetic neuropathy with chronic low back pain, on simple analgesics only, three primary-care visits"
    ) {
        var f = CaseFixture()
        let back = f.condition(sct, lowBackPain, onset: "2026-04-01")
        f.condition(sct, postherpeticNeuralgia, onset: "2026-03-01", bodySite: "43799004")
        f.condition(icd, "E11.42", onset: "2025-06-01")
        for date in ["2026-06-02", "2026-08-04", "2026-10-06"] { f.encounter(on: date, reason: back) }
        f.medication("161", start: "2026-04-10", doseMg: 1000, perDay: 3, statement: true)
        f.medication("5640", start: "2026-05-01", doseMg: 400, perDay: 3, statement: true)
        f.pain(7, on: "2026-06-02")
        f.pain(7, on: "2026-10-06")
        return f
    }

    /// 002: chronic low back pain, naproxen at full dose and acetaminophen without effect.
    public static let chronicRefractory = Scenario(
        name: "chronic-low-back-pain-refractory", source: "002",
        summary: "Chronic low back pain; naproxen and acetaminophen ineffective; ODI 44"
    ) {
        var f = CaseFixture()
        f.condition(sct, lowBackPain, onset: "2026-03-01")
        f.medication(
            "7258", status: "stopped", start: "2026-05-01", end: "2026-07-15", doseMg: 500, perDay: 2,
            reason: "no relief")
        f.medication(
            "161", status: "stopped", start: "2026-03-15", end: "2026-05-01", doseMg: 1000, perDay: 3,
            reason: "ineffective")
        f.pain(7, on: "2026-05-01")
        f.pain(7, on: "2026-11-01")
        f.odi(44, on: "2026-11-01")
        return f
    }

    /// 003: conservative management failed: sciatica for 5 months, physiotherapy done, NSAID failed.
    public static let conservativeFailed = Scenario(
        name: "conservative-management-failed", source: "003",
        summary: "Sciatica for five months; physiotherapy completed; ibuprofen ineffective"
    ) {
        var f = CaseFixture()
        f.condition(sct, sciatica, onset: "2026-06-15")
        f.procedure(sct, "229065009", on: "2026-07-20", text: "Exercise therapy")
        f.medication(
            "5640", status: "stopped", start: "2026-06-20", end: "2026-09-01", doseMg: 600, perDay: 3,
            reason: "no relief")
        f.pain(6, on: "2026-07-01")
        f.pain(6, on: "2026-11-10")
        f.odi(32, on: "2026-11-10")
        return f
    }

    /// 004: persistent radicular pain from a lumbar compression fracture.
    public static let radicularCompressionFracture = Scenario(
        name: "radicular-compression-fracture", source: "004",
        summary: "Radicular pain from a lumbar compression fracture, pain 8/10"
    ) {
        var f = CaseFixture()
        let fracture = f.condition(sct, "42942008", onset: "2026-10-01")
        f.condition(sct, sciatica, onset: "2026-10-01")
        f.encounter(on: "2026-10-02", reason: fracture)
        f.pain(8, on: "2026-10-02")
        f.pain(8, on: "2026-11-18")
        return f
    }

    /// Severe radicular pain with a worsening foot drop.
    public static let progressiveDeficit = Scenario(
        name: "severe-radicular-progressive-deficit", source: "000, 002, 004",
        summary: "Sciatica rated 9/10 with foot drop worsening between two examinations"
    ) {
        var f = CaseFixture()
        let radicular = f.condition(sct, sciatica, onset: "2026-11-01")
        f.encounter(on: "2026-11-02", reason: radicular)
        f.pain(9, on: "2026-11-02")
        f.observation(sct, "6077001", value: 4, date: "2026-11-05")
        f.observation(sct, "6077001", value: 2, date: "2026-11-19")
        return f
    }

    /// An opioid and a benzodiazepine together, without a trial of first-line treatment.
    public static let opioidBenzodiazepine = Scenario(
        name: "opioid-and-benzodiazepine", source: "000, 002",
        summary: "Chronic low back pain on oxycodone and diazepam, nothing else tried"
    ) {
        var f = CaseFixture()
        f.condition(sct, lowBackPain, onset: "2026-02-01")
        f.medication("7804", start: "2026-08-01", doseMg: 10, perDay: 3)
        f.medication("3322", start: "2026-09-01", doseMg: 5, perDay: 2)
        f.pain(6, on: "2026-08-01")
        f.pain(6, on: "2026-11-15")
        return f
    }

    public static let all = [
        multisiteNeuropathic, chronicRefractory, conservativeFailed, radicularCompressionFracture,
        progressiveDeficit, opioidBenzodiazepine,
    ]
}
