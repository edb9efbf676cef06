import Foundation
import Terminology

/// The facts of GUIDELINE.md §1 for one patient, each remembering the resources it came from
/// (`Type/id` references, as they appear in the bundle). Built by `CaseBuilder`; read by the rules,
/// which ask typed questions of it (`CaseQueries` in the Guideline module), never of a sentence.
public struct ClinicalCase: Sendable {
    public enum NowSource: String, Sendable {
        case bundleTimestamp = "Bundle.timestamp"
        case messageHeader = "MessageHeader"
        case clock = "processing clock"
        case override = "--now"
    }
    public enum CareSetting: String, Sendable { case primary, specialist }

    // The patient and the moment.
    public var now: Date
    public var nowSource: NowSource
    public var patientReference: String
    public var age: Int?
    /// A birth date after now (the record's dates shifted into the future, as de-identified extracts are): the age
    /// is then unknown, and `explain` says why.
    public var birthDateAfterNow: String?
    public var sex: String?
    public var setting: Sourced<CareSetting>

    // Conditions and the episode.
    public var conditions: [ConditionFact] = []
    /// Phenotype → the conditions showing it.
    public var phenotypes: [Phenotype: [String]] = [:]
    public var multisiteNeuropathic = false
    public var onset: Sourced<Date>?
    public var presentation: Sourced<Date>?
    public var duration: EpisodeDuration?
    /// The duration as a reason ("chronic: 141 weeks since onset 2023-03-08", with the onset's sources), made with
    /// the duration (`EpisodeDuration.reason`): a dozen rules cite it, and each wrote it afresh.
    public var durationReason = EpisodeDuration.reason(nil, onset: nil)
    public var primaryCareEncountersInEpisode: [String] = []

    // Outcome measures.
    public var painScores: [ClinicalMeasurement] = []
    public var odiScores: [ClinicalMeasurement] = []
    public var improvement: Improvement?
    public var startBack: StartBackResult?
    public var severeRadicular: [SevereRadicularEvidence] = []

    // Findings that change the course.
    public var deficits: [DeficitFinding] = []
    public var redFlags: [RedFlag: [String]] = [:]
    public var psychosocialFactors: [PsychosocialFactor] = []
    public var contraindications: [Contraindicated: [Contraindication]] = [:]
    public var latestEGFR: ClinicalMeasurement?

    // Medicines.
    public var medications: [MedicationFact] = []
    public var allergicIngredients: [String: [String]] = [:]
    public var allergicClasses: [MedicationClass: [String]] = [:]
    /// Morphine milligram equivalents per day of the current opioids (the known part).
    public var mme = DailyMME()
    /// Opioid use disorder on record (the opioid-misuse-disorders value set).
    public var opioidUseDisorder: [String] = []
    // Opioid safety (GUIDELINE §2.7) and the CDC guideline's scope.
    /// What puts the case out of the CDC guideline's scope (active cancer, sickle cell disease,
    /// hospice, palliative or end-of-life care, limited life expectancy).
    public var outOfScope: [ScopeExclusion] = []
    public var sleepDisorderedBreathing: [String] = []
    public var opioidOverdoses: [String] = []
    public var pdmpReviews: [Sourced<Date>] = []
    public var urineDrugScreens: [Sourced<Date>] = []
    public var painTreatmentPlans: [Sourced<Date>] = []
    /// Naloxone for overdose current (not the naloxone inside buprenorphine/naloxone).
    public var naloxoneCurrent: [String] = []
    /// Buprenorphine or methadone current (medication for opioid use disorder).
    public var moudCurrent: [String] = []
    /// Opioid orders being written (draft MedicationRequests, as a CDS Hooks order-sign sends them):
    /// "proposed" for the opioid-safety rules, not a use of the medicine.
    public var proposedOpioids: [MedicationOrder] = []
    /// Resources dated after *now*, left out of the facts (GUIDELINE §1 *now*).
    public var leftOut: [String] = []

    // Therapies, imaging, referrals.
    public var therapies: [TherapyFact] = []
    public var optimizedTherapyWeeks: Double?
    public var imaging: [ImagingFact] = []
    public var referrals: [ReferralFact] = []
    public var opioidRiskAssessments: [String] = []
    /// Codes that matched no value set, product or local map (reported, never guessed from words).
    public var unmatchedCodes: [UnmatchedCode] = []
    /// Notes for the explanation: what was read leniently or ignored.
    public var notes: [String] = []

    public init(now: Date, nowSource: NowSource, patientReference: String, setting: CareSetting = .primary) {
        self.now = now
        self.nowSource = nowSource
        self.patientReference = patientReference
        self.setting = Sourced(setting)
    }
}

/// MME/day: the known part, the orders it comes from, and the current opioids whose dose is unknown
/// (never counted as zero).
public struct DailyMME: Sendable {
    public var known: Double = 0
    public var sources: [String] = []
    public var unknownDose: [MedicationFact] = []
    public init(known: Double = 0, sources: [String] = [], unknownDose: [MedicationFact] = []) {
        self.known = known
        self.sources = sources
        self.unknownDose = unknownDose
    }
}

/// A value and the resources it was read from.
public struct Sourced<Value: Sendable>: Sendable {
    public let value: Value
    public let sources: [String]
    public init(_ value: Value, _ sources: [String] = []) {
        self.value = value
        self.sources = sources
    }
}

/// A statement for people, with the resources that support it. Reasons are built from facts for the
/// explanation; no decision reads their text.
public struct Reason: Hashable, Sendable {
    public let text: String
    public let sources: [String]
    public init(_ text: String, _ sources: [String] = []) {
        self.text = text
        self.sources = sources
    }
}

extension Sequence where Element: Hashable {
    /// The elements in order, each once. Inlinable: the guideline and output stages call it from other modules,
    /// where an unspecialized generic hashed and compared through witness tables (a fifth of the guideline stage).
    /// Most lists are a few sources or ids: up to 16 items, a scan of the kept ones costs less than a hashed set.
    @inlinable
    public func uniqued() -> [Element] {
        let items = Array(self)
        guard items.count > 1 else { return items }
        guard items.count > 16 else {
            var kept: [Element] = []
            kept.reserveCapacity(items.count)
            for item in items where !kept.contains(item) { kept.append(item) }
            return kept
        }
        var seen = Set<Element>()
        return items.filter { seen.insert($0).inserted }
    }
}
