import FHIR
import Foundation
import Terminology

public enum Phenotype: String, HashedByCase, Sendable, Comparable {
    case axialLowBackPain = "axial low back pain"
    case radicular = "radicular pain"
    case neuropathic = "neuropathic pain"
    case peripheralNeuropathic = "peripheral neuropathic pain"
    case spinalCordInjury = "spinal cord injury pain"
    case vertebralCompressionFracture = "vertebral compression fracture"
    case failedBackSurgery = "failed back surgery syndrome"
    case spinalStenosis = "spinal stenosis"
    case facetJoint = "facet joint pain"
    case sacroiliacJoint = "sacroiliac joint pain"
    case spinalInstability = "spinal instability"
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Phenotypes that make a back-pain episode.
    public static let backPain: Set<Phenotype> = [
        .axialLowBackPain, .radicular, .vertebralCompressionFracture, .failedBackSurgery, .spinalStenosis, .facetJoint,
        .sacroiliacJoint, .spinalInstability,
    ]
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

/// How long the episode has lasted (GUIDELINE §1: acute < 6 weeks, subacute 6–12, chronic ≥ 12).
public struct EpisodeDuration: Sendable {
    public enum Stage: String, Sendable { case acute, subacute, chronic }
    public let weeks: Double
    public let stage: Stage
    public init(weeks: Double) {
        self.weeks = weeks
        stage = weeks < 6 ? .acute : weeks < 12 ? .subacute : .chronic
    }

    /// How the rules cite a duration: its stage and whole weeks since the onset (`?` when it was counted from the
    /// presentation), with the onset's sources; "duration unknown" without one.
    public static func reason(_ duration: EpisodeDuration?, onset: Sourced<Date>?) -> Reason {
        guard let duration else { return Reason("duration unknown (no onset or recorded date)") }
        let since = onset.map { ClinicalDate.day($0.value) } ?? "?"
        return Reason(
            "\(duration.stage.rawValue): \(Int(duration.weeks)) weeks since onset \(since)", onset?.sources ?? [])
    }
}

public struct ClinicalMeasurement: Sendable {
    public let value: Double
    public let date: Date?
    public let reference: String
}

/// Improvement: current pain ≤ 70 % of baseline, or ODI down ≥ 10 points (GUIDELINE §1).
public struct Improvement: Sendable {
    public enum Measure: Sendable { case pain, odi }
    public let measure: Measure
    public let baseline: ClinicalMeasurement
    public let current: ClinicalMeasurement

    public var text: String {
        let values = "\(format(baseline.value)) → \(format(current.value))"
        let references = "\(baseline.reference) → \(current.reference)"
        return switch measure {
        case .pain: "pain \(values) (≥ 30 % reduction; \(references))"
        case .odi: "ODI \(values) (≥ 10 points; \(references))"
        }
    }
}

public struct StartBackResult: Sendable {
    public enum Risk: String, Sendable { case low, medium, high }
    public let risk: Risk
    public let total: Int?
    public let distress: Int?
    public let date: Date?
    public let sources: [String]
    /// How the risk was read, for the explanation.
    public let how: String
}

/// What makes radicular pain severe (GUIDELINE §1).
public enum SevereRadicularEvidence: Sendable {
    case conditionSevere(label: String, reference: String)
    case painScore(ClinicalMeasurement)
    case disability(ClinicalMeasurement)

    public var reason: Reason {
        switch self {
        case .conditionSevere(let label, let reference):
            Reason("\(label) recorded as severe", [reference])
        case .painScore(let score):
            Reason(
                "pain rated \(format(score.value))/10\(score.date.map { " on " + ClinicalDate.day($0) } ?? "")",
                [score.reference])
        case .disability(let odi):
            Reason("ODI \(format(odi.value)) % (severe disability)", [odi.reference])
        }
    }
}

public struct DeficitFinding: Sendable {
    public let reference: String
    public let label: String
    public let progression: DeficitProgression?
    public let caudaEquina: Bool
    public var progressive: Bool { progression != nil }
}

/// Why a neurological deficit is progressive (GUIDELINE §1).
public enum DeficitProgression: Sendable {
    case coded
    case interpretationWorse
    case described(word: String)
    case worsened(from: Double, to: Double, previous: String, latest: String)

    public var text: String {
        switch self {
        case .coded: "coded as progressive or worsening"
        case .interpretationWorse: "interpretation W (worse)"
        case .described(let word): "described as \(word)"
        case .worsened(let from, let to, let previous, let latest):
            "worsened from \(format(from)) to \(format(to)) (\(previous) → \(latest))"
        }
    }
}

public enum RedFlag: String, HashedByCase, Sendable, Comparable {
    case caudaEquina = "cauda equina syndrome"
    case progressiveDeficit = "progressive neurological deficit"
    case malignancy
    case spinalInfection = "spinal infection"
    case vertebralFracture = "vertebral fracture"
    case weightLoss = "unexplained weight loss"
    case fever = "fever with back pain"
    case ivDrugUse = "intravenous drug use"
    case immunosuppression
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// A psychosocial factor of GUIDELINE §1.
public struct PsychosocialFactor: Sendable {
    public enum Kind: Sendable, Equatable {
        case startBackDistress(Int)
        case depression(label: String)
        case anxiety(label: String)
        case phq9(Double)
        case gad7(Double)
    }
    public let kind: Kind
    public let sources: [String]
    public init(_ kind: Kind, _ sources: [String]) {
        self.kind = kind
        self.sources = sources
    }

    public var isDepression: Bool {
        if case .depression = kind { return true }
        return false
    }

    public var text: String {
        switch kind {
        case .startBackDistress(let score): "STarT Back distress subscore \(score) (≥ 4)"
        case .depression(let label): "depression: \(label)"
        case .anxiety(let label): "anxiety: \(label)"
        case .phq9(let score): "PHQ-9 \(format(score)) (≥ 10)"
        case .gad7(let score): "GAD-7 \(format(score)) (≥ 10)"
        }
    }
    public var reason: Reason { Reason(text, sources) }
}

/// A fact that puts the case out of the CDC 2022 guideline's scope (GUIDELINE §2.7).
public struct ScopeExclusion: Sendable {
    public enum Kind: String, HashedByCase, Sendable {
        case activeCancer = "active cancer"
        case sickleCellDisease = "sickle cell disease"
        case hospiceOrEndOfLife = "hospice, palliative or end-of-life care"
        case limitedLifeExpectancy = "limited life expectancy"
    }
    public let kind: Kind
    public let sources: [String]
    public init(_ kind: Kind, _ sources: [String]) {
        self.kind = kind
        self.sources = sources
    }
}
