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
                return [
                    ProductIngredient(
                        ingredient: name, strengthMilligrams: nil, strengthUnit: nil, release: .immediate, route: .other
                    )
                ]
            }
        }
        return []
    }

    public func classes(of ingredient: String) -> Set<MedicationClass> { ingredientClasses[ingredient] ?? [] }
}

/// The value sets the case builder and the rules use. Each has a file
/// `profiles/ValueSet-<rawValue>.json`; a test checks that every one exists.
public enum ValueSetID: String, CaseIterable, Sendable {
    case lowBackPain = "low-back-pain"
    case radicularPain = "radicular-pain"
    case neuropathicPain = "neuropathic-pain"
    case peripheralNeuropathicPain = "peripheral-neuropathic-pain"
    case spinalCordInjury = "spinal-cord-injury"
    case vertebralCompressionFracture = "vertebral-compression-fracture"
    case failedBackSurgerySyndrome = "failed-back-surgery-syndrome"
    case spinalStenosis = "spinal-stenosis"
    case facetJointPain = "facet-joint-pain"
    case sacroiliacJointPain = "sacroiliac-joint-pain"
    case spinalInstability = "spinal-instability"
    case neuroDeficit = "neuro-deficit"
    case caudaEquinaSyndrome = "cauda-equina-syndrome"
    case progressionQualifier = "progression-qualifier"
    case malignancy
    case spinalInfection = "spinal-infection"
    case fever
    case unexplainedWeightLoss = "unexplained-weight-loss"
    case ivDrugUse = "iv-drug-use"
    case immunosuppression
    case depression, anxiety
    case substanceUseDisorder = "substance-use-disorder"
    case ckdStage4to5 = "ckd-stage-4-5"
    case giBleedOrPepticUlcer = "gi-bleed-or-peptic-ulcer"
    case pregnancy
    case heartFailure = "heart-failure"
    case hepaticImpairment = "hepatic-impairment"
    case cardiacConductionDisease = "cardiac-conduction-disease"
    case seizureDisorder = "seizure-disorder"
    case anticoagulants
    case painIntensity = "pain-intensity"
    case oswestryScore = "oswestry-score"
    case oswestryPanel = "oswestry-panel"
    case startBackPanel = "startback-panel"
    case startBackTotal = "startback-total"
    case startBackDistress = "startback-distress"
    case startBackRisk = "startback-risk"
    case phq9Total = "phq9-total"
    case gad7Total = "gad7-total"
    case egfr
    case opioidRiskAssessment = "opioid-risk-assessment"
    case medicationFailureReason = "medication-failure-reason"
    case physiotherapy
    case exerciseTherapy = "exercise-therapy"
    case psychologicalTherapy = "psychological-therapy"
    case multidisciplinaryRehabilitation = "multidisciplinary-rehabilitation"
    case acupuncture
    case spinalManipulation = "spinal-manipulation"
    case massage
    case yogaOrTaiChi = "yoga-or-tai-chi"
    case relaxation, tens
    case epiduralSteroidInjection = "epidural-steroid-injection"
    case medialBranchBlock = "medial-branch-block"
    case radiofrequencyDenervation = "radiofrequency-denervation"
    case sacroiliacJointInjection = "sacroiliac-joint-injection"
    case imageGuidedInjection = "image-guided-injection"
    case spinalSurgery = "spinal-surgery"
    case vertebralAugmentation = "vertebral-augmentation"
    case scsTrial = "scs-trial"
    case scsImplant = "scs-implant"
    case mriLumbarSpine = "mri-lumbar-spine"
    case specialistReferral = "specialist-referral"
    case surgicalReferral = "surgical-referral"
    case multidisciplinaryPainReferral = "multidisciplinary-pain-referral"
    case specialistSetting = "specialist-setting"
    case procedureSuccessful = "procedure-successful"
    case opioidTaper = "opioid-taper"
}

/// Medication classes of GUIDELINE §1; each has `profiles/ValueSet-medication-class-<rawValue>.json`.
public enum MedicationClass: String, CaseIterable, Sendable, Comparable {
    case gabapentinoid
    case sodiumChannelAnticonvulsant = "sodium-channel-anticonvulsant"
    case tca, snri, nsaid, topical, tramadol
    case opioid, benzodiazepine
    case systemicCorticosteroid = "systemic-corticosteroid"
    case acetaminophen
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
