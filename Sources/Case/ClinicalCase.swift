import Foundation
import Terminology

/// The facts of GUIDELINE.md §1 for one patient, each remembering the resources it came from
/// (`Type/id` references, as they appear in the bundle). Built by `CaseBuilder`; read by the rules.
public struct ClinicalCase: Sendable {
    public enum NowSource: String, Sendable { case bundleTimestamp = "Bundle.timestamp", messageHeader = "MessageHeader", clock = "processing clock", override = "--now" }
    public enum CareSetting: String, Sendable { case primary, specialist }
    public enum DurationClass: String, Sendable { case acute, subacute, chronic }
    public enum StartBackRisk: String, Sendable, Comparable {
        case low, medium, high
        public static func < (a: Self, b: Self) -> Bool { [.low, .medium, .high].firstIndex(of: a)! < [.low, .medium, .high].firstIndex(of: b)! }
    }

    public var now: Date
    public var nowSource: NowSource
    public var patientReference: String
    public var age: Int?
    public var sex: String?
    public var setting: CareSetting = .primary
    public var settingSources: [String] = []

    public var conditions: [ConditionFact] = []
    /// Phenotype → the conditions showing it.
    public var phenotypes: [Phenotype: [String]] = [:]
    public var multisiteNeuropathic = false

    public var onset: Date?
    public var onsetSources: [String] = []
    public var presentation: Date?
    public var presentationSources: [String] = []
    public var durationWeeks: Double?
    public var durationClass: DurationClass?

    public var painScores: [ClinicalMeasurement] = []
    public var odiScores: [ClinicalMeasurement] = []
    public var improved = false
    public var improvementReason: String?

    public var startBack: StartBackResult?
    public var severeRadicular = false
    public var severeRadicularReasons: [Reason] = []

    public var deficits: [DeficitFinding] = []
    public var redFlags: [RedFlag: [String]] = [:]
    public var psychosocialFactors: [Reason] = []

    public var medications: [MedicationFact] = []
    public var allergicIngredients: [String: [String]] = [:]
    public var allergicClasses: [MedicationClass: [String]] = [:]
    public var mmePerDay: Double = 0
    public var mmeSources: [String] = []
    public var contraindications: [Contraindicated: [Reason]] = [:]
    public var latestEGFR: ClinicalMeasurement?

    public var therapies: [TherapyFact] = []
    public var optimizedTherapyWeeks: Double?
    public var imaging: [ImagingFact] = []
    public var referrals: [ReferralFact] = []
    public var primaryCareEncountersInEpisode: [String] = []
    public var opioidRiskAssessments: [String] = []
    /// Notes for the explanation: what was read leniently or ignored.
    public var notes: [String] = []

    public init(now: Date, nowSource: NowSource, patientReference: String) {
        self.now = now
        self.nowSource = nowSource
        self.patientReference = patientReference
    }
}

/// A statement with the resources that support it.
public struct Reason: Hashable, Sendable {
    public let text: String
    public let sources: [String]
    public init(_ text: String, _ sources: [String] = []) {
        self.text = text
        self.sources = sources
    }
}

public enum Phenotype: String, CaseIterable, Sendable, Comparable {
    case axialLowBackPain = "axial low back pain", radicular = "radicular pain", neuropathic = "neuropathic pain"
    case peripheralNeuropathic = "peripheral neuropathic pain", spinalCordInjury = "spinal cord injury pain"
    case vertebralCompressionFracture = "vertebral compression fracture", failedBackSurgery = "failed back surgery syndrome"
    case spinalStenosis = "spinal stenosis", facetJoint = "facet joint pain", sacroiliacJoint = "sacroiliac joint pain"
    case spinalInstability = "spinal instability"
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Phenotypes that make a back-pain episode.
    public static let backPain: Set<Phenotype> = [.axialLowBackPain, .radicular, .vertebralCompressionFracture, .failedBackSurgery,
                                                  .spinalStenosis, .facetJoint, .sacroiliacJoint, .spinalInstability]
}

public struct ConditionFact: Sendable {
    public let reference: String
    public let label: String
    public let phenotypes: Set<Phenotype>
    public let onset: Date?
    public let recorded: Date?
    public let severe: Bool
    public let bodySites: [String]
    public let codeKey: String
}

public struct ClinicalMeasurement: Sendable {
    public let value: Double
    public let date: Date?
    public let reference: String
}

public struct StartBackResult: Sendable {
    public let risk: ClinicalCase.StartBackRisk
    public let total: Int?
    public let distress: Int?
    public let date: Date?
    public let sources: [String]
    public let how: String
}

