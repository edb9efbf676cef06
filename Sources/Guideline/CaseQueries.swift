import Case
import Foundation
import Terminology

/// Questions the rules ask of a case, in the guideline's words.
extension ClinicalCase {
    // Phenotypes and the episode.
    public var hasBackPain: Bool { Phenotype.backPain.contains { phenotypes[$0] != nil } }
    public var backPainSources: [String] { Phenotype.backPain.sorted().flatMap { phenotypes[$0] ?? [] } }
    public func has(_ phenotype: Phenotype) -> Bool { phenotypes[phenotype] != nil }
    public func sources(_ phenotype: Phenotype) -> [String] { phenotypes[phenotype] ?? [] }
    public var hasNeuropathicComponent: Bool { has(.neuropathic) }
    public var hasPainCondition: Bool { !phenotypes.isEmpty }
    public var isChronic: Bool { duration?.stage == .chronic }
    public var isAcute: Bool { duration?.stage == .acute }
    public var isSubacuteOrChronic: Bool { duration.map { $0.stage != .acute } ?? false }
    public var hasChronicBackPain: Bool { hasBackPain && isChronic }
    /// Any pain phenotype, chronic.
    public var hasChronicPain: Bool { hasPainCondition && isChronic }
    public var inPrimaryCare: Bool { setting.value == .primary }
    public var inSpecialistCare: Bool { setting.value == .specialist }

    /// Weeks since presentation (or onset, when no presentation is known).
    public var weeksSincePresentation: Double? {
        (presentation ?? onset).map { ClinicalDate.weeks(from: $0.value, to: now) }
    }
    public var presentationOrNow: Date { presentation?.value ?? onset?.value ?? now }
    public var presentationSources: [String] { presentation?.sources ?? [] }

    // Outcomes.
    public var improved: Bool { improvement != nil }
    /// "improved: pain 8 → 4 (…)", for a rule that stays quiet because of it.
    public var improvedReason: Reason { Reason("improved: \(improvement?.text ?? "")") }
    public var isSevereRadicular: Bool { !severeRadicular.isEmpty }
    public var currentODI: ClinicalMeasurement? { odiScores.last }
    public var progressiveDeficits: [DeficitFinding] { deficits.filter(\.progressive) }
    public var caudaEquinaSources: [String] { redFlags[.caudaEquina] ?? [] }
    public var hasRedFlags: Bool { !redFlags.isEmpty }
    public var redFlagReasons: [Reason] { redFlags.keys.sorted().map { Reason($0.rawValue, redFlags[$0] ?? []) } }
    public var depression: [PsychosocialFactor] { psychosocialFactors.filter(\.isDepression) }

    // Medicines.
    public func medications(_ medicationClass: MedicationClass) -> [MedicationFact] {
        medications.filter { $0.classes.contains(medicationClass) }
    }
    // One pass each (rules ask these for every evaluation; a medicine fact is a large value to copy twice).
    public func active(_ medicationClass: MedicationClass) -> [MedicationFact] {
        medications.filter { $0.isActive && $0.classes.contains(medicationClass) }
    }
    public func failed(_ medicationClass: MedicationClass) -> [MedicationFact] {
        medications.filter { $0.failed && $0.classes.contains(medicationClass) }
    }
    public func tried(_ medicationClass: MedicationClass) -> [MedicationFact] {
        medications.filter { $0.tried && $0.classes.contains(medicationClass) }
    }
    public func medications(ingredient: String) -> [MedicationFact] {
        medications.filter { $0.ingredientNames.contains(ingredient) }
    }
    public var activePainMedicines: [MedicationFact] {
        medications.filter { $0.isActive && $0.isIn(MedicationClass.painMedicines) }
    }

    /// Why a medicine of this kind may not be given (or must be dosed for the kidneys).
    public func contraindications(_ against: Contraindicated) -> [Contraindication] { contraindications[against] ?? [] }
    /// A substance or opioid use disorder on record.
    public var substanceUseDisorders: [Contraindication] { contraindications(.opioid).filter(\.isSubstanceUseDisorder) }

    // Therapies and referrals.
    /// Therapies of these kinds done or requested (so not to be proposed again).
    public func therapies(_ kinds: Set<TherapyKind>) -> [TherapyFact] {
        therapies.filter { kinds.contains($0.kind) && $0.onRecord }
    }
    /// Therapies of this kind that were done (Procedures completed or in progress).
    public func done(_ kind: TherapyKind) -> [TherapyFact] { therapies.filter { $0.kind == kind && $0.done } }
    public var nonPharmacologicalTherapies: [TherapyFact] { therapies(TherapyKind.nonPharmacological) }
    public func referrals(_ kinds: Set<ReferralFact.Kind>) -> [ReferralFact] {
        referrals.filter { kinds.contains($0.kind) }
    }
}

extension Reason {
    /// The same reason with its text prefixed ("NSAID contraindicated: eGFR 25 (< 30)").
    func prefixed(_ prefix: String) -> Reason { Reason(prefix + text, sources) }
}

extension Contraindication {
    func reason(prefixed prefix: String) -> Reason { Reason(prefix + text, sources) }
}
