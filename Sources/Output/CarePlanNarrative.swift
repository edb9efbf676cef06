import Case
import Foundation
import Guideline

/// The CarePlan's narrative for clinicians (XHTML `text.div`): a summary, the warnings highlighted,
/// then the recommendations with the most urgent first, each with its reason and due date.
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

    var xhtml: String {
        var html = "<div xmlns=\"http://www.w3.org/1999/xhtml\">"
        html += "<h2>Pain management proposal</h2>"
        html += "<p>" + escape(Self.summary(facts: facts, result: result)) + " Evaluated at " + escape(now) + ".</p>"
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
            for recommendation in Self.ordered(result.recommendations) {
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
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }
}
