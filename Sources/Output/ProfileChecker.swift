import FHIR
import Foundation

/// Applies PainPath's StructureDefinitions (as published in `profiles/`) to a resource: minimum
/// cardinality, allowed types, fixed codes, required bindings and the profiles' invariants. This is
/// the project's own check of what an R4 model validator (fhir.resources) does not look at.
public struct ProfileChecker: Sendable {
    public struct Issue: Hashable, Sendable, CustomStringConvertible {
        public let location: String
        public let message: String
        public var description: String { "\(location): \(message)" }
    }

    let profiles: [String: FHIRElement]
    let valueSets: [String: Set<String>]

    /// - Parameter artifacts: StructureDefinitions, plus the ValueSets and CodeSystems they bind to.
    public init(artifacts: [FHIRElement]) {
        var profiles: [String: FHIRElement] = [:]
        var codeSystems: [String: Set<String>] = [:]
        for artifact in artifacts {
            guard let url = artifact.string("url") else { continue }
            if artifact.type == "StructureDefinition" { profiles[url] = artifact }
            if artifact.type == "CodeSystem" {
                codeSystems[url] = Set(artifact.children("concept").compactMap { $0.string("code") })
            }
        }
        var valueSets = CoreValueSets.codes
        for artifact in artifacts where artifact.type == "ValueSet" {
            guard let url = artifact.string("url") else { continue }
            let included = artifact.child("compose")?.children("include") ?? []
            valueSets[url] = included.reduce(into: Set<String>()) { codes, include in
                let listed = include.children("concept").compactMap { $0.string("code") }
                codes.formUnion(listed.isEmpty ? codeSystems[include.string("system") ?? ""] ?? [] : Set(listed))
            }
        }
        self.profiles = profiles
        self.valueSets = valueSets
    }

    /// The issues of a resource against the profiles its `meta.profile` names; for a Bundle, also
    /// each entry's resource against its own.
    public func check(_ resource: FHIRElement, location: String? = nil) -> [Issue] {
        let here = location ?? resource.type
        var issues: [Issue] = []
        let named = resource.child("meta")?.strings("profile") ?? []
        for url in named {
            guard let profile = profiles[url] else {
                issues.append(Issue(location: here, message: "names the profile \(url), which is not published"))
                continue
            }
            issues += check(resource, against: profile, location: here)
        }
        if resource.type == "Bundle" {
            for (index, entry) in resource.children("entry").enumerated() {
                if let inner = entry.child("resource") {
                    issues += check(inner, location: "\(here).entry[\(index)].\(inner.type)")
                }
            }
        }
        return issues
    }

    func check(_ resource: FHIRElement, against profile: FHIRElement, location: String) -> [Issue] {
        var issues: [Issue] = []
        let name = profile.string("id") ?? "profile"
        for row in profile.child("differential")?.children("element") ?? [] {
            guard let path = row.string("path") else { continue }
            var steps = path.split(separator: ".").map(String.init)
            guard steps.first == resource.type else {
                issues.append(Issue(location: location, message: "\(name): \(path) is not a path of \(resource.type)"))
                continue
            }
            steps.removeFirst()
            for constraint in row.children("constraint") {
                let key = constraint.string("key") ?? ""
                if let failure = Invariants.check(key, resource) {
                    issues.append(
                        Issue(
                            location: location,
                            message: "\(name) \(key) (\(constraint.string("human") ?? "")): \(failure)"))
                }
            }
            guard let last = steps.last else { continue }
            let parents = Self.values(at: Array(steps.dropLast()), in: resource).compactMap(\.element)
            let minimum = row.string("min").flatMap { Int($0) } ?? 0
            let types = row.children("type").compactMap { $0.string("code") }
            for parent in parents {
                let properties = Self.properties(last, in: parent)
                let values = properties.flatMap(\.values)
                if values.count < minimum {
                    issues.append(
                        Issue(
                            location: location,
                            message: "\(name): \(path) is required (min \(minimum)), found \(values.count)"))
                }
                if row.string("max") == "0", !values.isEmpty {
                    issues.append(Issue(location: location, message: "\(name): \(path) must be absent"))
                }
                if !types.isEmpty, last.hasSuffix("[x]") {
                    let base = String(last.dropLast(3))
                    for property in properties where !types.contains(String(property.name.dropFirst(base.count))) {
                        issues.append(
                            Issue(
                                location: location,
                                message:
                                    "\(name): \(property.name) is not an allowed type (\(types.joined(separator: ", ")))"
                            ))
                    }
                }
                if let fixed = row.string("fixedCode") {
                    for value in values where value.primitive?.value != fixed {
                        issues.append(
                            Issue(
                                location: location,
                                message:
                                    "\(name): \(path) must be \(fixed), found \(value.primitive?.value ?? "a non-code")"
                            ))
                    }
                }
                if let binding = row.child("binding"), binding.string("strength") == "required",
                    let url = binding.string("valueSet")
                {
                    let unversioned = String(url.split(separator: "|").first ?? "")
                    guard let codes = valueSets[unversioned] else {
                        issues.append(
                            Issue(
                                location: location,
                                message: "\(name): \(path) binds to \(url), which the checker does not know"))
                        continue
                    }
                    for value in values where !Self.codes(of: value).contains(where: codes.contains) {
                        issues.append(
                            Issue(
                                location: location,
                                message:
                                    "\(name): \(path) has \(Self.codes(of: value).joined(separator: ", ")), not in \(unversioned)"
                            ))
                    }
                }
            }
        }
        return issues
    }

