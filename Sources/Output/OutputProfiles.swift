import FHIR

/// The StructureDefinitions (differential) of what PainPath reads and writes. Each element rule is a
/// row here; `ProfileChecker` applies the same StructureDefinitions to every output, checking what an
/// R4 model validator does not: required elements, fixed and bound codes, and the bundle invariants.
struct OutputProfiles {
    let canonicals: Canonicals

    struct Element {
        var path: String
        var min: Int? = nil
        var max: String? = nil
        var fixedCode: String? = nil
        var valueSet: String? = nil
        var types: [String]? = nil
        var short: String? = nil
    }

    struct Constraint {
        let key: String
        let human: String
        let expression: String
    }

    struct Spec {
        let id: String
        let type: String
        let title: String
        let description: String
        let elements: [Element]
        let constraints: [Constraint]
    }

    static let core = "http://hl7.org/fhir/ValueSet/"

    var specs: [Spec] {
        let p = Canonicals.Profile.self
        let core = Self.core
        return [
            Spec(
                id: p.inputBundle, type: "Bundle", title: "PainPath input bundle",
                description:
                    "What painpathd accepts: any R4 Bundle type with exactly one Patient; resources found by fullUrl or id.",
                elements: [Element(path: "Bundle.entry", min: 1), Element(path: "Bundle.entry.resource", min: 1)],
                constraints: [
                    Constraint(
                        key: "painpath-ib-1", human: "Exactly one Patient",
                        expression: "entry.resource.ofType(Patient).count() = 1")
                ]),
            Spec(
                id: p.outputBundle, type: "Bundle", title: "PainPath recommendation bundle",
                description:
                    "One per input: a CarePlan, its ServiceRequests and MedicationRequests, a DetectedIssue per warning, and a Provenance.",
                elements: [
                    Element(path: "Bundle.type", min: 1, valueSet: core + "bundle-type"),
                    Element(path: "Bundle.timestamp", min: 1, short: "The evaluation time (now)"),
                    Element(path: "Bundle.entry", min: 2),
                    Element(path: "Bundle.entry.fullUrl", min: 1),
                    Element(path: "Bundle.entry.resource", min: 1),
                ],
                constraints: [
                    Constraint(
                        key: "painpath-ob-1", human: "A collection or a transaction",
                        expression: "type = 'collection' or type = 'transaction'"),
                    Constraint(
                        key: "painpath-ob-2", human: "Exactly one CarePlan and one Provenance",
                        expression:
                            "entry.resource.ofType(CarePlan).count() = 1 and entry.resource.ofType(Provenance).count() = 1"
                    ),
                    Constraint(
                        key: "painpath-ob-3", human: "A transaction POSTs every entry",
                        expression: "type = 'transaction' implies entry.all(request.method = 'POST')"),
                    Constraint(
                        key: "painpath-ob-4", human: "Every urn:uuid reference names an entry of the bundle",
                        expression:
                            "entry.resource.descendants().ofType(Reference).reference.where($this.startsWith('urn:uuid:'))"
                            + ".all(%resource.entry.fullUrl contains $this)"),
                ]),
            Spec(
                id: p.carePlan, type: "CarePlan", title: "PainPath care plan proposal",
                description: "The proposed plan: one activity per recommendation, a narrative for clinicians.",
                elements: [
                    Element(path: "CarePlan.text", min: 1),
                    Element(path: "CarePlan.instantiatesCanonical", min: 1, short: "The PainPath PlanDefinition"),
                    Element(path: "CarePlan.status", min: 1, fixedCode: "draft", valueSet: core + "request-status"),
                    Element(
                        path: "CarePlan.intent", min: 1, fixedCode: "proposal", valueSet: core + "care-plan-intent"),
                    Element(path: "CarePlan.subject", min: 1),
                    Element(path: "CarePlan.created", min: 1),
                    Element(
                        path: "CarePlan.activity.detail.instantiatesCanonical", min: 1,
                        short: "The rule's ActivityDefinition"),
                    Element(
                        path: "CarePlan.activity.detail.status", min: 1, valueSet: core + "care-plan-activity-status"),
                ],
                constraints: [
                    Constraint(
                        key: "painpath-cp-1", human: "Every activity references a request or has a detail",
                        expression: "activity.all(reference.exists() or detail.exists())")
                ]),
            Spec(
                id: p.serviceRequest, type: "ServiceRequest", title: "PainPath service proposal",
                description: "A referral, therapy, test or procedure proposed by a rule.",
                elements: [
                    Element(
                        path: "ServiceRequest.instantiatesCanonical", min: 1, short: "The rules' ActivityDefinitions"),
                    Element(
                        path: "ServiceRequest.status", min: 1, fixedCode: "draft", valueSet: core + "request-status"),
                    Element(
                        path: "ServiceRequest.intent", min: 1, fixedCode: "proposal", valueSet: core + "request-intent"),
                    Element(path: "ServiceRequest.priority", min: 1, valueSet: core + "request-priority"),
                    Element(path: "ServiceRequest.code", min: 1),
                    Element(path: "ServiceRequest.subject", min: 1),
                    Element(path: "ServiceRequest.authoredOn", min: 1),
                    Element(path: "ServiceRequest.note", min: 1, short: "What is proposed and why"),
                ],
                constraints: []),
            Spec(
                id: p.medicationRequest, type: "MedicationRequest", title: "PainPath medication proposal",
                description: "A medicine proposed by a rule, with its dose as text and structure.",
                elements: [
                    Element(
                        path: "MedicationRequest.instantiatesCanonical", min: 1, short: "The rules' ActivityDefinitions"
                    ),
                    Element(
                        path: "MedicationRequest.status", min: 1, fixedCode: "draft",
                        valueSet: core + "medicationrequest-status"),
                    Element(
                        path: "MedicationRequest.intent", min: 1, fixedCode: "proposal",
                        valueSet: core + "medicationrequest-intent"),
                    Element(path: "MedicationRequest.priority", min: 1, valueSet: core + "request-priority"),
                    Element(path: "MedicationRequest.medication[x]", min: 1, types: ["CodeableConcept"]),
                    Element(path: "MedicationRequest.subject", min: 1),
                    Element(path: "MedicationRequest.authoredOn", min: 1),
                    Element(path: "MedicationRequest.note", min: 1, short: "Why"),
                    Element(path: "MedicationRequest.dosageInstruction", min: 1),
                    Element(path: "MedicationRequest.dosageInstruction.text", min: 1),
                ],
                constraints: []),
            Spec(
                id: p.detectedIssue, type: "DetectedIssue", title: "PainPath warning",
                description:
                    "A warning of GUIDELINE.md §3: the rule id as code, its severity, what it is about and why.",
                elements: [
                    Element(
                        path: "DetectedIssue.status", min: 1, fixedCode: "preliminary",
                        valueSet: core + "observation-status"),
                    Element(path: "DetectedIssue.code", min: 1, valueSet: "\(canonicals.base)/ValueSet/detected-issue"),
                    Element(path: "DetectedIssue.severity", min: 1, valueSet: core + "detectedissue-severity"),
                    Element(path: "DetectedIssue.patient", min: 1),
                    Element(path: "DetectedIssue.identified[x]", min: 1),
                    Element(path: "DetectedIssue.detail", min: 1),
                    Element(path: "DetectedIssue.reference", min: 1, short: "The PainPath PlanDefinition"),
                ],
                constraints: []),
            Spec(
                id: p.provenance, type: "Provenance", title: "PainPath provenance",
                description:
                    "What made the recommendation bundle: the engine and version, the input by SHA-256, the guideline.",
                elements: [
                    Element(path: "Provenance.target", min: 1),
                    Element(path: "Provenance.policy", min: 1, short: "The PlanDefinition, with its version"),
                    Element(path: "Provenance.agent.who", min: 1),
                    Element(path: "Provenance.entity", min: 1),
                    Element(
                        path: "Provenance.entity.role", min: 1, fixedCode: "source",
                        valueSet: core + "provenance-entity-role"),
                    Element(path: "Provenance.entity.what.identifier", min: 1, short: "The input's SHA-256"),
                ],
                constraints: []),
        ]
    }

