import Case
import Foundation
import Terminology

/// What a rule makes (GUIDELINE.md §2 "kind", plus §3 warnings).
public enum RuleKind: String, Sendable {
    case serviceRequest = "S", medicationRequest = "M", activity = "A", warning = "W"
}

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
    public static func cpt(_ code: String, _ display: String) -> Self { Self("http://www.ama-assn.org/go/cpt", code, display) }
}

/// A structured dose for a MedicationRequest proposal: `dose` `unit` `frequency` times a day.
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

/// What a fired recommendation proposes. Two rules proposing the same `key` give one recommendation.
public struct Proposal: Sendable {
    public enum Priority: String, Sendable, Comparable {
        case routine, urgent, asap, stat
        public static func < (a: Self, b: Self) -> Bool { [.routine, .urgent, .asap, .stat].firstIndex(of: a)! < [.routine, .urgent, .asap, .stat].firstIndex(of: b)! }
    }
    /// Identity for merging (`drug:duloxetine`, `service:surgical-evaluation`).
    public var key: String
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
    public var medicationClass: MedicationClass?

    public init(key: String, title: String, detail: String, codes: [ProposalCode] = [], priority: Priority = .routine,
                dueBy: Date? = nil, dose: ProposedDose? = nil, ingredient: String? = nil, medicationClass: MedicationClass? = nil) {
        self.key = key
        self.title = title
        self.detail = detail
        self.codes = codes
        self.priority = priority
        self.dueBy = dueBy
        self.dose = dose
        self.ingredient = ingredient
        self.medicationClass = medicationClass
    }
}

/// A warning's content (DetectedIssue).
public struct Warning: Sendable {
    public enum Severity: String, Sendable, Comparable {
        case low, moderate, high
        public static func < (a: Self, b: Self) -> Bool { [.low, .moderate, .high].firstIndex(of: a)! < [.low, .moderate, .high].firstIndex(of: b)! }
    }
    public let severity: Severity
    public let detail: String
    /// Resources the warning is about.
    public let implicated: [String]
    /// Proposals of this evaluation the warning is about (their `Proposal.key`), e.g. a proposed
    /// tramadol with an active SNRI; the output stage points `implicated` at their requests too.
    public let implicatedProposals: [String]
    /// A mitigation code, when the guideline names one (opioid taper).
    public let mitigation: ProposalCode?
    public init(severity: Severity, detail: String, implicated: [String], implicatedProposals: [String] = [], mitigation: ProposalCode? = nil) {
        self.severity = severity
        self.detail = detail
        self.implicated = implicated
        self.implicatedProposals = implicatedProposals
        self.mitigation = mitigation
    }
}

/// One rule's verdict on one case: fired or not, why, and what it makes.
public struct RuleOutcome: Sendable {
    public var fired: Bool
    public var reasons: [Reason]
    public var proposal: Proposal?
    public var warning: Warning?

    public static func fire(_ reasons: [Reason], _ proposal: Proposal) -> Self { Self(fired: true, reasons: reasons, proposal: proposal) }
    public static func warn(_ reasons: [Reason], _ warning: Warning) -> Self { Self(fired: true, reasons: reasons, warning: warning) }
    public static func skip(_ reasons: [Reason]) -> Self { Self(fired: false, reasons: reasons) }
    public static func skip(_ text: String, _ sources: [String] = []) -> Self { skip([Reason(text, sources)]) }
}

/// What a rule can see besides the case: the verdicts of the rules evaluated before it.
public struct RuleContext: Sendable {
    public let terminology: Terminology
    public internal(set) var outcomes: [String: RuleOutcome] = [:]
    public func fired(_ id: String) -> Bool { outcomes[id]?.fired ?? false }
}

/// One rule of GUIDELINE.md: its id (part of the output contract), kind, title, the source texts
/// it cites, and its test against the case.
public struct Rule: Sendable {
    public let id: String
    public let kind: RuleKind
    public let title: String
    /// Source text numbers of `guideline-sources/` (000 … 004).
    public let citation: [String]
    public let evaluate: @Sendable (ClinicalCase, RuleContext) -> RuleOutcome

    public init(_ id: String, _ kind: RuleKind, _ title: String, cites citation: [String],
                evaluate: @escaping @Sendable (ClinicalCase, RuleContext) -> RuleOutcome) {
        self.id = id
        self.kind = kind
        self.title = title
        self.citation = citation
        self.evaluate = evaluate
    }
}
