import Case
import Foundation
import Terminology

/// Criteria that more than one rule reads, each defined once and named as GUIDELINE.md names it.
/// Each returns the reasons it holds, or nil when it does not.
enum Criteria {
    /// §2.2 urgent referral: severe radicular pain, or any neurological deficit. Empty when not met.
    static func urgentReferral(_ c: ClinicalCase) -> [Reason] {
        var reasons = c.isSevereRadicular ? [Reason("severe radicular pain")] + c.severeRadicular.map(\.reason) : []
        reasons += c.deficits.map { Reason("neurological deficit: \($0.label)", [$0.reference]) }
        return reasons
    }

    /// §2.2 routine referral: radicular, not severe, not improved, ≥ 6 weeks from presentation.
    static func routineReferral(_ c: ClinicalCase) -> [Reason]? {
        guard c.has(.radicular), !c.isSevereRadicular, !c.improved, let weeks = c.weeksSincePresentation, weeks >= 6
        else {
            return nil
        }
        return [
            Reason("radicular pain, not severe", c.sources(.radicular)), Reason("not improved"),
            Reason(
                "\(Int(weeks)) weeks since presentation \(ClinicalDate.day(c.presentationOrNow))", c.presentationSources
            ),
        ]
    }

    /// Chronic back pain, with the duration as the reason.
    static func chronicBackPain(_ c: ClinicalCase) -> [Reason]? { c.hasChronicBackPain ? [c.durationReason] : nil }

    /// NSAIDs failed or contraindicated (§2.3 tramadol).
    static func nsaidsExhausted(_ c: ClinicalCase) -> [Reason]? {
        let failed = c.failed(.nsaid)
        if !failed.isEmpty {
            return failed.map { Reason("NSAID failed: \($0.summary) (\($0.failure?.text ?? ""))", $0.references) }
        }
        let contraindicated = c.contraindications(.nsaid)
        if !contraindicated.isEmpty { return contraindicated.map { $0.reason(prefixed: "NSAID contraindicated: ") } }
        return nil
    }

    /// §2.3 opioid trial: documented failure of NSAIDs and of duloxetine or tramadol, ≥ 2
    /// non-pharmacological therapies tried, no opioid contraindication, no opioid active.
    /// Read by the trial itself and by the risk assessment.
    static func opioidTrial(_ c: ClinicalCase) -> (applies: Bool, reasons: [Reason]) {
        guard c.hasPainCondition else { return (false, [Reason("no pain condition")]) }
        let nsaids = c.failed(.nsaid)
        guard !nsaids.isEmpty else { return (false, [Reason("no documented NSAID failure")]) }
        let second = c.medications(ingredient: Drug.duloxetine.ingredient).filter(\.failed) + c.failed(.tramadol)
        guard !second.isEmpty else { return (false, [Reason("no documented failure of duloxetine or tramadol")]) }
        let therapies = c.nonPharmacologicalTherapies
        let kinds = Set(therapies.map(\.kind))
        guard kinds.count >= 2 else {
            return (false, [Reason("\(kinds.count) non-pharmacological therapies tried (< 2)")])
        }
        let blockers = c.contraindications(.opioid)
        guard blockers.isEmpty else { return (false, blockers.map { $0.reason(prefixed: "opioid contraindicated: ") }) }
        if let active = c.active(.opioid).first {
            return (false, [Reason("an opioid is already active (\(active.summary))", active.references)])
        }
        let tried = kinds.map(\.rawValue).sorted().joined(separator: ", ")
        return (
            true,
            nsaids.map { Reason("NSAID failed: \($0.summary)", $0.references) }
                + second.map { Reason("failed: \($0.summary)", $0.references) }
                + [Reason("non-pharmacological therapies tried: \(tried)", therapies.map(\.reference))]
        )
    }

    /// Conservative care failed: not improved, and a pain medicine failed or a non-pharmacological
    /// therapy was done (§2.5).
    static func conservativeCareFailed(_ c: ClinicalCase) -> [Reason]? {
        guard !c.improved else { return nil }
        let failed = c.medications.filter { $0.failed && $0.isIn(MedicationClass.painMedicines) }
        let therapies = c.nonPharmacologicalTherapies.filter(\.done)
        guard !failed.isEmpty || !therapies.isEmpty else { return nil }
        let names = (failed.map(\.summary) + therapies.map(\.kind.rawValue)).joined(separator: ", ")
        return [Reason("conservative care failed: " + names, failed.flatMap(\.references) + therapies.map(\.reference))]
    }

    /// A first-line neuropathic medicine (gabapentinoid, TCA, SNRI) has failed (000, 001).
    static func firstLineNeuropathicFailed(_ c: ClinicalCase) -> Bool {
        c.medications.contains { $0.failed && $0.isIn(MedicationClass.firstLineNeuropathic) }
    }

    /// Out of the CDC 2022 guideline's scope (GUIDELINE §2.7): active cancer, sickle cell disease,
    /// hospice, palliative or end-of-life care. The reason says which fact; nil when in scope.
    static func outOfCDCScope(_ c: ClinicalCase) -> Reason? {
        guard !c.outOfScope.isEmpty else { return nil }
        let kinds = c.outOfScope.map(\.kind.rawValue).joined(separator: ", ")
        return Reason("out of the CDC opioid guideline's scope: \(kinds)", c.outOfScope.flatMap(\.sources))
    }

    /// Opioid courses current, not treatment of opioid use disorder.
    static func currentOpioids(_ c: ClinicalCase) -> [MedicationFact] { c.active(.opioid).filter { !$0.isMOUD } }

    /// A date within `weeks` weeks before now.
    static func within(_ weeks: Double, _ date: Date, of c: ClinicalCase) -> Bool {
        ClinicalDate.weeks(from: date, to: c.now) <= weeks
    }

    /// Within the last 26 weeks (6 months), or undated.
    static func withinSixMonths(_ date: Date?, of c: ClinicalCase) -> Bool {
        date.map { ClinicalDate.weeks(from: $0, to: c.now) <= 26 } ?? true
    }
}
