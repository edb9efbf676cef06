import Case
import Foundation
import Terminology

/// One recommendation: what is proposed, and every rule that proposed it (GUIDELINE: two rules
/// proposing the same thing give one recommendation listing both).
public struct Recommendation: Sendable {
    public let ruleIds: [String]
    public let kind: RuleKind
    public let proposal: Proposal
    public let reasons: [Reason]
}

public struct DetectedWarning: Sendable {
    public let ruleId: String
    public let warning: Warning
    public let reasons: [Reason]
}

/// One line of the explanation (§4): every rule, fired or not, with reasons and source references.
public struct RuleExplanation: Sendable {
    public let rule: String
    public let kind: RuleKind
    public let title: String
    public let citation: [String]
    public let fired: Bool
    public let reasons: [String]
    public let sources: [String]
}

public struct GuidelineResult: Sendable {
    public let recommendations: [Recommendation]
    public let warnings: [DetectedWarning]
    public let explanation: [RuleExplanation]
    public var firedRuleIds: [String] { explanation.filter(\.fired).map(\.rule) }
}

/// Facts → recommendations, warnings and the explanation. Pure.
public struct GuidelineEngine: Sendable {
    public let terminology: Terminology

    public init(terminology: Terminology) { self.terminology = terminology }

    public func evaluate(_ facts: ClinicalCase) -> GuidelineResult {
        var context = RuleContext(terminology: terminology)
        for rule in Rules.evaluationOrder {
            var outcome = rule.evaluate(facts, context)
            if outcome.fired, let proposal = outcome.proposal, let existing = Self.existing(proposal, in: facts) {
                outcome = .skip(outcome.reasons + [existing])
            }
            context.outcomes[rule.id] = outcome
        }

        var explanation: [RuleExplanation] = []
        var recommendations: [Recommendation] = []
        var warnings: [DetectedWarning] = []
        for rule in Rules.all {
            guard let outcome = context.outcomes[rule.id] else { continue }
            let sources = Self.unique(outcome.reasons.flatMap(\.sources))
            explanation.append(RuleExplanation(rule: rule.id, kind: rule.kind, title: rule.title, citation: rule.citation, fired: outcome.fired,
                                               reasons: outcome.reasons.map(\.text), sources: sources))
            guard outcome.fired else { continue }
            if let warning = outcome.warning {
                warnings.append(DetectedWarning(ruleId: rule.id, warning: warning, reasons: outcome.reasons))
            } else if let proposal = outcome.proposal {
                if let index = recommendations.firstIndex(where: { $0.proposal.key == proposal.key }) {
                    recommendations[index] = Self.merge(recommendations[index], rule: rule, proposal: proposal, reasons: outcome.reasons)
                } else {
                    recommendations.append(Recommendation(ruleIds: [rule.id], kind: rule.kind, proposal: proposal, reasons: outcome.reasons))
                }
            }
        }
        return GuidelineResult(recommendations: recommendations, warnings: warnings, explanation: explanation)
    }

    /// The same thing already active or requested in the bundle.
    static func existing(_ proposal: Proposal, in facts: ClinicalCase) -> Reason? {
        let referral: ReferralFact.Kind? = switch proposal.key {
        case "service:specialist-referral": .specialist
        case "service:surgical-evaluation": .surgical
        case "service:multidisciplinary-pain": .multidisciplinary
        default: nil
        }
        if let referral, let found = facts.referrals([referral]).first {
            return Reason("already requested: \(referral.rawValue) referral", [found.reference])
        }
        if proposal.key == "service:physiotherapy", let found = facts.therapies([.physiotherapy]).first {
            return Reason("physiotherapy already \(found.done ? "done" : "requested")", [found.reference])
        }
        if proposal.key == "service:opioid-risk-assessment", let found = facts.opioidRiskAssessments.first {
            return Reason("risk assessment already recorded", [found])
        }
        return nil
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
        return Recommendation(ruleIds: existing.ruleIds + [rule.id], kind: existing.kind, proposal: merged, reasons: existing.reasons + reasons)
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
