/// Why a set of rules cannot be evaluated.
public struct RuleBookError: Error, Equatable, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A checked set of rules: one rule per id, every rule it reads present, no cycle; and the order in
/// which to evaluate them, derived from what each rule reads (document order where free).
public struct RuleBook: Sendable {
    /// The rules in document order.
    public let rules: [Rule]
    /// The rules in an order where every rule comes after the rules it reads.
    public let evaluationOrder: [Rule]
    private let index: [RuleID: Int]

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
        for rule in sorted {
            var ids: [RuleID] = []
            for selector in rule.reads {
                let found = sorted.filter { $0.matches(selector) && $0.id != rule.id }.map(\.id)
                guard !found.isEmpty else {
                    throw RuleBookError("rule \(rule.id.rawValue) reads \(Self.describe(selector)), which no rule is")
                }
                ids += found
            }
            reads[rule.id] = ids
        }
        evaluationOrder = try Self.order(sorted, reads: reads)
    }

    /// Depth-first topological order; a rule met again while its own dependencies are being
    /// ordered closes a cycle, which is reported with its path.
    private static func order(_ rules: [Rule], reads: [RuleID: [RuleID]]) throws(RuleBookError) -> [Rule] {
        let byId = Dictionary(uniqueKeysWithValues: rules.map { ($0.id, $0) })
        var done = Set<RuleID>()
        var path: [RuleID] = []
        var result: [Rule] = []
        func visit(_ id: RuleID) throws(RuleBookError) {
            if done.contains(id) { return }
            if let start = path.firstIndex(of: id) {
                let cycle = (path[start...] + [id]).map(\.rawValue).joined(separator: " → ")
                throw RuleBookError("rules read each other in a cycle: \(cycle)")
            }
            path.append(id)
            for dependency in reads[id] ?? [] { try visit(dependency) }
            path.removeLast()
            done.insert(id)
            if let rule = byId[id] { result.append(rule) }
        }
        for rule in rules { try visit(rule.id) }
        return result
    }

    static func describe(_ selector: RuleSelector) -> String {
        switch selector {
        case .rule(let id): "rule \(id.rawValue)"
        case .kind(let kind): "rules of kind \(kind.rawValue)"
        case .tagged(let tag): "rules tagged \(tag.rawValue)"
        }
    }

    public func rule(_ id: RuleID) -> Rule? { index[id].map { rules[$0] } }

    /// The ids of the rules a selector names, in document order.
    public func ids(_ selector: RuleSelector) -> [RuleID] { rules.filter { $0.matches(selector) }.map(\.id) }
}
