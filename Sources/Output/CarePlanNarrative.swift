import Case
import Foundation
import Guideline

/// The CarePlan's narrative for clinicians (XHTML `text.div`): a summary, the three most urgent
/// items, the warnings highlighted, then the recommendations with the most urgent first, each with
/// its reason and due date; the non-pharmacological options of §2.4 as one item by evidence level
/// (each keeps its own activity and rule id in the resources).
/// Written directly in the canonical XHTML form the FHIR layer uses, so JSON and XML carry the same div.
struct CarePlanNarrative {
    let facts: ClinicalCase
    let result: GuidelineResult
    let now: String

    /// One sentence on the case and what was found: also `CarePlan.description`.
    static func summary(facts: ClinicalCase, result: GuidelineResult) -> String {
        var patient: [String] = []
        if let age = facts.age { patient.append("\(age)-year-old") }
        if let sex = facts.sex, ["male", "female"].contains(sex) { patient.append(sex) }
        let phenotypes = facts.phenotypes.keys.sorted().map(\.rawValue)
        var text = patient.isEmpty ? "Patient" : patient.joined(separator: " ")
        text +=
            phenotypes.isEmpty ? " with no pain condition recognised" : " with " + phenotypes.joined(separator: ", ")
        if let duration = facts.duration?.stage, let weeks = facts.duration?.weeks {
            text += " (\(duration.rawValue), \(Int(weeks.rounded(.down))) weeks)"
        }
        text += ", \(facts.setting.value.rawValue) care."
        let urgent = result.recommendations.filter { $0.proposal.priority > .routine }.count
        text += " \(count(result.recommendations.count, "recommendation"))" + (urgent > 0 ? " (\(urgent) urgent)" : "")
        text += ", \(count(result.warnings.count, "warning"))."
        return text
    }

    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// Recommendations, most urgent first; the guideline's order within one priority.
    static func ordered(_ recommendations: [Recommendation]) -> [Recommendation] {
        recommendations.enumerated().sorted { a, b in
            a.element.proposal.priority != b.element.proposal.priority
                ? a.element.proposal.priority > b.element.proposal.priority : a.offset < b.offset
        }.map(\.element)
    }

    static func ordered(_ warnings: [DetectedWarning]) -> [DetectedWarning] {
        warnings.enumerated().sorted { a, b in
            a.element.warning.severity != b.element.warning.severity
                ? a.element.warning.severity > b.element.warning.severity : a.offset < b.offset
        }.map(\.element)
    }

    /// How urgent an item is, for the opening line: stat, asap, urgent requests, then high, moderate
    /// warnings, routine requests, low warnings.
    static func urgency(_ priority: Proposal.Priority) -> Int {
        switch priority {
        case .stat: 7
        case .asap: 6
        case .urgent: 5
        case .routine: 2
        }
    }
    static func urgency(_ severity: Warning.Severity) -> Int {
        switch severity {
        case .high: 4
        case .moderate: 3
        case .low: 1
        }
    }

    /// The three most urgent items in a few words each.
    var mostUrgent: [String] {
        var items: [(Int, Int, String)] = []
        for (offset, detected) in result.warnings.enumerated() {
            items.append((Self.urgency(detected.warning.severity), offset, detected.warning.detail))
        }
        for (offset, recommendation) in result.recommendations.enumerated() where !Self.isOption(recommendation) {
            let title = recommendation.proposal.title
            let due = recommendation.proposal.dueBy.map { " (by \(ClinicalDate.day(max($0, facts.now))))" } ?? ""
            items.append((Self.urgency(recommendation.proposal.priority), 1000 + offset, title + due))
        }
        return items.sorted { ($0.0, -$0.1) > ($1.0, -$1.1) }.prefix(3).map(\.2)
    }

    /// A non-pharmacological option of §2.4 with an evidence level (grouped in the narrative).
    static func isOption(_ recommendation: Recommendation) -> Bool {
        recommendation.kind == .activity && recommendation.ruleIds.allSatisfy { evidence(of: $0) != nil }
    }
    static func evidence(of id: RuleID) -> RuleTag? {
        let tags = Rules.rule(id)?.tags ?? []
        return tags.contains(.moderateEvidence)
            ? .moderateEvidence : tags.contains(.lowerEvidence) ? .lowerEvidence : nil
    }

