import Foundation
import Terminology

/// Facts derived from other facts (GUIDELINE §1): pure functions over the case.
public enum Derivations {
    static func derive(_ facts: inout ClinicalCase, terminology: Terminology) {
        episode(&facts)
        outcomes(&facts)
        severity(&facts)
        redFlags(&facts)
        psychosocial(&facts)
        contraindications(&facts)
        medicationFailures(&facts)
        mme(&facts)
        optimizedTherapy(&facts)
    }

    /// Onset, presentation and duration of the back-pain episode; multisite neuropathic pain.
    static func episode(_ facts: inout ClinicalCase) {
        let back = facts.conditions.filter { !$0.phenotypes.isDisjoint(with: Phenotype.backPain) }
        let dated = back.compactMap { condition in (condition.onset ?? condition.recorded).map { ($0, condition.reference) } }.sorted { $0.0 < $1.0 }
        if let first = dated.first {
            facts.onset = first.0
            facts.onsetSources = [first.1]
        }
        if facts.presentation == nil, let first = back.compactMap({ c in c.recorded.map { ($0, c.reference) } }).min(by: { $0.0 < $1.0 }) {
            facts.presentation = first.0
            facts.presentationSources = [first.1]
        }
        if let start = facts.onset ?? facts.presentation {
            let weeks = ClinicalDate.weeks(from: start, to: facts.now)
            facts.durationWeeks = weeks
            facts.durationClass = weeks < 6 ? .acute : weeks < 12 ? .subacute : .chronic
        }
        let neuropathic = facts.conditions.filter { $0.phenotypes.contains(.neuropathic) || $0.phenotypes.contains(.radicular) }
        let distinctConditions = Set(neuropathic.map(\.codeKey)).count
        let distinctSites = Set(neuropathic.flatMap(\.bodySites)).count
        facts.multisiteNeuropathic = !back.isEmpty && facts.phenotypes[.neuropathic] != nil && (distinctConditions >= 2 || distinctSites >= 2)
    }

    /// Pain and ODI, baseline (first in the episode) and current (latest); improvement.
    static func outcomes(_ facts: inout ClinicalCase) {
        let start = facts.onset ?? .distantPast
        func inEpisode(_ m: ClinicalMeasurement) -> Bool { (m.date ?? facts.now) >= start.addingTimeInterval(-86400) && (m.date ?? facts.now) <= facts.now }
        facts.painScores = facts.painScores.filter(inEpisode).sorted { ($0.date ?? .distantPast) < ($1.date ?? .distantPast) }
        facts.odiScores = facts.odiScores.filter(inEpisode).sorted { ($0.date ?? .distantPast) < ($1.date ?? .distantPast) }
        if facts.painScores.count >= 2, let baseline = facts.painScores.first, let current = facts.painScores.last, baseline.value > 0,
           current.value <= 0.7 * baseline.value {
            facts.improved = true
            facts.improvementReason = "pain \(format(baseline.value)) → \(format(current.value)) (≥ 30 % reduction; \(baseline.reference) → \(current.reference))"
        } else if facts.odiScores.count >= 2, let baseline = facts.odiScores.first, let current = facts.odiScores.last, baseline.value - current.value >= 10 {
            facts.improved = true
            facts.improvementReason = "ODI \(format(baseline.value)) → \(format(current.value)) (≥ 10 points; \(baseline.reference) → \(current.reference))"
        }
    }

    /// Severe radicular pain: radicular and (severity severe, current NRS ≥ 7, or ODI ≥ 41).
    static func severity(_ facts: inout ClinicalCase) {
        guard facts.phenotypes[.radicular] != nil else { return }
        var reasons: [Reason] = []
        for condition in facts.conditions where condition.phenotypes.contains(.radicular) && condition.severe {
            reasons.append(Reason("\(condition.label) recorded as severe", [condition.reference]))
        }
        if let current = facts.painScores.last, current.value >= 7 {
            reasons.append(Reason("pain rated \(format(current.value))/10\(current.date.map { " on " + ClinicalDate.day($0) } ?? "")", [current.reference]))
        }
        if let odi = facts.odiScores.last, odi.value >= 41 {
            reasons.append(Reason("ODI \(format(odi.value)) % (severe disability)", [odi.reference]))
        }
        facts.severeRadicular = !reasons.isEmpty
        facts.severeRadicularReasons = reasons
    }