public struct DeficitFinding: Sendable {
    public let reference: String
    public let label: String
    public let progressive: Bool
    public let progressionReason: String?
    public let caudaEquina: Bool
}

public enum RedFlag: String, CaseIterable, Sendable, Comparable {
    case caudaEquina = "cauda equina syndrome", progressiveDeficit = "progressive neurological deficit", malignancy
    case spinalInfection = "spinal infection", vertebralFracture = "vertebral fracture", weightLoss = "unexplained weight loss"
    case fever = "fever with back pain", ivDrugUse = "intravenous drug use", immunosuppression
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// What a contraindication is against.
public enum Contraindicated: String, CaseIterable, Sendable {
    case nsaid, duloxetine, tca, tramadol, opioid
    /// Not a contraindication: the gabapentinoid dose must follow renal function.
    case gabapentinoidRenalDose = "gabapentinoid-renal-dose"
}

public struct MedicationFact: Sendable {
    public enum State: String, Sendable { case active, past }
    public let reference: String
    public let label: String
    public let ingredients: [ProductIngredient]
    public let classes: Set<MedicationClass>
    public let state: State
    public let start: Date?
    public let end: Date?
    /// Weeks taken (to now when active); nil when no start is known.
    public let weeksTaken: Double?
    public let dailyDoseMilligrams: Double?
    /// For patches: the delivered rate in mcg/h.
    public let patchMicrogramsPerHour: Double?
    public let mmePerDay: Double?
    public let extendedRelease: Bool
    public let stoppedEarly: Bool
    public internal(set) var failureReason: String?
    public let isTopical: Bool
    public let isEpidural: Bool
    /// Tried: past use of ≥ 4 weeks or stopped early, or active for ≥ 4 weeks.
    public var tried: Bool { stoppedEarly || (weeksTaken ?? 0) >= 4 }
    public var failed: Bool { failureReason != nil }
    public var ingredientNames: [String] { ingredients.map(\.ingredient) }
}

public enum TherapyKind: String, CaseIterable, Sendable {
    case physiotherapy, exercise = "exercise therapy", psychological = "CBT / psychotherapy"
    case multidisciplinaryRehabilitation = "multidisciplinary rehabilitation", acupuncture, spinalManipulation = "spinal manipulation"
    case massage, yogaOrTaiChi = "yoga or tai chi", mindfulness, relaxation, tens = "TENS"
    case epiduralSteroidInjection = "epidural steroid injection", medialBranchBlock = "medial branch block"
    case sacroiliacJointInjection = "sacroiliac joint injection", radiofrequencyDenervation = "radiofrequency denervation"
    case spinalSurgery = "spinal surgery", vertebralAugmentation = "vertebral augmentation"
    case scsTrial = "spinal cord stimulator trial", scsImplant = "spinal cord stimulator implant", opioidTaper = "opioid taper"

    public static let nonPharmacological: Set<TherapyKind> = [.physiotherapy, .exercise, .psychological, .multidisciplinaryRehabilitation,
        .acupuncture, .spinalManipulation, .massage, .yogaOrTaiChi, .mindfulness, .relaxation, .tens]
    public static let spinalInjections: Set<TherapyKind> = [.epiduralSteroidInjection, .medialBranchBlock, .sacroiliacJointInjection]
}

public struct TherapyFact: Sendable {
    public enum Source: String, Sendable { case procedure = "Procedure", request = "ServiceRequest", carePlan = "CarePlan" }
    public let kind: TherapyKind
    public let reference: String
    public let source: Source
    /// completed/in-progress/active/…
    public let status: String
    public let date: Date?
    public let imageGuided: Bool
    public let successful: Bool
    public let unsuccessful: Bool
    /// A Procedure that was done, or a request still open.
    public var done: Bool { source == .procedure && (status == "completed" || status == "in-progress") }
    public var requested: Bool { source != .procedure && (status == "active" || status == "draft" || status == "on-hold" || status == "completed") }
}

public struct ImagingFact: Sendable {
    public let reference: String
    /// An order (ServiceRequest) or a result (ImagingStudy, DiagnosticReport).
    public let ordered: Bool
    public let date: Date?
    public let orderedInPrimaryCare: Bool
    /// From a report: nerve-root compression present (true), absent (false) or not said (nil).
    public let nerveRootCompression: Bool?
}

public struct ReferralFact: Sendable {
    public enum Kind: String, Sendable { case specialist, surgical, multidisciplinary }
    public let kind: Kind
    public let reference: String
    public let date: Date?
}