    /// "Consider: acupuncture, mindfulness-based stress reduction (moderate evidence); yoga or tai chi,
    /// spinal manipulation, massage, progressive relaxation, TENS (lower)".
    static func options(_ recommendations: [Recommendation]) -> String? {
        let options = recommendations.filter(isOption)
        guard !options.isEmpty else { return nil }
        var parts: [String] = []
        for (level, words) in [(RuleTag.moderateEvidence, "moderate evidence"), (.lowerEvidence, "lower")] {
            let names = options.filter { $0.ruleIds.first.flatMap(evidence(of:)) == level }.map {
                lowercasedTitle($0.proposal.title)
            }
            if !names.isEmpty { parts.append(names.joined(separator: ", ") + " (\(words))") }
        }
        return "Consider: " + parts.joined(separator: "; ")
    }

    /// "Yoga or tai chi" → "yoga or tai chi"; an acronym (TENS) stays.
    static func lowercasedTitle(_ title: String) -> String {
        guard let first = title.first, title.count > 1, !title.dropFirst().first!.isUppercase else { return title }
        return first.lowercased() + title.dropFirst()
    }

    var xhtml: String {
        var html = "<div xmlns=\"http://www.w3.org/1999/xhtml\">"
        html += "<h2>Pain management proposal</h2>"
        html += "<p>" + escape(Self.summary(facts: facts, result: result)) + " Evaluated at " + escape(now) + ".</p>"
        let urgent = mostUrgent
        if !urgent.isEmpty {
            html +=
                "<p><b>" + escape("Most urgent:") + "</b> "
                + escape(urgent.enumerated().map { "\($0.offset + 1). \($0.element)" }.joined(separator: " ")) + "</p>"
        }
        if !result.warnings.isEmpty {
            html += "<h3>Warnings</h3><ul>"
            for detected in Self.ordered(result.warnings) {
                html +=
                    "<li><b>"
                    + escape(detected.warning.severity.rawValue.uppercased() + " — " + detected.warning.detail)
                    + "</b> "
                html += escape("Why: " + OutputContext.describe(detected.reasons) + ".")
                if let mitigation = detected.warning.mitigation {
                    html += escape(" Suggested action: \(mitigation.display).")
                }
                html += " <i>" + escape("Rule \(detected.ruleId.rawValue).") + "</i></li>"
            }
            html += "</ul>"
        }
        html += "<h3>Recommendations</h3>"
        if result.recommendations.isEmpty {
            html += "<p>No recommendation: the guideline's criteria are not met by this record.</p>"
        } else {
            html += "<ol>"
            let ordered = Self.ordered(result.recommendations)
            let firstOption = ordered.firstIndex(where: Self.isOption)
            for (index, recommendation) in ordered.enumerated() {
                if Self.isOption(recommendation) {
                    guard index == firstOption, let line = Self.options(ordered) else { continue }
                    let ids = ordered.filter(Self.isOption).flatMap(\.ruleIds).map(\.rawValue).joined(separator: ", ")
                    html += "<li><b>" + escape("Non-pharmacological options") + "</b>: " + escape(line + ".")
                    html += "<br/>" + escape("Why: " + OutputContext.describe(recommendation.reasons) + ".")
                    html += " <i>" + escape("Rules \(ids).") + "</i></li>"
                    continue
                }
                let proposal = recommendation.proposal
                html += "<li>"
                if proposal.priority > .routine {
                    html += "<b>" + escape(proposal.priority.rawValue.uppercased()) + "</b> "
                }
                html += "<b>" + escape(proposal.title) + "</b>: " + escape(proposal.detail)
                if let due = proposal.dueBy {
                    html +=
                        " "
                        + escape(
                            due < facts.now
                                ? "Overdue: was due by \(ClinicalDate.day(due)); do now."
                                : "Due by \(ClinicalDate.day(due)).")
                }
                if let start = proposal.scheduledStart, let end = proposal.scheduledEnd {
                    html += " " + escape("Between \(ClinicalDate.day(start)) and \(ClinicalDate.day(end)).")
                }
                html += "<br/>" + escape("Why: " + OutputContext.describe(recommendation.reasons) + ".")
                html +=
                    " <i>"
                    + escape(
                        "Rule\(recommendation.ruleIds.count == 1 ? "" : "s") "
                            + recommendation.ruleIds.map(\.rawValue).joined(separator: ", ") + ".") + "</i></li>"
            }
            html += "</ol>"
        }
        html +=
            "<p><i>"
            + escape(
                "Proposals for review by the treating clinician; nothing has been ordered. Generated by \(Engine.name) \(Engine.version)."
            ) + "</i></p>"
        html += "</div>"
        return html
    }

    func escape(_ text: String) -> String {
        // Byte by byte: only three ASCII characters change, and most texts have none of them.
        guard
            text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") })
        else { return text }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): out += "&amp;".utf8
            case UInt8(ascii: "<"): out += "&lt;".utf8
            case UInt8(ascii: ">"): out += "&gt;".utf8
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
