/// Views of the resources the engine both reads (from input bundles) and writes (proposals,
/// warnings, provenance, the output bundle). Every property can be read and set.

public struct ServiceRequest: ResourceView {
    public static let resourceType = "ServiceRequest"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public var instantiatesCanonical: [String] {
        get { resource.strings("instantiatesCanonical") }
        set { resource.setPrimitives("instantiatesCanonical", "canonical", newValue) }
    }
    public var status: String? {
        get { resource.string("status") }
        set { resource.setPrimitive("status", "code", newValue) }
    }
    public var intent: String? {
        get { resource.string("intent") }
        set { resource.setPrimitive("intent", "code", newValue) }
    }
    public var categories: [CodeableConcept] {
        get { resource.concepts("category") }
        set { resource.setElements("category", newValue.lazy.map(\.element)) }
    }
    public var priority: String? {
        get { resource.string("priority") }
        set { resource.setPrimitive("priority", "code", newValue) }
    }
    public var code: CodeableConcept? {
        get { resource.concept("code") }
        set { resource.setElement("code", newValue?.element) }
    }
    public var subject: Reference? {
        get { resource.reference("subject") }
        set { resource.setElement("subject", newValue?.element) }
    }
    /// occurrence[x]; the engine writes a Period.
    public var occurrence: ChoiceValue? { resource.choiceValue("occurrence") }
    public var occurrencePeriod: Period? {
        get { occurrence?.period }
        set {
            for name in ["occurrenceDateTime", "occurrencePeriod", "occurrenceTiming"] { resource.set(name, []) }
            resource.setElement("occurrencePeriod", newValue?.element)
        }
    }
    public var authoredOn: String? {
        get { resource.string("authoredOn") }
        set { resource.setPrimitive("authoredOn", "dateTime", newValue) }
    }
    public var requester: Reference? {
        get { resource.reference("requester") }
        set { resource.setElement("requester", newValue?.element) }
    }
    public var reasonCodes: [CodeableConcept] {
        get { resource.concepts("reasonCode") }
        set { resource.setElements("reasonCode", newValue.lazy.map(\.element)) }
    }
    public var reasonReferences: [Reference] {
        get { resource.references("reasonReference") }
        set { resource.setElements("reasonReference", newValue.lazy.map(\.element)) }
    }
    public var supportingInfo: [Reference] {
        get { resource.references("supportingInfo") }
        set { resource.setElements("supportingInfo", newValue.lazy.map(\.element)) }
    }
    public var notes: [Annotation] {
        get { resource.children("note").compactMap(Annotation.init) }
        set { resource.setElements("note", newValue.lazy.map(\.element)) }
    }
    public var patientInstruction: String? {
        get { resource.string("patientInstruction") }
        set { resource.setPrimitive("patientInstruction", "string", newValue) }
    }
}

public struct MedicationRequest: ResourceView {
    public static let resourceType = "MedicationRequest"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public var status: String? {
        get { resource.string("status") }
        set { resource.setPrimitive("status", "code", newValue) }
    }
    public var statusReason: CodeableConcept? {
        get { resource.concept("statusReason") }
        set { resource.setElement("statusReason", newValue?.element) }
    }
    public var intent: String? {
        get { resource.string("intent") }
        set { resource.setPrimitive("intent", "code", newValue) }
    }
    public var priority: String? {
        get { resource.string("priority") }
        set { resource.setPrimitive("priority", "code", newValue) }
    }
    /// medication[x]: CodeableConcept or Reference.
    public var medication: ChoiceValue? { resource.choiceValue("medication") }
    public var medicationCodeableConcept: CodeableConcept? {
        get { medication?.codeableConcept }
        set {
            resource.set("medicationReference", [])
            resource.setElement("medicationCodeableConcept", newValue?.element)
        }
    }
    public var subject: Reference? {
        get { resource.reference("subject") }
        set { resource.setElement("subject", newValue?.element) }
    }
    public var authoredOn: String? {
        get { resource.string("authoredOn") }
        set { resource.setPrimitive("authoredOn", "dateTime", newValue) }
    }
    public var reasonCodes: [CodeableConcept] {
        get { resource.concepts("reasonCode") }
        set { resource.setElements("reasonCode", newValue.lazy.map(\.element)) }
    }
    public var reasonReferences: [Reference] {
        get { resource.references("reasonReference") }
        set { resource.setElements("reasonReference", newValue.lazy.map(\.element)) }
    }
    public var instantiatesCanonical: [String] {
        get { resource.strings("instantiatesCanonical") }
        set { resource.setPrimitives("instantiatesCanonical", "canonical", newValue) }
    }
    public var notes: [Annotation] {
        get { resource.children("note").compactMap(Annotation.init) }
        set { resource.setElements("note", newValue.lazy.map(\.element)) }
    }
    public var dosageInstructions: [Dosage] {
        get { resource.children("dosageInstruction").map(Dosage.init) }
        set { resource.setElements("dosageInstruction", newValue.lazy.map(\.element)) }
    }
    /// dispenseRequest.validityPeriod: when the prescription may be filled.
    public var validityPeriod: Period? { resource.child("dispenseRequest")?.child("validityPeriod").map(Period.init) }
}

