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

    /// The code's bytes and the system's length: a handful of systems carry all codes, and hashing each coding's
    /// system URL (16–45 bytes) as well cost as much as the code; equal keys still compare both in full.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(system.utf8.count)
    }
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

    public init(
        ingredient: String, strengthMilligrams: Double? = nil, strengthUnit: String? = nil,
        release: Release = .immediate, route: RouteKind = .other
    ) {
        self.ingredient = ingredient
        self.strengthMilligrams = strengthMilligrams
        self.strengthUnit = strengthUnit
        self.release = release
        self.route = route
    }
}

/// How a medicine concept was recognised.
public struct RecognisedMedicine: Sendable {
    public enum How: Sendable, Equatable {
        /// An RxNorm product or ingredient code of the product map (or mapped onto one locally).
        case code
        /// No known code: its RxNorm-style name, in `display` or `text`.
        case name(String)
    }
    public let ingredients: [ProductIngredient]
    public let how: How
}

/// Value sets, the RxNorm product → ingredient map and the MME factors, loaded from `profiles/`
/// (and a site's local directory). Value sets are keyed by canonical URL and indexed
/// (`ValueSetIndex`). Matching is by system and code; names are read in one case only: a medicine
/// whose code is unknown is recognised by its RxNorm-style name (`recognise`), and the explanation
/// says so.
public struct Terminology: Sendable {
    /// Canonical URL → the value set's index.
    public let valueSets: [String: ValueSetIndex]
    /// The same indexes by the ids the readers ask for, so that a lookup builds no URL string.
    let valueSetsByID: [ValueSetID: ValueSetIndex]
    /// RxNorm product code → its ingredients.
    public let products: [String: [ProductIngredient]]
    /// RxNorm ingredient code → ingredient name.
    public let ingredientNames: [String: String]
    /// Ingredient name → medication classes.
    public let ingredientClasses: [String: Set<MedicationClass>]
    /// Ingredient name → CDC 2022 conversion factor (per mg/day; fentanyl patch per mcg/h).
    public let mmeFactors: [String: Double]
    /// Local codes mapped onto shipped ones by a site's ConceptMaps: local → shipped.
    public let aliases: [CodeKey: [CodeKey]]
    /// Which value sets and classes hold each code (computed at load; see `CodeMemberships`).
    let memberships: CodeMemberships
    /// The member displays of the value sets in `setsNamedInText`, grouped to find them in text.
    let displayNames: [ValueSetID: DisplayNames]
    /// The value sets whose displays the case stage looks for in a medicine's label (the anticoagulants:
    /// GUIDELINE §1 reads an anticoagulant named only in words). Only these are grouped at load: grouping all
    /// 19,000 displays of the shipped sets was start-up work for no reader.
    static let setsNamedInText: [ValueSetID] = [.anticoagulants]
    /// Where it was loaded from, and a digest of the files (for provenance and reload logs).
    public let source: String
    public let digest: String
    /// Ingredient names, longest first, for recognising a medicine by name.
    let ingredientNamesByLength: [String]

    public static let base = "https://painpath.example.org/fhir"
    public static func url(_ id: ValueSetID) -> String { base + "/ValueSet/" + id.rawValue }
    public static func url(_ medicationClass: MedicationClass) -> String {
        base + "/ValueSet/medication-class-" + medicationClass.rawValue
    }

    public func valueSet(_ id: ValueSetID) -> ValueSetIndex? { valueSetsByID[id] }

    /// Whether a text names a member of a value set by one of its displays (`lowercasedText` lowercased).
    public func namesAMember(of id: ValueSetID, in lowercasedText: String) -> Bool {
        if let grouped = displayNames[id] { return grouped.anyNamed(in: lowercasedText) }
        return (valueSet(id)?.displays ?? []).contains { lowercasedText.includes($0) }
    }

    /// The value sets and classes holding a code, or a code a site's ConceptMaps map it onto. Called for
    /// every coding of every resource: one hash lookup, no allocation (ICD-10-CM codes are normalized).
    public func membership(system: String?, code: String?) -> ValueSetMembership {
        guard let system, let code else { return .none }
        return memberships.membership(CodeKey(system, code).normalized)
    }

    public func membership(_ coding: Coding) -> ValueSetMembership {
        membership(system: coding.system, code: coding.code)
    }

    /// The union over a concept's codings: ask it once, then test as many sets as needed.
    public func membership(_ concept: CodeableConcept?) -> ValueSetMembership {
        var union = ValueSetMembership.none
        for coding in concept?.codings ?? [] { union.formUnion(membership(coding)) }
        return union
    }

    public func contains(_ valueSet: ValueSetID, system: String?, code: String?) -> Bool {
        membership(system: system, code: code).contains(valueSet)
    }

