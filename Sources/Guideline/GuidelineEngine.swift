import Case
import Foundation
import Terminology

/// One recommendation: what is proposed, and every rule that proposed it (GUIDELINE: two rules
/// proposing the same thing give one recommendation listing both).
public struct Recommendation: Sendable {
    public let ruleIds: [RuleID]
    public let kind: RuleKind
    public let proposal: Proposal
    public let reasons: [Reason]
}

public struct DetectedWarning: Sendable {
    public let ruleId: RuleID
    public let warning: Warning
    public let reasons: [Reason]
}

/// One line of the explanation (§4): every rule, fired or not, with reasons and source references.
public struct RuleExplanation: Sendable {
    public let rule: RuleID
    public let kind: RuleKind
    public let title: String
    public let citation: [SourceText]
    public let fired: Bool
    /// The verdict's reasons as the rule gave them. The texts and the sources are read from them when asked: only
    /// `painpath explain` reads the explanation, and making every rule's lists was a tenth of the guideline stage
    /// for every bundle the daemon evaluates.
    public let verdictReasons: [Reason]
    public var reasons: [String] { verdictReasons.map(\.text) }
    public var sources: [String] { verdictReasons.flatMap(\.sources).uniqued() }
}

public struct GuidelineResult: Sendable {
    public let recommendations: [Recommendation]
    public let warnings: [DetectedWarning]
    public let explanation: [RuleExplanation]
    public var firedRuleIds: [RuleID] { explanation.filter(\.fired).map(\.rule) }
}

/// Facts → recommendations, warnings and the explanation. Pure.
public struct GuidelineEngine: Sendable {
    public let book: RuleBook

    public init(book: RuleBook = Rules.book) { self.book = book }

    /// Every rule's verdict, each rule after the rules it reads. A proposal of something the bundle
    /// already has is turned into a quiet verdict that says so.
    public func outcomes(_ facts: ClinicalCase) -> RuleOutcomes {
        var outcomes = RuleOutcomes()
        for rule in book.evaluationOrder {
            // The context shares the verdicts so far; it is gone before the next verdict is stored, so
            // storing it does not copy the slots.
            var outcome = rule.evaluate(facts, RuleContext(reader: rule, book: book, outcomes: outcomes))
            if outcome.fired, let proposal = outcome.proposal, let existing = Self.existing(proposal.key, in: facts) {
                outcome = .skip(outcome.reasons + [existing])
            }
            outcomes[rule.id] = consume outcome
        }
        return outcomes
    }

    public func evaluate(_ facts: ClinicalCase) -> GuidelineResult {
        var outcomes = outcomes(facts)
        var explanation: [RuleExplanation] = []
        explanation.reserveCapacity(book.rules.count)
        var recommendations: [Recommendation] = []
        var warnings: [DetectedWarning] = []
        for rule in book.rules {
            guard let outcome = outcomes.take(rule.id) else { continue }
            explanation.append(
                RuleExplanation(
                    rule: rule.id, kind: rule.kind, title: rule.title, citation: rule.citation, fired: outcome.fired,
                    verdictReasons: outcome.reasons))
            guard outcome.fired else { continue }
            if let warning = outcome.warning {
                warnings.append(DetectedWarning(ruleId: rule.id, warning: warning, reasons: outcome.reasons))
            } else if let proposal = outcome.proposal {
                if let index = recommendations.firstIndex(where: { $0.proposal.key == proposal.key }) {
                    recommendations[index] = Self.merge(
                        recommendations[index], rule: rule, proposal: proposal, reasons: outcome.reasons)
                } else {
                    recommendations.append(
                        Recommendation(
                            ruleIds: [rule.id], kind: rule.kind, proposal: proposal, reasons: outcome.reasons))
                }
            }
        }
        return GuidelineResult(recommendations: recommendations, warnings: warnings, explanation: explanation)
    }

    /// The same thing already active or requested in the bundle.
    static func existing(_ key: ProposalKey, in facts: ClinicalCase) -> Reason? {
        switch key {
        case .referral(let kind):
            return facts.referrals([kind]).first.map {
                Reason("already requested: \(kind.rawValue) referral", [$0.reference])
            }
        case .physiotherapy:
            return facts.therapies([.physiotherapy]).first.map {
                Reason("physiotherapy already \($0.done ? "done" : "requested")", [$0.reference])
            }
        case .service(.opioidRiskAssessment):
            return facts.opioidRiskAssessments.isEmpty
                ? nil : Reason("risk assessment already recorded", [facts.opioidRiskAssessments[0]])
        default:
            return nil
        }
    }

    /// The more urgent priority, the earlier due date, both details.
    static func merge(_ existing: Recommendation, rule: Rule, proposal: Proposal, reasons: [Reason]) -> Recommendation {
        var merged = existing.proposal
        if proposal.priority > merged.priority {
            merged.priority = proposal.priority
            merged.title = proposal.title
        }
        if let due = proposal.dueBy { merged.dueBy = min(merged.dueBy ?? due, due) }
        if !merged.detail.contains(proposal.detail) { merged.detail += " " + proposal.detail }
        if merged.dose == nil { merged.dose = proposal.dose }
        return Recommendation(
            ruleIds: existing.ruleIds + [rule.id], kind: existing.kind, proposal: merged,
            reasons: existing.reasons + reasons)
    }
}