    /// The values at a path below an element (`activity.detail` → every detail of every activity).
    static func values(at steps: [String], in element: FHIRElement) -> [FHIRValue] {
        var current: [FHIRValue] = [.element(element)]
        for step in steps {
            current = current.compactMap(\.element).flatMap { properties(step, in: $0).flatMap(\.values) }
        }
        return current
    }

    static func properties(_ step: String, in element: FHIRElement) -> [FHIRProperty] {
        guard step.hasSuffix("[x]") else { return element.property(step).map { [$0] } ?? [] }
        let base = String(step.dropLast(3))
        return element.properties.filter {
            $0.name.hasPrefix(base) && $0.name.count > base.count
                && $0.name[$0.name.index($0.name.startIndex, offsetBy: base.count)].isUppercase
        }
    }

    static func codes(of value: FHIRValue) -> [String] {
        if let code = value.primitive?.value { return [code] }
        guard let element = value.element else { return [] }
        if element.type == "Coding" { return element.string("code").map { [$0] } ?? [] }
        return element.children("coding").compactMap { $0.string("code") }
    }
}

/// The profiles' invariants (their FHIRPath `expression`), implemented natively by key. A key
/// without an implementation is reported, so a new invariant in the profiles cannot pass unchecked.
enum Invariants {
    /// nil when the invariant holds, else what is wrong.
    static func check(_ key: String, _ resource: FHIRElement) -> String? {
        let entries = resource.children("entry")
        let types = entries.compactMap { $0.child("resource")?.type }
        switch key {
        case "painpath-ib-1":
            let patients = types.filter { $0 == "Patient" }.count
            return patients == 1 ? nil : "\(patients) Patients"
        case "painpath-ob-1":
            let type = resource.string("type") ?? "none"
            return ["collection", "transaction"].contains(type) ? nil : "type \(type)"
        case "painpath-ob-2":
            let plans = types.filter { $0 == "CarePlan" }.count
            let provenances = types.filter { $0 == "Provenance" }.count
            return plans == 1 && provenances == 1 ? nil : "\(plans) CarePlans, \(provenances) Provenances"
        case "painpath-ob-3":
            guard resource.string("type") == "transaction" else { return nil }
            let missing = entries.filter { $0.child("request")?.string("method") != "POST" }.count
            return missing == 0 ? nil : "\(missing) entries without a POST request"
        case "painpath-ob-4":
            let fullUrls = Set(entries.compactMap { $0.string("fullUrl") })
            let dangling = entries.compactMap { $0.child("resource") }.flatMap(references)
                .filter { $0.hasPrefix("urn:uuid:") && !fullUrls.contains($0) }
            return dangling.isEmpty ? nil : "unresolved: " + dangling.joined(separator: ", ")
        case "painpath-cp-1":
            let bare = resource.children("activity").filter {
                $0.child("reference") == nil && $0.child("detail") == nil
            }.count
            return bare == 0 ? nil : "\(bare) activities with neither reference nor detail"
        default:
            return "no implementation of this invariant in ProfileChecker"
        }
    }

    /// Every `Reference.reference` inside an element.
    static func references(_ element: FHIRElement) -> [String] {
        var found: [String] = []
        if element.type == "Reference", let reference = element.string("reference") { found.append(reference) }
        for property in element.properties {
            for value in property.values { if let child = value.element { found += references(child) } }
        }
        return found
    }
}

/// The codes of the R4 (4.0.1) value sets the profiles bind to.
enum CoreValueSets {
    static let base = "http://hl7.org/fhir/ValueSet/"
    static let codes: [String: Set<String>] = [
        base + "bundle-type": [
            "document", "message", "transaction", "transaction-response", "batch", "batch-response", "history",
            "searchset", "collection",
        ],
        base + "request-status": ["draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown"],
        base + "request-intent": [
            "proposal", "plan", "directive", "order", "original-order", "reflex-order", "filler-order",
            "instance-order", "option",
        ],
        base + "request-priority": ["routine", "urgent", "asap", "stat"],
        base + "care-plan-intent": ["proposal", "plan", "order", "option"],
        base + "care-plan-activity-status": [
            "not-started", "scheduled", "in-progress", "on-hold", "completed", "cancelled", "stopped", "unknown",
            "entered-in-error",
        ],
        base + "medicationrequest-status": [
            "active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown",
        ],
        base + "medicationrequest-intent": [
            "proposal", "plan", "order", "original-order", "reflex-order", "filler-order", "instance-order", "option",
        ],
        base + "observation-status": [
            "registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown",
        ],
        base + "detectedissue-severity": ["high", "moderate", "low"],
        base + "provenance-entity-role": ["derivation", "revision", "quotation", "source", "removal"],
    ]
}

extension ProfileChecker {
    /// The checker over the StructureDefinitions, ValueSets and CodeSystems of a profiles directory.
    public static func load(directory: String) throws -> ProfileChecker {
        let fileManager = FileManager.default
        let names = try fileManager.contentsOfDirectory(atPath: directory).sorted()
            .filter {
                $0.hasSuffix(".json")
                    && ($0.hasPrefix("StructureDefinition-") || $0.hasPrefix("ValueSet-")
                        || $0.hasPrefix("CodeSystem-"))
            }
        var artifacts: [FHIRElement] = []
        for name in names {
            guard let data = fileManager.contents(atPath: directory + "/" + name) else { continue }
            artifacts.append(try FHIRReader().read([UInt8](data)).result.resource)
        }
        return ProfileChecker(artifacts: artifacts)
    }
}
