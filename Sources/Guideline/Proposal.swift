import Case
import Foundation
import Terminology

/// A code for a proposal; every one is in `shared/terminology/codes.csv`.
public struct ProposalCode: Hashable, Sendable {
    public let system: String
    public let code: String
    public let display: String
    public init(_ system: String, _ code: String, _ display: String) {
        self.system = system
        self.code = code
        self.display = display
    }
    public static func snomed(_ code: String, _ display: String) -> Self { Self(CodeSystems.snomed, code, display) }
    public static func loinc(_ code: String, _ display: String) -> Self { Self(CodeSystems.loinc, code, display) }
    public static func rxnorm(_ code: String, _ display: String) -> Self { Self(CodeSystems.rxnorm, code, display) }
    public static func cpt(_ code: String, _ display: String) -> Self {
        Self("http://www.ama-assn.org/go/cpt", code, display)
    }
}

/// A structured dose for a MedicationRequest proposal: `dose` `unit`, `timesPerDay` times a day.
public struct ProposedDose: Hashable, Sendable {
    public let dose: Double
    public let unit: String
    public let timesPerDay: Int
    public init(_ dose: Double, _ unit: String, timesPerDay: Int) {
        self.dose = dose
        self.unit = unit
        self.timesPerDay = timesPerDay
    }
}

/// What a proposal is, for merging: two rules proposing the same key give one recommendation, and
/// the engine checks the bundle for the same thing already requested.
public enum ProposalKey: Hashable, Sendable, CustomStringConvertible {
    /// A medicine, by ingredient.
    case medicine(String)
    /// A referral (specialist, surgical, multidisciplinary pain centre).
    case referral(ReferralFact.Kind)
    /// Physiotherapy, whichever rule proposes it.
    case physiotherapy
    /// A service or activity of its own, named by the rule that proposes it.
    case service(RuleID)
    case activity(RuleID)

    /// A stable text (request ids are derived from it).
    public var description: String {
        switch self {
        case .medicine(let ingredient): "drug:\(ingredient)"
        case .referral(.specialist): "service:specialist-referral"
        case .referral(.surgical): "service:surgical-evaluation"
        case .referral(.multidisciplinary): "service:multidisciplinary-pain"
        case .physiotherapy: "service:physiotherapy"
        case .service(let id): "service:\(id.rawValue)"
        case .activity(let id): "activity:\(id.rawValue)"
        }
    }
}

/// What a fired recommendation proposes.
public struct Proposal: Sendable {
    /// FHIR request priorities, least urgent first.
    public enum Priority: String, Sendable, Comparable, CaseIterable {
        case routine, urgent, asap, stat
        public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
        var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    }
    public var key: ProposalKey
    /// What is proposed, in words.
    public var title: String
    /// Instructions (dosage text, what the referral is for).
    public var detail: String
    public var codes: [ProposalCode]
    public var priority: Priority
    /// Due date (`occurrencePeriod.end`), when timing matters.
    public var dueBy: Date?
    /// Scheduled window (`scheduledPeriod` of an activity).
    public var scheduledStart: Date?
    public var scheduledEnd: Date?
    public var dose: ProposedDose?
    /// The ingredient proposed (medicines), for conflict checks.
    public var ingredient: String?

    public init(
        key: ProposalKey, title: String, detail: String, codes: [ProposalCode] = [], priority: Priority = .routine,
        dueBy: Date? = nil, dose: ProposedDose? = nil, ingredient: String? = nil
    ) {
        self.key = key
        self.title = title
        self.detail = detail
        self.codes = codes
        self.priority = priority
        self.dueBy = dueBy
        self.dose = dose
        self.ingredient = ingredient
    }
}

/// A warning's content (DetectedIssue).
public struct Warning: Sendable {
    /// DetectedIssue severities, least severe first.
    public enum Severity: String, Sendable, Comparable, CaseIterable {
        case low, moderate, high
        public static func < (a: Self, b: Self) -> Bool { a.rank < b.rank }
        var rank: Int { Self.allCases.firstIndex(of: self) ?? 0 }
    }
    public let severity: Severity
    public let detail: String
    /// Resources the warning is about.
    public let implicated: [String]
    /// Proposals of this evaluation the warning is about, e.g. a proposed tramadol with an active
    /// SNRI; the output stage points `implicated` at their requests too.
    public let implicatedProposals: [ProposalKey]
    /// A mitigation code, when the guideline names one (opioid taper).
    public let mitigation: ProposalCode?
    public init(
        severity: Severity, detail: String, implicated: [String], implicatedProposals: [ProposalKey] = [],
        mitigation: ProposalCode? = nil
    ) {
        self.severity = severity
        self.detail = detail
        self.implicated = implicated
        self.implicatedProposals = implicatedProposals
        self.mitigation = mitigation
    }
}