    static func redFlags(_ facts: inout ClinicalCase) {
        for deficit in facts.deficits {
            if deficit.caudaEquina, !(facts.redFlags[.caudaEquina] ?? []).contains(deficit.reference) {
                facts.redFlags[.caudaEquina, default: []].append(deficit.reference)
            }
            if deficit.progressive { facts.redFlags[.progressiveDeficit, default: []].append(deficit.reference) }
        }
        // Fever is a red flag only with back pain.
        if Phenotype.backPain.allSatisfy({ facts.phenotypes[$0] == nil }) { facts.redFlags[.fever] = nil }
    }

    static func psychosocial(_ facts: inout ClinicalCase) {
        if let startBack = facts.startBack, let distress = startBack.distress, distress >= 4 {
            facts.psychosocialFactors.append(Reason("STarT Back distress subscore \(distress) (≥ 4)", startBack.sources))
        }
    }

    static func contraindications(_ facts: inout ClinicalCase) {
        if let egfr = facts.latestEGFR {
            if egfr.value < 30 {
                for target in [Contraindicated.nsaid, .duloxetine] {
                    facts.contraindications[target, default: []].append(Reason("eGFR \(format(egfr.value)) (< 30)", [egfr.reference]))
                }
            }
            if egfr.value < 60 {
                facts.contraindications[.gabapentinoidRenalDose, default: []].append(Reason("eGFR \(format(egfr.value)) (< 60)", [egfr.reference]))
            }
        }
        if let age = facts.age, age >= 65 {
            facts.contraindications[.tca, default: []].append(Reason("age \(age) (≥ 65: prefer alternatives)"))
        }
        for medication in facts.medications where medication.state == .active {
            if !medication.classes.isDisjoint(with: [.snri, .tca]) {
                facts.contraindications[.tramadol, default: []].append(Reason("active \(medication.label) (serotonergic)", [medication.reference]))
            }
            if medication.classes.contains(.benzodiazepine) {
                facts.contraindications[.opioid, default: []].append(Reason("active benzodiazepine \(medication.label)", [medication.reference]))
            }
        }
    }

    /// Adequate daily doses (mg) of a trial, from GUIDELINE §2.3; below them a failure is not declared.
    public static let adequateDailyDose: [String: Double] = ["naproxen": 1000, "ibuprofen": 1800, "celecoxib": 200, "diclofenac": 100, "meloxicam": 7.5,
        "duloxetine": 60, "venlafaxine": 75, "gabapentin": 900, "pregabalin": 150, "amitriptyline": 25, "nortriptyline": 25,
        "acetaminophen": 2000, "tramadol": 100, "carbamazepine": 400, "oxcarbazepine": 600]

    /// Tried without improvement of pain for ≥ 4 weeks at an adequate dose (an unknown dose is taken as adequate).
    static func medicationFailures(_ facts: inout ClinicalCase) {
        guard !facts.painScores.isEmpty, !facts.improved else { return }
        for index in facts.medications.indices where facts.medications[index].failureReason == nil {
            let medication = facts.medications[index]
            guard (medication.weeksTaken ?? 0) >= 4, isAdequate(medication) else { continue }
            facts.medications[index].failureReason = "taken \(Int(medication.weeksTaken!)) weeks without improvement of pain"
        }
    }

    static func isAdequate(_ medication: MedicationFact) -> Bool {
        guard let dose = medication.dailyDoseMilligrams else { return true }
        let threshold = medication.ingredientNames.compactMap { adequateDailyDose[$0] }.first
        return threshold.map { dose >= $0 } ?? true
    }

    static func mme(_ facts: inout ClinicalCase) {
        for medication in facts.medications where medication.state == .active {
            if let mme = medication.mmePerDay, mme > 0 {
                facts.mmePerDay += mme
                facts.mmeSources.append(medication.reference)
            }
        }
        facts.mmePerDay = (facts.mmePerDay * 10).rounded() / 10
    }

    static let firstLineClasses: Set<MedicationClass> = [.nsaid, .acetaminophen, .snri, .tca, .gabapentinoid, .sodiumChannelAnticonvulsant, .topical]

    /// Weeks since both a first-line medicine and a non-pharmacological therapy were under way.
    static func optimizedTherapy(_ facts: inout ClinicalCase) {
        let medicineStart = facts.medications.filter { !$0.classes.isDisjoint(with: firstLineClasses) }.compactMap(\.start).min()
        let therapyStart = facts.therapies.filter { TherapyKind.nonPharmacological.contains($0.kind) }.compactMap(\.date).min()
        guard let medicineStart, let therapyStart else { return }
        facts.optimizedTherapyWeeks = max(0, ClinicalDate.weeks(from: max(medicineStart, therapyStart), to: facts.now))
    }
}
