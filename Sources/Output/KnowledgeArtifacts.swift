import FHIR
import Guideline

/// The published knowledge artifacts of `profiles/` (GUIDELINE.md: the id contract), generated from
/// `Rules.all` so that code and profiles cannot drift: the PlanDefinition (one action per rule), an
/// ActivityDefinition per request or activity rule, the detected-issue CodeSystem and its ValueSet,
/// and the StructureDefinitions (differential) of the input and output. `painpath profiles --out
/// profiles` writes them; a test fails when the files differ from what this produces.
public struct KnowledgeArtifacts: Sendable {
    public let canonicals: Canonicals

    public init(canonicals: Canonicals = Canonicals()) { self.canonicals = canonicals }

    /// The source texts of `guideline-sources/`, by number.
    public static let sourceTitles: [(number: String, title: String)] = [
        ("000", "Management of Multisite Neuropathic Pain with Back Pain"),
        ("001", "Neuropathic Pain Management: A Review"),
        ("002", "Management of Chronic Back Pain Refractory to Initial Medications"),
        ("003", "From the Guidelines: when conservative management for back pain does not work"),
        ("004", "Management of Intractable Back Pain with Radicular Symptoms from Lumbar Compression Fracture"),
        ("CDC 2022", "CDC Clinical Practice Guideline for Prescribing Opioids for Pain — United States, 2022"),
    ]

    /// File name → resource, in a stable order.
    public func all() -> [(fileName: String, resource: FHIRElement)] {
        var files: [(String, FHIRElement)] = [("PlanDefinition-\(Canonicals.planDefinitionId).json", planDefinition())]
        for rule in Rules.all where rule.kind != .warning {
            files.append(("ActivityDefinition-\(rule.id.rawValue).json", activityDefinition(rule)))
        }
        files.append(("CodeSystem-detected-issue.json", detectedIssueCodeSystem()))
        files.append(("ValueSet-detected-issue.json", detectedIssueValueSet()))
        for profile in OutputProfiles(canonicals: canonicals).all() {
            files.append(("StructureDefinition-\(profile.string("id") ?? "").json", profile))
        }
        return files
    }

    // MARK: the artifacts

    public func planDefinition() -> FHIRElement {
        var plan = metadata(
            type: "PlanDefinition", id: Canonicals.planDefinitionId, url: canonicals.planDefinition,
            name: "PainPathPainManagement", title: "PainPath pain-management guideline",
            description: "Back, radicular and neuropathic pain: stratification, referral timing, medicines, "
                + "non-pharmacological, interventional and surgical options, monitoring, and the warnings of GUIDELINE.md. "
                + "One action per rule; the action id is the rule id of the output contract.")
        plan.set(
            "type",
            .element(concept("http://terminology.hl7.org/CodeSystem/plan-definition-type", "eca-rule", "ECA Rule")))
        plan.set("relatedArtifact", Self.sourceTitles.map { .element(citation($0.number, $0.title)) })
        plan.set("action", Rules.all.map { .element(action($0)) })
        return plan
    }

    func action(_ rule: Rule) -> FHIRElement {
        var action = FHIRElement(type: "PlanDefinition.action")
        action.set("id", .primitive("string", rule.id.rawValue))
        action.set("title", .string(rule.title))
        action.set("description", .string(Self.kindDescription(rule.kind) + ": " + rule.title + "."))
        if rule.kind == .warning {
            action.set(
                "code",
                .element(
                    FHIRElement(type: "CodeableConcept")
                        .with("coding", coding(canonicals.detectedIssueSystem, rule.id.rawValue, rule.title))))
        }
        action.set("documentation", citations(rule))
        if rule.kind != .warning {
            action.set("definitionCanonical", .primitive("canonical", canonicals.activityDefinition(rule.id)))
        }
        return action
    }