public struct CarePlan: ResourceView {
    public static let resourceType = "CarePlan"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    /// One activity: a reference to a request, or a detail (for activities without a request).
    public struct Activity: Hashable, Sendable {
        public var reference: Reference?
        public var detailCode: CodeableConcept?
        public var detailStatus: String?
        public var detailDescription: String?
        public var detailInstantiatesCanonical: [String]
        public var detailKind: String?
        /// detail.scheduled[x] as a Period.
        public var detailScheduledPeriod: Period?

        public init(reference: Reference) {
            self.reference = reference
            detailInstantiatesCanonical = []
        }

        public init(
            kind: String?, instantiatesCanonical: [String], code: CodeableConcept?, status: String, description: String?
        ) {
            detailKind = kind
            detailInstantiatesCanonical = instantiatesCanonical
            detailCode = code
            detailStatus = status
            detailDescription = description
        }

        init(_ element: FHIRElement) {
            reference = element.reference("reference")
            let detail = element.child("detail")
            detailKind = detail?.string("kind")
            detailInstantiatesCanonical = detail?.strings("instantiatesCanonical") ?? []
            detailCode = detail?.concept("code")
            detailStatus = detail?.string("status")
            detailDescription = detail?.string("description")
            detailScheduledPeriod = detail?.child("scheduledPeriod").map(Period.init)
        }

        /// Built in the definitions' order without looking it up, as the datatype views are (a plan has an activity
        /// per recommendation; `ViewElementOrderTests` checks the order against `set`).
        var element: FHIRElement {
            var properties: [FHIRProperty] = []
            properties.reserveCapacity(1)
            if let reference {
                properties.append(FHIRProperty(name: "reference", values: FHIRValues(.element(reference.element))))
            }
            if detailStatus != nil {
                var detail: [FHIRProperty] = []
                detail.reserveCapacity(6)
                if let detailKind { detail.append(FHIRProperty(name: "kind", values: FHIRValues(.code(detailKind)))) }
                if !detailInstantiatesCanonical.isEmpty {
                    detail.append(
                        FHIRProperty(
                            name: "instantiatesCanonical",
                            values: FHIRValues(detailInstantiatesCanonical.map { .primitive("canonical", $0) })))
                }
                if let detailCode {
                    detail.append(FHIRProperty(name: "code", values: FHIRValues(.element(detailCode.element))))
                }
                if let detailStatus {
                    detail.append(FHIRProperty(name: "status", values: FHIRValues(.code(detailStatus))))
                }
                if let detailScheduledPeriod {
                    detail.append(
                        FHIRProperty(
                            name: "scheduledPeriod", values: FHIRValues(.element(detailScheduledPeriod.element))))
                }
                if let detailDescription {
                    detail.append(FHIRProperty(name: "description", values: FHIRValues(.string(detailDescription))))
                }
                properties.append(
                    FHIRProperty(
                        name: "detail",
                        values: FHIRValues(.element(FHIRElement(type: "CarePlan.activity.detail", properties: detail))))
                )
            }
            return FHIRElement(type: "CarePlan.activity", properties: properties)
        }
    }

    public var instantiatesCanonical: [String] {
        get { resource.strings("instantiatesCanonical") }
        set { resource.setPrimitives("instantiatesCanonical", "canonical", newValue) }
    }
    public var status: String? {
        get { resource.string("status") }
        set { resource.setPrimitive("status", "code", newValue) }
    }
    public var intent: String? {
        get { resource.string("intent") }
        set { resource.setPrimitive("intent", "code", newValue) }
    }
    public var title: String? {
        get { resource.string("title") }
        set { resource.setPrimitive("title", "string", newValue) }
    }
    public var description: String? {
        get { resource.string("description") }
        set { resource.setPrimitive("description", "string", newValue) }
    }
    public var subject: Reference? {
        get { resource.reference("subject") }
        set { resource.setElement("subject", newValue?.element) }
    }
    public var created: String? {
        get { resource.string("created") }
        set { resource.setPrimitive("created", "dateTime", newValue) }
    }
    public var addresses: [Reference] {
        get { resource.references("addresses") }
        set { resource.setElements("addresses", newValue.lazy.map(\.element)) }
    }
    public var supportingInfo: [Reference] {
        get { resource.references("supportingInfo") }
        set { resource.setElements("supportingInfo", newValue.lazy.map(\.element)) }
    }
    public var activities: [Activity] {
        get { resource.children("activity").map(Activity.init) }
        set { resource.setElements("activity", newValue.lazy.map(\.element)) }
    }
    /// The narrative (`text`): status and canonical XHTML.
    public var narrative: (status: String, div: String)? {
        get {
            guard let text = resource.child("text"), let status = text.string("status"),
                case .xhtml(let div)? = text["div"].first
            else { return nil }
            return (status, div)
        }
        set {
            guard let newValue else {
                resource.set("text", [])
                return
            }
            var text = FHIRElement(type: "Narrative")
            text.setPrimitive("status", "code", newValue.status)
            text.set("div", .xhtml(newValue.div))
            resource.setElement("text", text)
        }
    }
}

