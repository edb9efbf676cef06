/// Why a set of rules cannot be evaluated.
public struct RuleBookError: Error, Equatable, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A checked set of rules: one rule per id, every rule it reads present, no cycle; and the order in
/// which to evaluate them, derived from what each rule reads (document order where free).
/// A class, as `Rule`: every rule's context holds the book.
public final class RuleBook: Sendable {
    /// The rules in document order.
    public let rules: [Rule]
    /// The rules in an order where every rule comes after the rules it reads.
    public let evaluationOrder: [Rule]
    private let index: [RuleID: Int]
    /// The ids each selector that a rule reads names, found once: rules ask them at every evaluation, and
    /// filtering all the rules for each question was a third of the guideline stage.
    private let selected: [RuleSelector: [RuleID]]

    public init(_ rules: [Rule]) throws(RuleBookError) {
        var index: [RuleID: Int] = [:]
        for (position, rule) in rules.enumerated() {
            guard index.updateValue(position, forKey: rule.id) == nil else {
                throw RuleBookError("rule \(rule.id.rawValue) is declared twice")
            }
        }
        let sorted = rules.sorted { $0.id < $1.id }
        self.rules = sorted
        self.index = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1.id, $0) })

        // What each rule reads, resolved to rule ids; a selector that names nothing is an error
        // (a misspelt dependency would otherwise be silently empty).
        var reads: [RuleID: [RuleID]] = [:]
        var selected: [RuleSelector: [RuleID]] = [:]
        for rule in sorted {
            var ids: [RuleID] = []
            for selector in rule.reads {
                if selected[selector] == nil { selected[selector] = sorted.filter { $0.matches(selector) }.map(\.id) }
                let found = selected[selector, default: []].filter { $0 != rule.id }
                guard !found.isEmpty else {
                    throw RuleBookError("rule \(rule.id.rawValue) reads \(Self.describe(selector)), which no rule is")
                }
                ids += found
            }
            reads[rule.id] = ids
        }
        self.selected = selected
        evaluationOrder = try Self.order(sorted, reads: reads)
    }

    /// Each rule after the rules it reads; among the rules ready at a step, the first in the
    /// document goes first, so rules that read nothing keep the document's order. A cycle is
    /// reported with its path.
    private static func order(_ rules: [Rule], reads: [RuleID: [RuleID]]) throws(RuleBookError) -> [Rule] {
        try checkAcyclic(rules, reads: reads)
        var done = Set<RuleID>()
        var pending = rules
        var result: [Rule] = []
        while let next = pending.firstIndex(where: { (reads[$0.id] ?? []).allSatisfy(done.contains) }) {
            let rule = pending.remove(at: next)
            done.insert(rule.id)
            result.append(rule)
        }
        return result
    }

    /// Depth-first search for a rule met again while its own reads are being followed.
    private static func checkAcyclic(_ rules: [Rule], reads: [RuleID: [RuleID]]) throws(RuleBookError) {
        var finished = Set<RuleID>()
        var path: [RuleID] = []
        func visit(_ id: RuleID) throws(RuleBookError) {
            if finished.contains(id) { return }
            if let start = path.firstIndex(of: id) {
                let cycle = (path[start...] + [id]).map(\.rawValue).joined(separator: " → ")
                throw RuleBookError("rules read each other in a cycle: \(cycle)")
            }
            path.append(id)
            for dependency in reads[id] ?? [] { try visit(dependency) }
            path.removeLast()
            finished.insert(id)
        }
        for rule in rules { try visit(rule.id) }
    }

    static func describe(_ selector: RuleSelector) -> String {
        switch selector {
        case .rule(let id): "rule \(id.rawValue)"
        case .kind(let kind): "rules of kind \(kind.rawValue)"
        case .kindIn(let kind, let section): "rules of kind \(kind.rawValue) in \(section.rawValue)"
        case .tagged(let tag): "rules tagged \(tag.rawValue)"
        }
    }

    public func rule(_ id: RuleID) -> Rule? { index[id].map { rules[$0] } }

    /// The ids of the rules a selector names, in document order.
    public func ids(_ selector: RuleSelector) -> [RuleID] {
        selected[selector] ?? rules.filter { $0.matches(selector) }.map(\.id)
    }
}