    public func contains(_ valueSet: ValueSetID, _ coding: Coding) -> Bool {
        membership(coding).contains(valueSet)
    }

    public func contains(_ valueSet: ValueSetID, _ concept: CodeableConcept?) -> Bool {
        concept?.codings.contains { membership($0).contains(valueSet) } ?? false
    }

    public func containsAny(_ valueSet: ValueSetID, _ concepts: [CodeableConcept]) -> Bool {
        concepts.contains { contains(valueSet, $0) }
    }

    /// The union over the codings of the CodeableConcepts in a property of the model (one or repeating),
    /// read straight from the elements: no view, no array, only `system` and `code` of each coding. The
    /// case stage asks this first and builds views only for what matched.
    public func membership(of element: FHIRElement, property name: String) -> ValueSetMembership {
        var union = ValueSetMembership.none
        element.forEachElement(of: name) { union.formUnion(membership(conceptElement: $0)) }
        return union
    }

    public func membership(conceptElement concept: FHIRElement) -> ValueSetMembership {
        var union = ValueSetMembership.none
        concept.forEachElement(of: "coding") { coding in
            union.formUnion(membership(system: coding.string("system"), code: coding.string("code")))
        }
        return union
    }

    /// The union over several concepts' codings.
    public func membership(_ concepts: [CodeableConcept]) -> ValueSetMembership {
        var union = ValueSetMembership.none
        for concept in concepts { union.formUnion(membership(concept)) }
        return union
    }

    /// Whether any value set, the product map or a local map knows this code.
    public func isKnown(system: String?, code: String?) -> Bool {
        membership(system: system, code: code).isKnown
    }

    /// The ingredients of a medication concept: RxNorm products through the map, RxNorm
    /// ingredient codes directly. Empty when nothing in the concept is known by code.
    public func ingredients(of concept: CodeableConcept?) -> [ProductIngredient] {
        guard let concept else { return [] }
        for coding in concept.codings {
            guard let system = coding.system, let code = coding.code else { continue }
            let key = CodeKey(system, code).normalized
            if let found = rxnormIngredients(key) { return found }
            for alias in aliases[key] ?? [] {
                if let found = rxnormIngredients(alias) { return found }
            }
        }
        return []
    }

    /// A product's ingredients, or an ingredient code's own ingredient.
    private func rxnormIngredients(_ key: CodeKey) -> [ProductIngredient]? {
        guard key.system == CodeSystems.rxnorm else { return nil }
        if let found = products[key.code] { return found }
        return ingredientNames[key.code].map { [ProductIngredient(ingredient: $0)] }
    }

    /// A medicine by code, else by its RxNorm-style name in a display or the text
    /// ("duloxetine 30 MG Delayed Release Oral Capsule [Cymbalta]"). Nil when neither is known.
    public func recognise(_ concept: CodeableConcept?) -> RecognisedMedicine? {
        let byCode = ingredients(of: concept)
        if !byCode.isEmpty { return RecognisedMedicine(ingredients: byCode, how: .code) }
        guard let concept else { return nil }
        for name in [concept.text] + concept.codings.map(\.display) {
            guard let name, let parsed = RxNormName(name, knownIngredients: ingredientNamesByLength) else { continue }
            return RecognisedMedicine(ingredients: parsed.ingredients, how: .name(name))
        }
        return nil
    }

    public func classes(of ingredient: String) -> Set<MedicationClass> { ingredientClasses[ingredient] ?? [] }
}

/// The value sets the case builder and the rules use, at `<base>/ValueSet/<rawValue>`
/// (`profiles/ValueSet-<rawValue>.json`). Loading fails when one is missing or empty.
public enum ValueSetID: String, HashedByCase, Sendable {
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
    // Opioid safety (GUIDELINE §2.7) and the CDC guideline's scope.
    case opioidUseDisorder = "opioid-use-disorder"
    case naloxoneMedications = "naloxone-medications"
    case moudMedications = "buprenorphine-methadone-medications"
    case pdmpReview = "pdmp-review"
    case urineDrugScreen = "urine-drug-screen"
    case painTreatmentPlan = "pain-treatment-plan"
    case activeCancer = "active-cancer"
    case sickleCellDisease = "sickle-cell-disease"
    case hospiceOrEndOfLife = "hospice-end-of-life"
    case limitedLifeExpectancy = "limited-life-expectancy"
    case sleepDisorderedBreathing = "sleep-disordered-breathing"
    case opioidOverdose = "opioid-overdose"
}

/// Medication classes of GUIDELINE §1; each has `profiles/ValueSet-medication-class-<rawValue>.json`.
public enum MedicationClass: String, HashedByCase, Sendable, Comparable {
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