    public func activityDefinition(_ rule: Rule) -> FHIRElement {
        var definition = metadata(
            type: "ActivityDefinition", id: rule.id.rawValue, url: canonicals.activityDefinition(rule.id),
            name: Self.pascalCase(rule.id.rawValue), title: rule.title,
            description: Self.kindDescription(rule.kind)
                + " proposed by the PainPath rule `\(rule.id.rawValue)`: \(rule.title).")
        definition.set("relatedArtifact", citations(rule))
        switch rule.kind {
        case .serviceRequest: definition.set("kind", .code("ServiceRequest"))
        case .medicationRequest: definition.set("kind", .code("MedicationRequest"))
        case .activity, .warning: break  // a CarePlan activity detail: no request resource
        }
        definition.set("intent", .code("proposal"))
        return definition
    }

    public func detectedIssueCodeSystem() -> FHIRElement {
        var system = metadata(
            type: "CodeSystem", id: "detected-issue", url: canonicals.detectedIssueSystem,
            name: "PainPathDetectedIssue", title: "PainPath warnings",
            description: "The warnings of GUIDELINE.md §3; each code is a rule id, carried in DetectedIssue.code.")
        system.set("caseSensitive", .boolean(true))
        system.set("content", .code("complete"))
        let warnings = Rules.all.filter { $0.kind == .warning }
        system.set("count", .primitive("unsignedInt", String(warnings.count)))
        system.set(
            "concept",
            warnings.map { rule in
                .element(
                    FHIRElement(type: "CodeSystem.concept")
                        .with("code", .code(rule.id.rawValue))
                        .with("display", .string(rule.title))
                        .with(
                            "definition",
                            .string(
                                rule.title + " (source text\(rule.citation.count == 1 ? "" : "s") "
                                    + rule.citation.map(\.rawValue).joined(separator: ", ") + ").")))
            })
        return system
    }

    public func detectedIssueValueSet() -> FHIRElement {
        var valueSet = metadata(
            type: "ValueSet", id: "detected-issue", url: "\(canonicals.base)/ValueSet/detected-issue",
            name: "PainPathDetectedIssue", title: "PainPath warnings",
            description: "Every code of the PainPath detected-issue CodeSystem; DetectedIssue.code binds to it.")
        valueSet.set(
            "compose",
            .element(
                FHIRElement(type: "ValueSet.compose")
                    .with(
                        "include",
                        .element(
                            FHIRElement(type: "ValueSet.compose.include").with(
                                "system", .uri(canonicals.detectedIssueSystem))))))
        return valueSet
    }

    // MARK: parts

    /// The common metadata of a canonical resource.
    func metadata(type: String, id: String, url: String, name: String, title: String, description: String)
        -> FHIRElement
    {
        var resource = FHIRElement(type: type)
        resource.set("id", .primitive("id", id))
        resource.set("url", .uri(url))
        resource.set("version", .string(Engine.version))
        resource.set("name", .string(name))
        resource.set("title", .string(title))
        resource.set("status", .code("active"))
        resource.set("experimental", .boolean(false))
        resource.set("publisher", .string("PainPath"))
        resource.set("description", .primitive("markdown", description))
        return resource
    }

    func citations(_ rule: Rule) -> [FHIRValue] {
        rule.citation.map(\.rawValue).map { number in
            .element(
                citation(number, Self.sourceTitles.first { $0.number == number }?.title ?? "source text \(number)"))
        }
    }

    func citation(_ number: String, _ title: String) -> FHIRElement {
        FHIRElement(type: "RelatedArtifact")
            .with("type", .code("citation"))
            .with("label", .string(number))
            .with("display", .string(title))
            .with(
                "citation",
                .primitive(
                    "markdown",
                    number.hasPrefix("CDC") ? "\(number): \(title)" : "guideline-sources/\(number): \(title)"))
    }

    func coding(_ system: String, _ code: String, _ display: String) -> FHIRValue {
        .element(Coding(system: system, code: code, display: display).element)
    }

    func concept(_ system: String, _ code: String, _ display: String) -> FHIRElement {
        FHIRElement(type: "CodeableConcept").with("coding", coding(system, code, display))
    }

    static func kindDescription(_ kind: RuleKind) -> String {
        switch kind {
        case .serviceRequest: "ServiceRequest"
        case .medicationRequest: "MedicationRequest"
        case .activity: "CarePlan activity"
        case .warning: "DetectedIssue"
        }
    }

    /// `refer-specialist-urgent` → `ReferSpecialistUrgent` (a computable name).
    static func pascalCase(_ id: String) -> String {
        id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