    func all() -> [FHIRElement] { specs.map(structureDefinition) }

    func structureDefinition(_ spec: Spec) -> FHIRElement {
        var definition = KnowledgeArtifacts(canonicals: canonicals).metadata(
            type: "StructureDefinition", id: spec.id, url: canonicals.structureDefinition(spec.id),
            name: KnowledgeArtifacts.pascalCase(spec.id), title: spec.title, description: spec.description)
        definition.set("fhirVersion", .code("4.0.1"))
        definition.set("kind", .code("resource"))
        definition.set("abstract", .boolean(false))
        definition.set("type", .uri(spec.type))
        definition.set(
            "baseDefinition", .primitive("canonical", "http://hl7.org/fhir/StructureDefinition/\(spec.type)"))
        definition.set("derivation", .code("constraint"))
        var elements: [FHIRElement] = []
        if !spec.constraints.isEmpty {
            var root = FHIRElement(type: "ElementDefinition")
            root.set("id", .primitive("string", spec.type))
            root.set("path", .string(spec.type))
            root.set(
                "constraint",
                spec.constraints.map { constraint in
                    .element(
                        FHIRElement(type: "ElementDefinition.constraint")
                            .with("key", .primitive("id", constraint.key))
                            .with("severity", .code("error"))
                            .with("human", .string(constraint.human))
                            .with("expression", .string(constraint.expression))
                            .with("source", .primitive("canonical", canonicals.structureDefinition(spec.id))))
                })
            elements.append(root)
        }
        for element in spec.elements {
            var row = FHIRElement(type: "ElementDefinition")
            // ElementDefinition ids of choices (`medication[x]`) are valid R4 but fail fhir.resources'
            // id pattern; the id is optional in a differential, so those rows go without.
            if !element.path.contains("[") { row.set("id", .primitive("string", element.path)) }
            row.set("path", .string(element.path))
            if let short = element.short { row.set("short", .string(short)) }
            if let min = element.min { row.set("min", .primitive("unsignedInt", String(min))) }
            if let max = element.max { row.set("max", .string(max)) }
            if let types = element.types {
                row.set(
                    "type", types.map { .element(FHIRElement(type: "ElementDefinition.type").with("code", .uri($0))) })
            }
            if let fixed = element.fixedCode { row.set("fixedCode", .code(fixed)) }
            if let valueSet = element.valueSet {
                row.set(
                    "binding",
                    .element(
                        FHIRElement(type: "ElementDefinition.binding")
                            .with("strength", .code("required"))
                            .with(
                                "valueSet",
                                .primitive("canonical", valueSet.hasPrefix(Self.core) ? valueSet + "|4.0.1" : valueSet))
                    ))
            }
            elements.append(row)
        }
        var differential = FHIRElement(type: "StructureDefinition.differential")
        differential.set("element", elements.map { FHIRValue.element($0) })
        definition.set("differential", .element(differential))
        return definition
    }
}
