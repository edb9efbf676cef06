import Case
import Foundation
import Terminology

/// A drug the guideline may propose: its ingredient, class, what contraindicates it and its code.
public struct Drug: Sendable, Hashable {
    public let ingredient: String
    /// Its class of GUIDELINE §1, nil for a drug outside them (naloxone).
    public let medicationClass: MedicationClass?
    public let contraindication: Contraindicated?
    public let code: ProposalCode?

    /// `rxnorm` is the ingredient's code, or a product's with its `display`.
    init(
        _ ingredient: String, _ medicationClass: MedicationClass?, rxnorm: String?, display: String? = nil,
        contraindicated: Contraindicated? = nil
    ) {
        self.ingredient = ingredient
        self.medicationClass = medicationClass
        self.contraindication = contraindicated
        self.code = rxnorm.map { .rxnorm($0, display ?? ingredient) }
    }

    /// "Gabapentin", for titles.
    public var name: String { ingredient.capitalized }
}

/// The drugs of GUIDELINE §2.3 (RxNorm ingredient codes from `shared/terminology/codes.csv`).
extension Drug {
    static let gabapentin = Drug("gabapentin", .gabapentinoid, rxnorm: "25480")
    static let pregabalin = Drug("pregabalin", .gabapentinoid, rxnorm: "187832")
    static let carbamazepine = Drug("carbamazepine", .sodiumChannelAnticonvulsant, rxnorm: "2002")
    static let oxcarbazepine = Drug("oxcarbazepine", .sodiumChannelAnticonvulsant, rxnorm: "32624")
    static let duloxetine = Drug("duloxetine", .snri, rxnorm: "72625", contraindicated: .duloxetine)
    static let nortriptyline = Drug("nortriptyline", .tca, rxnorm: "7531", contraindicated: .tca)
    static let venlafaxine = Drug("venlafaxine", .snri, rxnorm: "39786")
    static let naproxen = Drug("naproxen", .nsaid, rxnorm: "7258", contraindicated: .nsaid)
    static let ibuprofen = Drug("ibuprofen", .nsaid, rxnorm: "5640", contraindicated: .nsaid)
    static let lidocaine = Drug("lidocaine", .topical, rxnorm: "6387")
    static let capsaicin = Drug("capsaicin", .topical, rxnorm: nil)
    static let tramadol = Drug("tramadol", .tramadol, rxnorm: "10689", contraindicated: .tramadol)
    static let oxycodone = Drug("oxycodone", .opioid, rxnorm: "7804", contraindicated: .opioid)
    static let morphine = Drug("morphine", .opioid, rxnorm: "7052", contraindicated: .opioid)
    static let cyclobenzaprine = Drug("cyclobenzaprine", .muscleRelaxant, rxnorm: "21949")
    static let methocarbamol = Drug("methocarbamol", .muscleRelaxant, rxnorm: "6845")
    static let baclofen = Drug("baclofen", .muscleRelaxant, rxnorm: "1292")
    // GUIDELINE §2.7: naloxone 4 mg nasal spray (a product code), buprenorphine for opioid use disorder.
    static let naloxone = Drug(
        "naloxone", nil, rxnorm: "1725059", display: "naloxone hydrochloride 40 MG/ML Nasal Spray")
    static let buprenorphine = Drug("buprenorphine", .opioid, rxnorm: "1819")

    /// Serotonergic drugs the guideline may propose (tramadol must not be combined with them).
    static let serotonergic: [Drug] = [.duloxetine, .venlafaxine, .nortriptyline]
}

/// How a drug is given when proposed: one row per drug and step, the dose text and the structured
/// dose written once, used by every rule that proposes it.
struct Regimen: Sendable {
    let drug: Drug
    let title: String
    /// The dose as a clinician writes it, without a final full stop ("Naproxen 500 mg twice daily").
    let instructions: String
    let dose: ProposedDose?

    /// The proposal; `purpose` follows the instructions (" (full dose before declaring failure).").
    func proposal(_ purpose: String = ".", note: String = "") -> Proposal {
        Proposal(
            key: .medicine(drug.ingredient), title: title, detail: instructions + purpose + note,
            codes: drug.code.map { [$0] } ?? [], dose: dose, ingredient: drug.ingredient)
    }
}

