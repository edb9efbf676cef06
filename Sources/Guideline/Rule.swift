import Case
import FHIR
import Foundation
import Terminology

/// What a rule makes (GUIDELINE.md §2 "kind", plus §3 warnings).
public enum RuleKind: String, Sendable {
    case serviceRequest = "S"
    case medicationRequest = "M"
    case activity = "A"
    case warning = "W"
}

/// What a rule is besides its kind, for the rules that read other rules' verdicts.
public enum RuleTag: String, HashedByCase, Sendable {
    /// An interventional or surgical option of §2.5 (not the MRI that prepares one).
    case interventionalOption
    /// A medicine given for a short course only (not a long-term medicine to monitor).
    case shortCourse
    /// A non-pharmacological option of §2.4 by the quality of its evidence (002): grouped for people.
    case moderateEvidence, lowerEvidence
}

/// The rules whose verdicts a rule reads: one rule, every rule of a kind (anywhere, or in one
/// section), or every rule with a tag.
public enum RuleSelector: Sendable, Hashable {
    case rule(RuleID)
    case kind(RuleKind)
    case kindIn(RuleKind, GuidelineSection)
    case tagged(RuleTag)

    /// The pain medicines of §2.3 (not naloxone or medication for opioid use disorder of §2.7).
    public static let painMedicines = RuleSelector.kindIn(.medicationRequest, .medicines)
}

/// One rule of GUIDELINE.md: its id (part of the output contract), kind, section, title, the
/// source texts it cites, the rules whose verdicts it reads, and its test against the case.
/// A class: a rule is a definition every evaluation shares, and as a struct each verdict and each context copied
/// it field by field (a retain per array, set and closure).
public final class Rule: Sendable {
    public let id: RuleID
    public let kind: RuleKind
    public let section: GuidelineSection
    public let title: String
    /// Source texts of `guideline-sources/`, in the order the rule cites them.
    public let citation: [SourceText]
    /// The rules whose verdicts this rule reads; they are evaluated before it.
    public let reads: [RuleSelector]
    public let tags: Set<RuleTag>
    let evaluate: @Sendable (ClinicalCase, RuleContext) -> RuleOutcome

    public init(
        _ id: RuleID, _ kind: RuleKind, in section: GuidelineSection, _ title: String, cites citation: [SourceText],
        reads: [RuleSelector] = [], tags: Set<RuleTag> = [],
        evaluate: @escaping @Sendable (ClinicalCase, RuleContext) -> RuleOutcome
    ) {
        self.id = id
        self.kind = kind
        self.section = section
        self.title = title
        self.citation = citation
        self.reads = reads
        self.tags = tags
        self.evaluate = evaluate
    }

    func matches(_ selector: RuleSelector) -> Bool {
        switch selector {
        case .rule(let id): id == self.id
        case .kind(let kind): kind == self.kind
        case .kindIn(let kind, let section): kind == self.kind && section == self.section
        case .tagged(let tag): tags.contains(tag)
        }
    }
}

/// One rule's verdict on one case: fired or not, why, and what it makes.
public struct RuleOutcome: Sendable {
    public var fired: Bool
    public var reasons: [Reason]
    public var proposal: Proposal?
    public var warning: Warning?

    public static func fire(_ reasons: [Reason], _ proposal: Proposal) -> Self {
        Self(fired: true, reasons: reasons, proposal: proposal)
    }
    public static func warn(_ reasons: [Reason], _ warning: Warning) -> Self {
        Self(fired: true, reasons: reasons, warning: warning)
    }
    public static func skip(_ reasons: [Reason]) -> Self { Self(fired: false, reasons: reasons) }
    public static func skip(_ text: String, _ sources: [String] = []) -> Self { skip([Reason(text, sources)]) }
}

/// Verdicts by rule id, one slot per id: rule ids are a closed enum, so a verdict is found by the id's case
/// index, without hashing (rules ask for verdicts at every evaluation).
public struct RuleOutcomes: Sendable {
    private var slots = [RuleOutcome?](repeating: nil, count: RuleID.allCases.count)

    public init() {}

    public subscript(id: RuleID) -> RuleOutcome? {
        get { slots[id.caseIndex] }
        set { slots[id.caseIndex] = newValue }
    }

    /// The verdict moved out (its slot left empty): the engine hands each verdict on once, without a copy.
    mutating func take(_ id: RuleID) -> RuleOutcome? { slots[id.caseIndex].take() }
}

/// What a rule can see besides the case: the verdicts of the rules it declared it reads, and only
/// those (reading another is a programming error, caught in debug builds).
public struct RuleContext: Sendable {
    let reader: Rule
    let book: RuleBook
    let outcomes: RuleOutcomes

    /// The rules of `selector` that fired, in document order.
    public func fired(_ selector: RuleSelector) -> [RuleID] {
        assert(reader.reads.contains(selector), "\(reader.id.rawValue) reads \(selector) without declaring it")
        return book.ids(selector).filter { outcomes[$0]?.fired == true }
    }

    public func fired(_ id: RuleID) -> Bool { !fired(.rule(id)).isEmpty }

    /// What the rule book says of a rule (its tags), not its verdict.
    public func rule(_ id: RuleID, isTagged tag: RuleTag) -> Bool { book.rule(id)?.tags.contains(tag) ?? false }

    /// The proposals of the rules of `selector` that fired.
    public func proposals(_ selector: RuleSelector) -> [Proposal] {
        fired(selector).compactMap { outcomes[$0]?.proposal }
    }
}
