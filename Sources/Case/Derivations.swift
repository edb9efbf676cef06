import Foundation
import Terminology

/// Facts derived from other facts (GUIDELINE §1): pure functions over the case.
public enum Derivations {
    static func derive(_ facts: inout ClinicalCase) {
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
        let dated = back.compactMap { condition in
            (condition.onset ?? condition.recorded).map { ($0, condition.reference) }
        }.sorted { $0.0 < $1.0 }
        if let first = dated.first { facts.onset = Sourced(first.0, [first.1]) }
        if facts.presentation == nil,
            let first = back.compactMap({ c in c.recorded.map { ($0, c.reference) } }).min(by: { $0.0 < $1.0 })
        {
            facts.presentation = Sourced(first.0, [first.1])
        }
        if let start = facts.onset?.value ?? facts.presentation?.value {
            facts.duration = EpisodeDuration(weeks: ClinicalDate.weeks(from: start, to: facts.now))
        }
        facts.durationReason = EpisodeDuration.reason(facts.duration, onset: facts.onset)
        let neuropathic = facts.conditions.filter {
            $0.phenotypes.contains(.neuropathic) || $0.phenotypes.contains(.radicular)
        }
        let distinctConditions = Set(neuropathic.map(\.codeKey)).count
        let distinctSites = Set(neuropathic.flatMap(\.bodySites)).count
        facts.multisiteNeuropathic =
            !back.isEmpty && facts.phenotypes[.neuropathic] != nil && (distinctConditions >= 2 || distinctSites >= 2)
    }

    /// Pain and ODI, baseline (first in the episode) and current (latest); improvement.
    static func outcomes(_ facts: inout ClinicalCase) {
        let start = facts.onset?.value ?? .distantPast
        func inEpisode(_ m: ClinicalMeasurement) -> Bool {
            (m.date ?? facts.now) >= start.addingTimeInterval(-86400) && (m.date ?? facts.now) <= facts.now
        }
        facts.painScores = facts.painScores.filter(inEpisode).sorted {
            ($0.date ?? .distantPast) < ($1.date ?? .distantPast)
        }
        facts.odiScores = facts.odiScores.filter(inEpisode).sorted {
            ($0.date ?? .distantPast) < ($1.date ?? .distantPast)
        }
        if facts.painScores.count >= 2, let baseline = facts.painScores.first, let current = facts.painScores.last,
            baseline.value > 0, current.value <= 0.7 * baseline.value
        {
            facts.improvement = Improvement(measure: .pain, baseline: baseline, current: current)
        } else if facts.odiScores.count >= 2, let baseline = facts.odiScores.first, let current = facts.odiScores.last,
            baseline.value - current.value >= 10
        {
            facts.improvement = Improvement(measure: .odi, baseline: baseline, current: current)
        }
    }

