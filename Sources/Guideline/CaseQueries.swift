import Case
import Foundation
import Terminology

/// Questions the rules ask of a case, in the guideline's words.
extension ClinicalCase {
    public var hasBackPain: Bool { Phenotype.backPain.contains { phenotypes[$0] != nil } }
    public var backPainSources: [String] { Phenotype.backPain.sorted().flatMap { phenotypes[$0] ?? [] } }
    public func has(_ phenotype: Phenotype) -> Bool { phenotypes[phenotype] != nil }
    public func sources(_ phenotype: Phenotype) -> [String] { phenotypes[phenotype] ?? [] }
    public var hasNeuropathicComponent: Bool { has(.neuropathic) }
    public var isChronic: Bool { durationClass == .chronic }
    public var isAcute: Bool { durationClass == .acute }
    public var isSubacuteOrChronic: Bool { durationClass == .subacute || durationClass == .chronic }
    public var hasChronicBackPain: Bool { hasBackPain && isChronic }
    /// Any pain phenotype, chronic.
    public var hasChronicPain: Bool { !phenotypes.isEmpty && isChronic }

    public var durationReason: Reason {
        guard let weeks = durationWeeks, let durationClass else { return Reason("duration unknown (no onset or recorded date)") }
        return Reason("\(durationClass.rawValue): \(Int(weeks)) weeks since onset \(onset.map(ClinicalDate.day) ?? "?")", onsetSources)
    }

    /// Weeks since presentation (or onset, when no presentation is known).
    public var weeksSincePresentation: Double? {
        (presentation ?? onset).map { ClinicalDate.weeks(from: $0, to: now) }
    }
    public var presentationOrNow: Date { presentation ?? onset ?? now }

    public func medications(_ medicationClass: MedicationClass) -> [MedicationFact] { medications.filter { $0.classes.contains(medicationClass) } }
    public func active(_ medicationClass: MedicationClass) -> [MedicationFact] { medications(medicationClass).filter { $0.state == .active } }
    public func failed(_ medicationClass: MedicationClass) -> [MedicationFact] { medications(medicationClass).filter(\.failed) }
    public func tried(_ medicationClass: MedicationClass) -> [MedicationFact] { medications(medicationClass).filter(\.tried) }
    public func medications(ingredient: String) -> [MedicationFact] { medications.filter { $0.ingredientNames.contains(ingredient) } }
    public var activePainMedicines: [MedicationFact] {
        medications.filter { $0.state == .active && !$0.classes.isDisjoint(with: MedicationClass.painMedicines) }
    }

    /// Therapies of these kinds done or requested (so not to be proposed again).
    public func therapies(_ kinds: Set<TherapyKind>) -> [TherapyFact] {
        therapies.filter { kinds.contains($0.kind) && ($0.done || $0.requested) }
    }
    public var nonPharmacologicalTherapies: [TherapyFact] { therapies(TherapyKind.nonPharmacological) }
    public func referrals(_ kinds: Set<ReferralFact.Kind>) -> [ReferralFact] { referrals.filter { kinds.contains($0.kind) } }

    public var currentODI: ClinicalMeasurement? { odiScores.last }
    public var currentPain: ClinicalMeasurement? { painScores.last }
    public var hasDeficit: Bool { !deficits.isEmpty }
    public var progressiveDeficits: [DeficitFinding] { deficits.filter(\.progressive) }
    public var caudaEquinaSources: [String] { redFlags[.caudaEquina] ?? [] }
    public var hasRedFlags: Bool { !redFlags.isEmpty }
    public var redFlagReasons: [Reason] { redFlags.keys.sorted().map { Reason($0.rawValue, redFlags[$0] ?? []) } }

    /// Why a medicine of this class may not be given (contraindication, allergy).
    public func contraindicationReasons(_ against: Contraindicated) -> [Reason] { contraindications[against] ?? [] }
}

extension MedicationClass {
    /// Classes that treat pain (benzodiazepines and corticosteroids are not pain medicines here).
    public static let painMedicines: Set<MedicationClass> = [.gabapentinoid, .sodiumChannelAnticonvulsant, .tca, .snri, .nsaid, .topical,
                                                              .tramadol, .opioid, .acetaminophen, .muscleRelaxant]
}

/// Which drug of a list may be proposed: the first that is not active, failed, allergic or
/// contraindicated; the reasons say why each earlier one was passed over.
struct DrugChoice {
    struct Candidate {
        let ingredient: String
        let medicationClass: MedicationClass
        let contraindication: Contraindicated?
    }

    static func pick(_ candidates: [Candidate], in facts: ClinicalCase, allowActive: Bool = false) -> (Candidate?, [Reason]) {
        var passedOver: [Reason] = []
        for candidate in candidates {
            let blockers = blockers(candidate, in: facts, allowActive: allowActive)
            if blockers.isEmpty { return (candidate, passedOver) }
            passedOver += blockers
        }
        return (nil, passedOver)
    }

    static func blockers(_ candidate: Candidate, in facts: ClinicalCase, allowActive: Bool = false) -> [Reason] {
        var reasons: [Reason] = []
        let uses = facts.medications(ingredient: candidate.ingredient)
        if !allowActive, let active = uses.first(where: { $0.state == .active }) {
            reasons.append(Reason("\(candidate.ingredient) is already active (\(active.label))", [active.reference]))
        }
        if let failed = uses.first(where: \.failed) {
            reasons.append(Reason("\(candidate.ingredient) failed: \(failed.failureReason ?? "")", [failed.reference]))
        }
        if let sources = facts.allergicIngredients[candidate.ingredient] {
            reasons.append(Reason("allergy to \(candidate.ingredient)", sources))
        }
        if let sources = facts.allergicClasses[candidate.medicationClass] {
            reasons.append(Reason("allergy to the class \(candidate.medicationClass.label)", sources))
        }
        if let against = candidate.contraindication {
            reasons += facts.contraindicationReasons(against).map { Reason("\(candidate.ingredient) contraindicated: \($0.text)", $0.sources) }
        }
        return reasons
    }
}
