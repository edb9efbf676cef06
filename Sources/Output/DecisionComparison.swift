import FHIR
import Foundation

/// Compares two recommendation bundles by meaning, not bytes (`painpath replay`): which rules fired
/// in each, and for each resource the rules made, what changed. Ids, fullUrls and the references
/// between new resources are replaced by a stable name (`ServiceRequest[refer-specialist-urgent]`),
/// so a different input digest or a new id scheme is not a difference; a changed priority, code,
/// due date, reason or narrative is.
public struct DecisionComparison: Sendable {
    public struct Change: Sendable, CustomStringConvertible {
        public let resource: String
        public let path: String
        public let expected: String
        public let actual: String
        public var description: String { "\(resource) \(path): \(expected) → \(actual)" }
    }

    public let newlyFired: [String]
    public let noLongerFired: [String]
    public let addedResources: [String]
    public let removedResources: [String]
    public let changes: [Change]

    public var isSame: Bool {
        newlyFired.isEmpty && noLongerFired.isEmpty && addedResources.isEmpty && removedResources.isEmpty
            && changes.isEmpty
    }

    /// The rule ids a bundle carries: request and activity canonicals, DetectedIssue codes.
    public static func firedRules(_ bundle: FHIRElement) -> Set<String> {
        Set(named(bundle).values.flatMap(\.rules))
    }

    public init(expected: FHIRElement, actual: FHIRElement) {
        let before = Self.named(expected)
        let after = Self.named(actual)
        let firedBefore = Set(before.values.flatMap(\.rules))
        let firedAfter = Set(after.values.flatMap(\.rules))
        newlyFired = firedAfter.subtracting(firedBefore).sorted()
        noLongerFired = firedBefore.subtracting(firedAfter).sorted()
        addedResources = Set(after.keys).subtracting(before.keys).sorted()
        removedResources = Set(before.keys).subtracting(after.keys).sorted()
        var changes: [Change] = []
        for name in Set(before.keys).intersection(after.keys).sorted() {
            let old = Self.normalized(
                .element(before[name]!.resource), names: before.mapValues(\.name), urls: Self.urls(expected, before))
            let new = Self.normalized(
                .element(after[name]!.resource), names: after.mapValues(\.name), urls: Self.urls(actual, after))
            Self.diff(old, new, path: "", resource: name, into: &changes)
        }
        self.changes = changes
    }

    /// A readable report; empty when the same.
    public var report: [String] {
        var lines: [String] = []
        if !newlyFired.isEmpty { lines.append("now fires: " + newlyFired.joined(separator: ", ")) }
        if !noLongerFired.isEmpty { lines.append("no longer fires: " + noLongerFired.joined(separator: ", ")) }
        for name in addedResources { lines.append("new resource: \(name)") }
        for name in removedResources { lines.append("resource gone: \(name)") }
        let shown = changes.prefix(20)
        for change in shown { lines.append("changed: \(change)") }
        if changes.count > shown.count { lines.append("… and \(changes.count - shown.count) more changes") }
        return lines
    }

    // MARK: naming

    struct Named {
        let name: String
        let rules: [String]
        let resource: FHIRElement
    }

    /// Each entry's resource by a name that survives new ids: its type and the rules behind it.
    static func named(_ bundle: FHIRElement) -> [String: Named] {
        var result: [String: Named] = [:]
        for entry in bundle.children("entry") {
            guard let resource = entry.child("resource") else { continue }
            let rules = rules(of: resource)
            // The plan is named by its type alone: a changed activity is a change of the plan.
            var name =
                rules.isEmpty || resource.type == "CarePlan"
                ? resource.type : "\(resource.type)[\(rules.joined(separator: ","))]"
            var suffix = 2
            while result[name] != nil {
                name = "\(resource.type)[\(rules.joined(separator: ","))]#\(suffix)"
                suffix += 1
            }
            result[name] = Named(name: name, rules: rules, resource: resource)
        }
        return result
    }

    static func rules(of resource: FHIRElement) -> [String] {
        let last = { (url: String) in String(url.split(separator: "|").first?.split(separator: "/").last ?? "") }
        switch resource.type {
        case "ServiceRequest", "MedicationRequest":
            return resource.strings("instantiatesCanonical").map(last)
        case "DetectedIssue":
            return resource.child("code")?.children("coding").filter {
                ($0.string("system") ?? "").hasSuffix("/CodeSystem/detected-issue")
            }
            .compactMap { $0.string("code") } ?? []
        case "CarePlan":
            // The plan itself is one resource; its activity-only rules count as fired.
            return resource.children("activity").compactMap { $0.child("detail") }.flatMap {
                $0.strings("instantiatesCanonical").map(last)
            }.sorted()
        default:
            return []
        }
    }

    static func urls(_ bundle: FHIRElement, _ named: [String: Named]) -> [String: String] {
        var byIdentity: [String: String] = [:]
        for (name, item) in named { byIdentity[item.resource.string("id") ?? ""] = name }
        var urls: [String: String] = [:]
        for entry in bundle.children("entry") {
            if let url = entry.string("fullUrl"), let id = entry.child("resource")?.string("id"),
                let name = byIdentity[id]
            {
                urls[url] = name
            }
        }
        return urls
    }

    /// A tree of strings without ids, with new-resource references named.
    indirect enum Tree: Equatable {
        case leaf(String)
        case node([(String, [Tree])])
        static func == (a: Tree, b: Tree) -> Bool {
            switch (a, b) {
            case (.leaf(let x), .leaf(let y)): x == y
            case (.node(let x), .node(let y)):
                x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            default: false
            }
        }
    }

    static func normalized(_ value: FHIRValue, names: [String: String], urls: [String: String]) -> Tree {
        switch value {
        case .primitive(let primitive):
            let text = primitive.value ?? ""
            return .leaf(urls[text].map { "<\($0)>" } ?? text)
        case .xhtml(let div):
            return .leaf(div)
        case .element, .deferred:
            let element = value.element ?? FHIRElement(type: "")  // never nil: a deferred resource is built
            return .node(
                element.properties.filter { $0.name != "id" && $0.name != "fullUrl" }.map { property in
                    (property.name, property.values.map { normalized($0, names: names, urls: urls) })
                })
        }
    }

    static func diff(_ a: Tree, _ b: Tree, path: String, resource: String, into changes: inout [Change]) {
        switch (a, b) {
        case (.leaf(let x), .leaf(let y)):
            if x != y {
                changes.append(
                    Change(
                        resource: resource, path: path.isEmpty ? "." : path, expected: shorten(x), actual: shorten(y)))
            }
        case (.node(let x), .node(let y)):
            let left = Dictionary(x, uniquingKeysWith: { first, _ in first })
            let right = Dictionary(y, uniquingKeysWith: { first, _ in first })
            for key in Set(left.keys).union(right.keys).sorted() {
                let l = left[key] ?? []
                let r = right[key] ?? []
                let sub = path.isEmpty ? key : "\(path).\(key)"
                if l.count != r.count {
                    changes.append(
                        Change(
                            resource: resource, path: sub, expected: "\(l.count) value(s)",
                            actual: "\(r.count) value(s)"))
                    continue
                }
                for (index, pair) in zip(l, r).enumerated() {
                    diff(
                        pair.0, pair.1, path: l.count == 1 ? sub : "\(sub)[\(index)]", resource: resource,
                        into: &changes)
                }
            }
        default:
            changes.append(Change(resource: resource, path: path, expected: "a value", actual: "an element"))
        }
    }

    static func shorten(_ text: String) -> String {
        text.count > 80 ? String(text.prefix(77)) + "…" : text
    }
}
