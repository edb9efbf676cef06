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
    /// `summary(facts:result:)`, made once: the CarePlan's description says it too.
    let summary: String
    /// Each recommendation's and warning's reasons as a sentence (`OutputContext.describe`), by position: the
    /// requests' notes and the issues' details say them too, and they are written once per bundle.
    let whyOfRecommendations: [String]
    let whyOfWarnings: [String]
    /// Whether each recommendation (by its position in the result) is a §2.4 option, asked once each.
    private let isOptionAt: [Bool]

    init(
        facts: ClinicalCase, result: GuidelineResult, now: String, summary: String, whyOfRecommendations: [String],
        whyOfWarnings: [String]
    ) {
        self.facts = facts
        self.result = result
        self.now = now
        self.summary = summary
        self.whyOfRecommendations = whyOfRecommendations
        self.whyOfWarnings = whyOfWarnings
        self.isOptionAt = result.recommendations.map(Self.isOption)
    }

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

    /// The positions of the recommendations, most urgent first; the guideline's order within one priority.
    /// Positions, not the recommendations: sorting moved whole recommendations (their texts and lists) around.
    static func orderedPositions(_ recommendations: [Recommendation]) -> [Int] {
        recommendations.indices.sorted { a, b in
            let first = recommendations[a].proposal.priority
            let second = recommendations[b].proposal.priority
            return first != second ? first > second : a < b
        }
    }

    /// The positions of the warnings, highest severity first; the guideline's order within one severity.
    static func orderedPositions(_ warnings: [DetectedWarning]) -> [Int] {
        warnings.indices.sorted { a, b in
            let first = warnings[a].warning.severity
            let second = warnings[b].warning.severity
            return first != second ? first > second : a < b
        }
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

    /// The three most urgent items in a few words each. Ranked first, then only those three are written (a due
    /// date written for every recommendation was most of this).
    var mostUrgent: [String] {
        // (urgency, order): warnings in the result's order, then the recommendations that are not §2.4 options.
        var items: [(urgency: Int, order: Int)] = []
        items.reserveCapacity(result.warnings.count + result.recommendations.count)
        for (offset, detected) in result.warnings.enumerated() {
            items.append((Self.urgency(detected.warning.severity), offset))
        }
        for (offset, recommendation) in result.recommendations.enumerated() where !isOptionAt[offset] {
            items.append((Self.urgency(recommendation.proposal.priority), 1000 + offset))
        }
        items.sort { ($0.urgency, -$0.order) > ($1.urgency, -$1.order) }
        return items.prefix(3).map { item in
            guard item.order >= 1000 else { return result.warnings[item.order].warning.detail }
            let proposal = result.recommendations[item.order - 1000].proposal
            let due = proposal.dueBy.map { " (by \(ClinicalDate.day(max($0, facts.now))))" } ?? ""
            return proposal.title + due
        }
    }

    /// A non-pharmacological option of §2.4 with an evidence level (grouped in the narrative).
    static func isOption(_ recommendation: Recommendation) -> Bool {
        recommendation.kind == .activity && recommendation.ruleIds.allSatisfy { evidence(of: $0) != nil }
    }
    static func evidence(of id: RuleID) -> RuleTag? { evidenceByRule[id.caseIndex] }
    /// Each rule's evidence level by its id's case index, read once from the rule book.
    private static let evidenceByRule: [RuleTag?] = RuleID.allCases.map { id in
        let tags = Rules.rule(id)?.tags ?? []
        return tags.contains(.moderateEvidence)
            ? .moderateEvidence : tags.contains(.lowerEvidence) ? .lowerEvidence : nil
    }

    /// "Consider: acupuncture, mindfulness-based stress reduction (moderate evidence); yoga or tai chi,
    /// spinal manipulation, massage, progressive relaxation, TENS (lower)": the options (their positions in
    /// `recommendations`, in the order to name them).
    static func options(_ recommendations: [Recommendation], at positions: [Int]) -> String? {
        guard !positions.isEmpty else { return nil }
        var parts: [String] = []
        for (level, words) in [(RuleTag.moderateEvidence, "moderate evidence"), (.lowerEvidence, "lower")] {
            let names = positions.filter { recommendations[$0].ruleIds.first.flatMap(evidence(of:)) == level }.map {
                lowercasedTitle(recommendations[$0].proposal.title)
            }
            if !names.isEmpty { parts.append(names.joined(separator: ", ") + " (\(words))") }
        }
        return "Consider: " + parts.joined(separator: "; ")
    }

    /// "Yoga or tai chi" → "yoga or tai chi"; an acronym (TENS) stays.
    static func lowercasedTitle(_ title: String) -> String {
        // The guideline's titles start with two ASCII letters: decided on the bytes, without Unicode's tables.
        let utf8 = title.utf8
        if utf8.count > 2, let first = utf8.first, let second = utf8.dropFirst().first, first < 0x80,
            second < 0x80, second != 0x0A
        {
            let isUpper = { (byte: UInt8) in byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
            guard isUpper(first), !isUpper(second) else { return title }
            var bytes = Array(utf8)
            bytes[0] |= 0x20
            return String(decoding: bytes, as: UTF8.self)
        }
        guard let first = title.first, title.count > 1, !title.dropFirst().first!.isUppercase else { return title }
        return first.lowercased() + title.dropFirst()
    }

    var xhtml: String {
        // Written into one string, piece by piece: joining pieces with `+` made a new string per join.
        var html = Writer()
        html.raw("<div xmlns=\"http://www.w3.org/1999/xhtml\"><h2>Pain management proposal</h2><p>")
        html.text(summary)
        html.raw(" Evaluated at ")
        html.text(now)
        html.raw(".</p>")
        let urgent = mostUrgent
        if !urgent.isEmpty {
            html.raw("<p><b>Most urgent:</b> ")
            for (offset, item) in urgent.enumerated() {
                if offset > 0 { html.raw(" ") }
                html.text("\(offset + 1). ")
                html.text(item)
            }
            html.raw("</p>")
        }
        if !result.warnings.isEmpty {
            html.raw("<h3>Warnings</h3><ul>")
            for position in Self.orderedPositions(result.warnings) {
                let detected = result.warnings[position]
                html.raw("<li><b>")
                html.text(detected.warning.severity.rawValue.uppercased())
                html.raw(" — ")
                html.text(detected.warning.detail)
                html.raw("</b> Why: ")
                html.text(whyOfWarnings[position])
                html.raw(".")
                if let mitigation = detected.warning.mitigation {
                    html.raw(" Suggested action: ")
                    html.text(mitigation.display)
                    html.raw(".")
                }
                html.raw(" <i>Rule ")
                html.text(detected.ruleId.rawValue)
                html.raw(".</i></li>")
            }
            html.raw("</ul>")
        }
        html.raw("<h3>Recommendations</h3>")
        if result.recommendations.isEmpty {
            html.raw("<p>No recommendation: the guideline's criteria are not met by this record.</p>")
        } else {
            html.raw("<ol>")
            let recommendations = result.recommendations
            let order = Self.orderedPositions(recommendations)
            let optionPositions = order.filter { isOptionAt[$0] }
            for position in order {
                let recommendation = recommendations[position]
                if isOptionAt[position] {
                    guard position == optionPositions.first,
                        let line = Self.options(recommendations, at: optionPositions)
                    else { continue }
                    let ids = optionPositions.flatMap { recommendations[$0].ruleIds }.map(\.rawValue).joined(
                        separator: ", ")
                    html.raw("<li><b>Non-pharmacological options</b>: ")
                    html.text(line)
                    html.raw(".<br/>Why: ")
                    html.text(whyOfRecommendations[position])
                    html.raw(". <i>Rules ")
                    html.text(ids)
                    html.raw(".</i></li>")
                    continue
                }
                let proposal = recommendation.proposal
                html.raw("<li>")
                if proposal.priority > .routine {
                    html.raw("<b>")
                    html.text(proposal.priority.rawValue.uppercased())
                    html.raw("</b> ")
                }
                html.raw("<b>")
                html.text(proposal.title)
                html.raw("</b>: ")
                html.text(proposal.detail)
                if let due = proposal.dueBy {
                    html.raw(" ")
                    html.text(
                        due < facts.now
                            ? "Overdue: was due by \(ClinicalDate.day(due)); do now."
                            : "Due by \(ClinicalDate.day(due)).")
                }
                if let start = proposal.scheduledStart, let end = proposal.scheduledEnd {
                    html.raw(" ")
                    html.text("Between \(ClinicalDate.day(start)) and \(ClinicalDate.day(end)).")
                }
                html.raw("<br/>Why: ")
                html.text(whyOfRecommendations[position])
                html.raw(". <i>")
                html.raw(recommendation.ruleIds.count == 1 ? "Rule " : "Rules ")
                for (offset, id) in recommendation.ruleIds.enumerated() {
                    if offset > 0 { html.raw(", ") }
                    html.text(id.rawValue)
                }
                html.raw(".</i></li>")
            }
            html.raw("</ol>")
        }
        html.raw("<p><i>")
        html.text(
            "Proposals for review by the treating clinician; nothing has been ordered. Generated by \(Engine.name) \(Engine.version)."
        )
        html.raw("</i></p></div>")
        return html.result
    }

    /// The narrative being written, as UTF-8 bytes: markup appended as it is, text escaped (only `&`, `<` and `>`
    /// change; most texts have none, and are appended whole). Bytes, not a String: a String's append checks its
    /// storage's uniqueness, capacity and encoding on every piece, and the narrative is written in a few hundred
    /// pieces (a sixth of the output bundle's instructions went to those appends).
    struct Writer {
        private var bytes: [UInt8] = []

        init() { bytes.reserveCapacity(8192) }

        /// The narrative written so far. Not validated again: every byte is a literal's or a valid String's, and the
        /// escapes only replace ASCII bytes with ASCII (validating it as a new String was a quarter of writing it).
        var result: String {
            bytes.withUnsafeBufferPointer { written in
                String(copying: unsafe UTF8Span(unchecked: unsafe Span(_unsafeElements: written)))
            }
        }

        mutating func raw(_ markup: StaticString) {
            markup.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }

        mutating func text(_ text: String) {
            // In place; only a string bridged from another runtime has no contiguous UTF-8 (none on Linux).
            if text.utf8.withContiguousStorageIfAvailable({ appendEscaped($0) }) == nil {
                let copied = Array(text.utf8)
                copied.withUnsafeBufferPointer { appendEscaped($0) }
            }
        }

        private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
            let raw = UnsafeRawBufferPointer(utf8)
            var runStart = 0
            var offset = 0
            while offset < raw.count {
                // Eight bytes at a time to the next `&`, `<` or `>`: most texts have none.
                if offset + 8 <= raw.count {
                    let marks = Self.markupMarks(
                        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                    guard marks != 0 else {
                        offset += 8
                        continue
                    }
                    offset += marks.trailingZeroBitCount >> 3
                }
                let entity: StaticString
                switch raw[offset] {
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                default:
                    offset += 1
                    continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<offset]))
                self.raw(entity)
                offset += 1
                runStart = offset
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }

        /// The high bit of each byte of `word` that is `&`, `<` or `>`, exact up to the first such byte (the
        /// borrow of the zero-byte test may mark bytes after it; the scan goes on from that first one).
        @inline(__always)
        static func markupMarks(_ word: UInt64) -> UInt64 {
            @inline(__always) func zeroBytes(_ value: UInt64) -> UInt64 {
                (value &- 0x0101_0101_0101_0101) & ~value & 0x8080_8080_8080_8080
            }
            return zeroBytes(word ^ 0x2626_2626_2626_2626) | zeroBytes(word ^ 0x3C3C_3C3C_3C3C_3C3C)
                | zeroBytes(word ^ 0x3E3E_3E3E_3E3E_3E3E)
        }
    }
}