extension Regimen {
    static let gabapentin = Regimen(
        drug: .gabapentin, title: "Gabapentin",
        instructions: "Gabapentin 300 mg at night, titrate to 300–1200 mg three times daily",
        dose: ProposedDose(300, "mg", timesPerDay: 1))
    static let pregabalin = Regimen(
        drug: .pregabalin, title: "Pregabalin",
        instructions: "Pregabalin 75 mg twice daily, titrate to 150–300 mg twice daily",
        dose: ProposedDose(75, "mg", timesPerDay: 2))
    static let pregabalinSpinalCordInjury = Regimen(
        drug: .pregabalin, title: "Pregabalin",
        instructions: "Pregabalin 150–600 mg/day for spinal cord injury pain (start 75 mg twice daily)",
        dose: ProposedDose(75, "mg", timesPerDay: 2))
    static let carbamazepine = Regimen(
        drug: .carbamazepine, title: "Carbamazepine",
        instructions: "Carbamazepine 100 mg twice daily, titrate to effect (monitor sodium and blood count)",
        dose: ProposedDose(100, "mg", timesPerDay: 2))
    static let oxcarbazepine = Regimen(
        drug: .oxcarbazepine, title: "Oxcarbazepine",
        instructions: "Oxcarbazepine 150 mg twice daily, titrate to effect (monitor sodium)",
        dose: ProposedDose(150, "mg", timesPerDay: 2))
    static let duloxetineStart = Regimen(
        drug: .duloxetine, title: "Duloxetine", instructions: "Duloxetine 30 mg daily for 1 week, then 60 mg daily",
        dose: ProposedDose(30, "mg", timesPerDay: 1))
    static let duloxetineTarget = Regimen(
        drug: .duloxetine, title: "Duloxetine 60 mg (titration)", instructions: "Increase duloxetine to 60 mg daily",
        dose: ProposedDose(60, "mg", timesPerDay: 1))
    static let nortriptyline = Regimen(
        drug: .nortriptyline, title: "Nortriptyline", instructions: "Nortriptyline 10–25 mg at night",
        dose: ProposedDose(10, "mg", timesPerDay: 1))
    static let venlafaxine = Regimen(
        drug: .venlafaxine, title: "Venlafaxine", instructions: "Venlafaxine 37.5 mg daily, titrate to 75–225 mg daily",
        dose: ProposedDose(37.5, "mg", timesPerDay: 1))
    static let naproxen = Regimen(
        drug: .naproxen, title: "Naproxen", instructions: "Naproxen 500 mg twice daily",
        dose: ProposedDose(500, "mg", timesPerDay: 2))
    static let ibuprofen = Regimen(
        drug: .ibuprofen, title: "Ibuprofen", instructions: "Ibuprofen 600–800 mg three times daily",
        dose: ProposedDose(600, "mg", timesPerDay: 3))
    static let lidocainePatch = Regimen(
        drug: .lidocaine, title: "Lidocaine 5 % patch",
        instructions: "Lidocaine 5 % patch to the painful area, up to 12 hours on and 12 hours off",
        dose: ProposedDose(1, "patch", timesPerDay: 1))
    static let capsaicin = Regimen(
        drug: .capsaicin, title: "Capsaicin (topical)", instructions: "Topical capsaicin to the painful area", dose: nil
    )
    static func tramadol(maximumPerDay: Int) -> Regimen {
        Regimen(
            drug: .tramadol, title: "Tramadol",
            instructions: "Tramadol 50–100 mg every 6–8 hours, maximum \(maximumPerDay) mg/day",
            dose: ProposedDose(50, "mg", timesPerDay: 4))
    }
    static let oxycodoneTrial = opioidTrial(.oxycodone, dose: ProposedDose(5, "mg", timesPerDay: 3))
    static let morphineTrial = opioidTrial(.morphine, dose: ProposedDose(10, "mg", timesPerDay: 2))
    static func opioidTrial(_ drug: Drug, dose: ProposedDose) -> Regimen {
        Regimen(
            drug: drug, title: "Immediate-release \(drug.ingredient) (trial)",
            instructions:
                "Immediate-release \(drug.ingredient), lowest dose, ≤ 30 MME/day (start 20–30), with a treatment "
                + "agreement; reassess in 1–4 weeks and stop if function does not improve. "
                + "Never extended-release to start",
            dose: dose)
    }
    static let naloxoneNasalSpray = Regimen(
        drug: .naloxone, title: "Naloxone 4 mg nasal spray",
        instructions: "Naloxone 4 mg nasal spray: one spray into a nostril for a suspected opioid overdose, "
            + "repeated after 2–3 minutes if needed; train the patient and household to use it",
        dose: ProposedDose(4, "mg", timesPerDay: 1))
    static let buprenorphineForOpioidUseDisorder = Regimen(
        drug: .buprenorphine, title: "Buprenorphine for opioid use disorder",
        instructions: "Buprenorphine (with naloxone, sublingual) started by a clinician treating opioid use "
            + "disorder, or methadone in an opioid treatment programme", dose: nil)
    static let cyclobenzaprine = shortCourse(.cyclobenzaprine, dose: ProposedDose(5, "mg", timesPerDay: 3))
    static let methocarbamol = shortCourse(.methocarbamol, dose: nil)
    static let baclofen = shortCourse(.baclofen, dose: nil)
    static func shortCourse(_ drug: Drug, dose: ProposedDose?) -> Regimen {
        Regimen(
            drug: drug, title: "\(drug.name), short course",
            instructions: "\(drug.name) for up to 2 weeks (short course)",
            dose: dose)
    }
}

/// Which drug of a list may be proposed: the first that is not active, failed, allergic or
/// contraindicated; the reasons say why each earlier one was passed over.
enum DrugChoice {
    static func pick(_ candidates: [Regimen], in facts: ClinicalCase, allowActive: Bool = false) -> (Regimen?, [Reason])
    {
        var passedOver: [Reason] = []
        for candidate in candidates {
            let blockers = blockers(candidate.drug, in: facts, allowActive: allowActive)
            if blockers.isEmpty { return (candidate, passedOver) }
            passedOver += blockers
        }
        return (nil, passedOver)
    }

    static func blockers(_ drug: Drug, in facts: ClinicalCase, allowActive: Bool = false) -> [Reason] {
        var reasons: [Reason] = []
        let uses = facts.medications(ingredient: drug.ingredient)
        if !allowActive, let active = uses.first(where: \.isActive) {
            reasons.append(Reason("\(drug.ingredient) is already active (\(active.summary))", active.references))
        }
        if let failed = uses.first(where: \.failed) {
            reasons.append(Reason("\(drug.ingredient) failed: \(failed.failure?.text ?? "")", failed.references))
        }
        if let sources = facts.allergicIngredients[drug.ingredient] {
            reasons.append(Reason("allergy to \(drug.ingredient)", sources))
        }
        if let medicationClass = drug.medicationClass, let sources = facts.allergicClasses[medicationClass] {
            reasons.append(Reason("allergy to the class \(medicationClass.label)", sources))
        }
        if let against = drug.contraindication {
            reasons += facts.contraindications(against).map {
                $0.reason(prefixed: "\(drug.ingredient) contraindicated: ")
            }
        }
        return reasons
    }
}