    /// Severe radicular pain: radicular and (severity severe, current NRS ≥ 7, or ODI ≥ 41).
    static func severity(_ facts: inout ClinicalCase) {
        guard facts.phenotypes[.radicular] != nil else { return }
        var evidence: [SevereRadicularEvidence] = []
        for condition in facts.conditions where condition.phenotypes.contains(.radicular) && condition.severe {
            evidence.append(.conditionSevere(label: condition.label, reference: condition.reference))
        }
        if let current = facts.painScores.last, current.value >= 7 { evidence.append(.painScore(current)) }
        if let odi = facts.odiScores.last, odi.value >= 41 { evidence.append(.disability(odi)) }
        facts.severeRadicular = evidence
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
            facts.psychosocialFactors.append(PsychosocialFactor(.startBackDistress(distress), startBack.sources))
        }
    }

    static func contraindications(_ facts: inout ClinicalCase) {
        func add(_ cause: Contraindication.Cause, _ sources: [String], against targets: [Contraindicated]) {
            for target in targets {
                facts.contraindications[target, default: []].append(Contraindication(cause, sources))
            }
        }
        if let egfr = facts.latestEGFR {
            if egfr.value < 30 {
                add(.lowEGFR(egfr.value, below: 30), [egfr.reference], against: [.nsaid, .duloxetine])
            }
            if egfr.value < 60 {
                add(.lowEGFR(egfr.value, below: 60), [egfr.reference], against: [.gabapentinoidRenalDose])
            }
        }
        if let age = facts.age, age >= 65 { add(.age(age), [], against: [.tca]) }
        for medication in facts.medications where medication.isActive {
            if medication.isIn([.snri, .tca]) {
                add(.activeSerotonergic(label: medication.label), [medication.reference], against: [.tramadol])
            }
            if medication.classes.contains(.benzodiazepine) {
                add(.activeBenzodiazepine(label: medication.label), [medication.reference], against: [.opioid])
            }
        }
    }

    /// Adequate daily doses (mg) of a trial, from GUIDELINE §2.3; below them a failure is not declared.
    public static let adequateDailyDose: [String: Double] = [
        "naproxen": 1000, "ibuprofen": 1800, "celecoxib": 200, "diclofenac": 100, "meloxicam": 7.5,
        "duloxetine": 60, "venlafaxine": 75, "gabapentin": 900, "pregabalin": 150, "amitriptyline": 25,
        "nortriptyline": 25,
        "acetaminophen": 2000, "tramadol": 100, "carbamazepine": 400, "oxcarbazepine": 600,
    ]

    /// Tried without improvement of pain for ≥ 4 weeks at an adequate dose (an unknown dose is taken as
    /// adequate, and the failure says so).
    static func medicationFailures(_ facts: inout ClinicalCase) {
        guard !facts.painScores.isEmpty, facts.improvement == nil else { return }
        for index in facts.medications.indices where facts.medications[index].failure == nil {
            let medication = facts.medications[index]
            guard (medication.weeksTaken ?? 0) >= 4, isAdequate(medication) else { continue }
            facts.medications[index].failure = .noImprovement(
                weeks: Int(medication.weeksTaken ?? 0), doseAssumed: medication.dailyDoseMilligrams == nil)
        }
    }

    static func isAdequate(_ medication: MedicationFact) -> Bool {
        guard let dose = medication.dailyDoseMilligrams else { return true }
        let threshold = medication.ingredientNames.compactMap { adequateDailyDose[$0] }.first
        return threshold.map { dose >= $0 } ?? true
    }

    /// MME/day over the current courses (GUIDELINE §1): the known part, the orders it comes from, and
    /// the opioids whose dose is unknown; buprenorphine, and methadone with opioid use disorder, are
    /// treatment of the disorder and count in neither.
    static func mme(_ facts: inout ClinicalCase) {
        var total = 0.0
        var sources: [String] = []
        var unknown: [MedicationFact] = []
        for index in facts.medications.indices {
            let course = facts.medications[index]
            let names = Set(course.ingredientNames)
            let moud =
                names.contains("buprenorphine") || (names.contains("methadone") && !facts.opioidUseDisorder.isEmpty)
            facts.medications[index].isMOUD = moud && course.classes.contains(.opioid)
            guard course.isActive, !facts.medications[index].isMOUD else { continue }
            if let mme = course.mmePerDay, mme > 0 {
                total += mme
                sources += course.references
            }
            if course.opioidDoseUnknown { unknown.append(course) }
        }
        facts.mme = DailyMME(known: (total * 10).rounded() / 10, sources: sources, unknownDose: unknown)
    }

    /// Weeks since both a first-line medicine and a non-pharmacological therapy were under way.
    static func optimizedTherapy(_ facts: inout ClinicalCase) {
        let medicineStart = facts.medications.filter { $0.isIn(MedicationClass.firstLineAny) }.compactMap(\.start).min()
        let therapyStart = facts.therapies.filter { TherapyKind.nonPharmacological.contains($0.kind) }.compactMap(
            \.date
        ).min()
        guard let medicineStart, let therapyStart else { return }
        facts.optimizedTherapyWeeks = max(0, ClinicalDate.weeks(from: max(medicineStart, therapyStart), to: facts.now))
    }
}
