import FHIR
import Foundation

/// A code in a code system: what value sets and maps are keyed by.
public struct CodeKey: Hashable, Sendable, CustomStringConvertible {
    public let system: String
    public let code: String

    public init(_ system: String, _ code: String) {
        self.system = system
        self.code = code
    }

    public var description: String { "\(system)|\(code)" }
}

/// The well-known code systems PainPath reads.
public enum CodeSystems {
    public static let snomed = "http://snomed.info/sct"
    public static let loinc = "http://loinc.org"
    public static let rxnorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
    public static let icd10cm = "http://hl7.org/fhir/sid/icd-10-cm"
    public static let observationInterpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
}

/// One ingredient of an RxNorm product, with what the ConceptMap says of it.
public struct ProductIngredient: Hashable, Sendable {
    public enum Release: String, Sendable { case immediate, extended }
    public enum RouteKind: String, Sendable { case oral, injection, topical, other }

    /// The ingredient's name (`oxycodone`): ingredients are identified by name because a few have
    /// no verified RxNorm code.
    public let ingredient: String
    /// Strength per unit (tablet, mL, hour for patches) in mg; nil when the product did not say.
    public let strengthMilligrams: Double?
    /// The strength's unit as RxNorm writes it (`mg`, `mg/ml`, `mg/hr`).
    public let strengthUnit: String?
    public let release: Release
    public let route: RouteKind
}

/// Value sets, the RxNorm product → ingredient map and the MME factors, loaded from `profiles/`.
/// Matching is by system and code. Displays are compared in one place only: a medicine whose code
/// is unknown is recognised as an anticoagulant when its name contains a display of that value set
/// (`valueSetDisplays`, read by the medication reader).
public struct Terminology: Sendable {
    /// Value set id → its codes.
    public let valueSets: [String: Set<CodeKey>]
    /// Value set id → the lowercased displays of its concepts (to recognise a drug named only in text).
    public let valueSetDisplays: [String: [String]]
    /// RxNorm product code → its ingredients.
    public let products: [String: [ProductIngredient]]
    /// RxNorm ingredient code → ingredient name.
    public let ingredientNames: [String: String]
    /// Ingredient name → medication classes.
    public let ingredientClasses: [String: Set<MedicationClass>]
    /// Ingredient name → CDC 2022 conversion factor (per mg/day; fentanyl patch per mcg/h).
    public let mmeFactors: [String: Double]
    /// Where it was loaded from, and a digest of the files (for provenance and reload logs).
    public let source: String
    public let digest: String

    public func contains(_ valueSet: ValueSetID, system: String?, code: String?) -> Bool {
        guard let system, let code else { return false }
        return valueSets[valueSet.rawValue]?.contains(CodeKey(system, code)) ?? false
    }

    public func contains(_ valueSet: ValueSetID, _ coding: Coding) -> Bool {
        contains(valueSet, system: coding.system, code: coding.code)
    }

    public func contains(_ valueSet: ValueSetID, _ concept: CodeableConcept?) -> Bool {
        concept?.codings.contains { contains(valueSet, $0) } ?? false
    }

    public func containsAny(_ valueSet: ValueSetID, _ concepts: [CodeableConcept]) -> Bool {
        concepts.contains { contains(valueSet, $0) }
    }

    /// The ingredients of a medication concept: RxNorm products through the map, RxNorm
    /// ingredient codes directly. Empty when nothing in the concept is known.
    public func ingredients(of concept: CodeableConcept?) -> [ProductIngredient] {
        guard let concept else { return [] }
        for coding in concept.codings where coding.system == CodeSystems.rxnorm {
            guard let code = coding.code else { continue }
            if let found = products[code] { return found }
            if let name = ingredientNames[code] {
                return [ProductIngredient(ingredient: name, strengthMilligrams: nil, strengthUnit: nil, release: .immediate, route: .other)]
            }
        }
        return []
    }

    public func classes(of ingredient: String) -> Set<MedicationClass> { ingredientClasses[ingredient] ?? [] }
}