public struct DetectedIssue: ResourceView {
    public static let resourceType = "DetectedIssue"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public var status: String? {
        get { resource.string("status") }
        set { resource.setPrimitive("status", "code", newValue) }
    }
    public var code: CodeableConcept? {
        get { resource.concept("code") }
        set { resource.setElement("code", newValue?.element) }
    }
    public var severity: String? {
        get { resource.string("severity") }
        set { resource.setPrimitive("severity", "code", newValue) }
    }
    public var patient: Reference? {
        get { resource.reference("patient") }
        set { resource.setElement("patient", newValue?.element) }
    }
    public var identified: String? {
        get { resource.string("identifiedDateTime") }
        set { resource.setPrimitive("identifiedDateTime", "dateTime", newValue) }
    }
    public var implicated: [Reference] {
        get { resource.references("implicated") }
        set { resource.setElements("implicated", newValue.lazy.map(\.element)) }
    }
    public var detail: String? {
        get { resource.string("detail") }
        set { resource.setPrimitive("detail", "string", newValue) }
    }
    public var referenceURI: String? {
        get { resource.string("reference") }
        set { resource.setPrimitive("reference", "uri", newValue) }
    }
}

public struct Provenance: ResourceView {
    public static let resourceType = "Provenance"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public var targets: [Reference] {
        get { resource.references("target") }
        set { resource.setElements("target", newValue.lazy.map(\.element)) }
    }
    public var recorded: String? {
        get { resource.string("recorded") }
        set { resource.setPrimitive("recorded", "instant", newValue) }
    }
    public var policies: [String] {
        get { resource.strings("policy") }
        set { resource.setPrimitives("policy", "uri", newValue) }
    }
    /// agent: who (a Reference or, for software, a display and identifier) and type.
    public var agents: [FHIRElement] {
        get { resource.children("agent") }
        set { resource.setElements("agent", newValue) }
    }
    /// entity: role (source, derivation, …) and what (a Reference, e.g. with an identifier).
    public var entities: [FHIRElement] {
        get { resource.children("entity") }
        set { resource.setElements("entity", newValue) }
    }
}

public struct OperationOutcome: ResourceView {
    public static let resourceType = "OperationOutcome"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public struct Issue: Hashable, Sendable {
        public let severity: String?
        public let code: String?
        public let diagnostics: String?
        public let expression: [String]
    }

    public var issues: [Issue] {
        resource.children("issue").map {
            Issue(
                severity: $0.string("severity"), code: $0.string("code"), diagnostics: $0.string("diagnostics"),
                expression: $0.strings("expression"))
        }
    }
}

public struct Bundle: ResourceView {
    public static let resourceType = "Bundle"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public struct Entry: Hashable, Sendable {
        public var fullUrl: String?
        public var resource: FHIRElement?
        /// For transaction bundles: request.method and request.url.
        public var requestMethod: String?
        public var requestURL: String?

        public init(fullUrl: String?, resource: FHIRElement?, requestMethod: String? = nil, requestURL: String? = nil) {
            self.fullUrl = fullUrl
            self.resource = resource
            self.requestMethod = requestMethod
            self.requestURL = requestURL
        }

        init(_ element: FHIRElement) {
            fullUrl = element.string("fullUrl")
            resource = element.child("resource")
            requestMethod = element.child("request")?.string("method")
            requestURL = element.child("request")?.string("url")
        }

        var element: FHIRElement {
            var element = FHIRElement(type: "Bundle.entry")
            element.setPrimitive("fullUrl", "uri", fullUrl)
            element.setElement("resource", resource)
            if let requestMethod {
                var request = FHIRElement(type: "Bundle.entry.request")
                request.setPrimitive("method", "code", requestMethod)
                request.setPrimitive("url", "uri", requestURL)
                element.setElement("request", request)
            }
            return element
        }
    }

    public var type: String? {
        get { resource.string("type") }
        set { resource.setPrimitive("type", "code", newValue) }
    }
    public var timestamp: String? {
        get { resource.string("timestamp") }
        set { resource.setPrimitive("timestamp", "instant", newValue) }
    }
    public var entries: [Entry] {
        get { resource.children("entry").map(Entry.init) }
        set { resource.setElements("entry", newValue.lazy.map(\.element)) }
    }

    /// The resources of the entries, in order.
    public var resources: [FHIRElement] { resource.children("entry").compactMap { $0.child("resource") } }
}