/// The value sets the case builder and the rules use. Each has a file
/// `profiles/ValueSet-<rawValue>.json`; a test checks that every one exists.
public enum ValueSetID: String, CaseIterable, Sendable {
    case lowBackPain = "low-back-pain", radicularPain = "radicular-pain", neuropathicPain = "neuropathic-pain"
    case peripheralNeuropathicPain = "peripheral-neuropathic-pain", spinalCordInjury = "spinal-cord-injury"
    case vertebralCompressionFracture = "vertebral-compression-fracture", failedBackSurgerySyndrome = "failed-back-surgery-syndrome"
    case spinalStenosis = "spinal-stenosis", facetJointPain = "facet-joint-pain", sacroiliacJointPain = "sacroiliac-joint-pain"
    case spinalInstability = "spinal-instability", neuroDeficit = "neuro-deficit", caudaEquinaSyndrome = "cauda-equina-syndrome"
    case progressionQualifier = "progression-qualifier", malignancy, spinalInfection = "spinal-infection", fever
    case unexplainedWeightLoss = "unexplained-weight-loss", ivDrugUse = "iv-drug-use", immunosuppression
    case depression, anxiety, substanceUseDisorder = "substance-use-disorder", ckdStage4to5 = "ckd-stage-4-5"
    case giBleedOrPepticUlcer = "gi-bleed-or-peptic-ulcer", pregnancy, heartFailure = "heart-failure"
    case hepaticImpairment = "hepatic-impairment", cardiacConductionDisease = "cardiac-conduction-disease"
    case seizureDisorder = "seizure-disorder", anticoagulants, painIntensity = "pain-intensity", oswestryScore = "oswestry-score"
    case oswestryPanel = "oswestry-panel", startBackPanel = "startback-panel", startBackTotal = "startback-total"
    case startBackDistress = "startback-distress", startBackRisk = "startback-risk", phq9Total = "phq9-total", gad7Total = "gad7-total"
    case egfr, opioidRiskAssessment = "opioid-risk-assessment", medicationFailureReason = "medication-failure-reason"
    case physiotherapy, exerciseTherapy = "exercise-therapy", psychologicalTherapy = "psychological-therapy"
    case multidisciplinaryRehabilitation = "multidisciplinary-rehabilitation", acupuncture, spinalManipulation = "spinal-manipulation"
    case massage, yogaOrTaiChi = "yoga-or-tai-chi", relaxation, tens, epiduralSteroidInjection = "epidural-steroid-injection"
    case medialBranchBlock = "medial-branch-block", radiofrequencyDenervation = "radiofrequency-denervation"
    case sacroiliacJointInjection = "sacroiliac-joint-injection", imageGuidedInjection = "image-guided-injection"
    case spinalSurgery = "spinal-surgery", vertebralAugmentation = "vertebral-augmentation", scsTrial = "scs-trial"
    case scsImplant = "scs-implant", mriLumbarSpine = "mri-lumbar-spine", specialistReferral = "specialist-referral"
    case surgicalReferral = "surgical-referral", multidisciplinaryPainReferral = "multidisciplinary-pain-referral"
    case specialistSetting = "specialist-setting", procedureSuccessful = "procedure-successful", opioidTaper = "opioid-taper"
}

/// Medication classes of GUIDELINE §1; each has `profiles/ValueSet-medication-class-<rawValue>.json`.
public enum MedicationClass: String, CaseIterable, Sendable, Comparable {
    case gabapentinoid, sodiumChannelAnticonvulsant = "sodium-channel-anticonvulsant", tca, snri, nsaid, topical, tramadol
    case opioid, benzodiazepine, systemicCorticosteroid = "systemic-corticosteroid", acetaminophen
    case muscleRelaxant = "muscle-relaxant"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Words for explanations.
    public var label: String {
        switch self {
        case .gabapentinoid: "gabapentinoid"
        case .sodiumChannelAnticonvulsant: "sodium-channel anticonvulsant"
        case .tca: "tricyclic antidepressant"
        case .snri: "SNRI"
        case .nsaid: "NSAID"
        case .topical: "topical agent"
        case .tramadol: "tramadol"
        case .opioid: "opioid"
        case .benzodiazepine: "benzodiazepine"
        case .systemicCorticosteroid: "systemic corticosteroid"
        case .acetaminophen: "acetaminophen"
        case .muscleRelaxant: "muscle relaxant"
        }
    }
}
