/// Views of the resources the engine reads. Each names what GUIDELINE.md §1 needs; the model
/// underneath keeps everything else.

public struct Patient: ResourceView {
    public static let resourceType = "Patient"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public var birthDate: String? { resource.string("birthDate") }
    public var gender: String? { resource.string("gender") }
}

public struct Encounter: ResourceView {
    public static let resourceType = "Encounter"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public var status: String? { resource.string("status") }
    public var encounterClass: Coding? { resource.child("class").map(Coding.init) }
    public var types: [CodeableConcept] { resource.concepts("type") }
    public var serviceType: CodeableConcept? { resource.concept("serviceType") }
    public var period: Period? { resource.child("period").map(Period.init) }
    public var reasonCodes: [CodeableConcept] { resource.concepts("reasonCode") }
    public var reasonReferences: [Reference] { resource.references("reasonReference") }
    /// Encounter.diagnosis.condition references.
    public var diagnosisConditions: [Reference] {
        resource.children("diagnosis").compactMap { $0.reference("condition") }
    }
}

public struct Condition: ResourceView {
    public static let resourceType = "Condition"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public var clinicalStatus: CodeableConcept? { resource.concept("clinicalStatus") }
    public var verificationStatus: CodeableConcept? { resource.concept("verificationStatus") }
    public var categories: [CodeableConcept] { resource.concepts("category") }
    public var severity: CodeableConcept? { resource.concept("severity") }
    public var code: CodeableConcept? { resource.concept("code") }
    public var bodySites: [CodeableConcept] { resource.concepts("bodySite") }
    public var subject: Reference? { resource.reference("subject") }
    /// onset[x]: dateTime, Age, Period, Range or string.
    public var onset: ChoiceValue? { resource.choiceValue("onset") }
    public var abatement: ChoiceValue? { resource.choiceValue("abatement") }
    public var recordedDate: String? { resource.string("recordedDate") }
    public var stageSummaries: [CodeableConcept] { resource.children("stage").compactMap { $0.concept("summary") } }
    public var evidenceCodes: [CodeableConcept] { resource.children("evidence").flatMap { $0.concepts("code") } }
    public var notes: [Annotation] { resource.children("note").compactMap(Annotation.init) }
}

public struct Observation: ResourceView {
    public static let resourceType = "Observation"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public struct Component: Hashable, Sendable {
        public let code: CodeableConcept?
        public let value: ChoiceValue?
        public let interpretations: [CodeableConcept]
    }

    public var status: String? { resource.string("status") }
    public var categories: [CodeableConcept] { resource.concepts("category") }
    public var code: CodeableConcept? { resource.concept("code") }
    public var subject: Reference? { resource.reference("subject") }
    /// effective[x]: dateTime, Period, Timing or instant.
    public var effective: ChoiceValue? { resource.choiceValue("effective") }
    public var issued: String? { resource.string("issued") }
    /// value[x]: Quantity, CodeableConcept, string, boolean, integer, Range, Ratio, SampledData, time, dateTime, Period.
    public var value: ChoiceValue? { resource.choiceValue("value") }
    public var interpretations: [CodeableConcept] { resource.concepts("interpretation") }
    public var bodySite: CodeableConcept? { resource.concept("bodySite") }
    public var derivedFrom: [Reference] { resource.references("derivedFrom") }
    public var components: [Component] {
        resource.children("component").map {
            Component(
                code: $0.concept("code"), value: $0.choiceValue("value"), interpretations: $0.concepts("interpretation")
            )
        }
    }
}

public struct QuestionnaireResponse: ResourceView {
    public static let resourceType = "QuestionnaireResponse"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public struct Item: Hashable, Sendable {
        public let linkId: String?
        public let text: String?
        /// answer.value[x], in order.
        public let answers: [ChoiceValue]
        /// Nested items, both directly and under answers.
        public let items: [Item]

        init(_ element: FHIRElement) {
            linkId = element.string("linkId")
            text = element.string("text")
            let answerElements = element.children("answer")
            answers = answerElements.compactMap { $0.choiceValue("value") }
            items = (element.children("item") + answerElements.flatMap { $0.children("item") }).map(Item.init)
        }

        /// This item and all nested items, depth first.
        public var flattened: [Item] {
            var all: [Item] = []
            appendFlattened(to: &all)
            return all
        }

        /// Appends depth first into one array (no array per level of nesting).
        public func appendFlattened(to all: inout [Item]) {
            all.append(self)
            for item in items { item.appendFlattened(to: &all) }
        }
    }

    public var questionnaire: String? { resource.string("questionnaire") }
    public var status: String? { resource.string("status") }
    public var authored: String? { resource.string("authored") }
    public var subject: Reference? { resource.reference("subject") }
    public var items: [Item] { resource.children("item").map(Item.init) }
}

public struct MedicationStatement: ResourceView {
    public static let resourceType = "MedicationStatement"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public var status: String? { resource.string("status") }
    public var statusReasons: [CodeableConcept] { resource.concepts("statusReason") }
    /// medication[x]: CodeableConcept or Reference (to a Medication).
    public var medication: ChoiceValue? { resource.choiceValue("medication") }
    public var effective: ChoiceValue? { resource.choiceValue("effective") }
    public var dateAsserted: String? { resource.string("dateAsserted") }
    public var reasonCodes: [CodeableConcept] { resource.concepts("reasonCode") }
    public var dosages: [Dosage] { resource.children("dosage").map(Dosage.init) }
    public var notes: [Annotation] { resource.children("note").compactMap(Annotation.init) }
}

public struct Medication: ResourceView {
    public static let resourceType = "Medication"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public struct Ingredient: Hashable, Sendable {
        public let item: ChoiceValue?
        /// Ratio numerator (e.g. 50 mg) per denominator (e.g. 1 tablet).
        public let strengthNumerator: Quantity?
        public let strengthDenominator: Quantity?
    }

    public var code: CodeableConcept? { resource.concept("code") }
    public var form: CodeableConcept? { resource.concept("form") }
    public var ingredients: [Ingredient] {
        resource.children("ingredient").map {
            Ingredient(
                item: $0.choiceValue("item"),
                strengthNumerator: $0.child("strength")?.child("numerator").map(Quantity.init),
                strengthDenominator: $0.child("strength")?.child("denominator").map(Quantity.init))
        }
    }
}

public struct AllergyIntolerance: ResourceView {
    public static let resourceType = "AllergyIntolerance"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public var clinicalStatus: CodeableConcept? { resource.concept("clinicalStatus") }
    public var verificationStatus: CodeableConcept? { resource.concept("verificationStatus") }
    public var type: String? { resource.string("type") }
    public var categories: [String] { resource.strings("category") }
    public var criticality: String? { resource.string("criticality") }
    public var code: CodeableConcept? { resource.concept("code") }
    public var reactionSubstances: [CodeableConcept] {
        resource.children("reaction").compactMap { $0.concept("substance") }
    }
}

public struct Procedure: ResourceView {
    public static let resourceType = "Procedure"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public var status: String? { resource.string("status") }
    public var statusReason: CodeableConcept? { resource.concept("statusReason") }
    public var category: CodeableConcept? { resource.concept("category") }
    public var code: CodeableConcept? { resource.concept("code") }
    /// performed[x]: dateTime, Period, string, Age or Range.
    public var performed: ChoiceValue? { resource.choiceValue("performed") }
    public var reasonCodes: [CodeableConcept] { resource.concepts("reasonCode") }
    public var bodySites: [CodeableConcept] { resource.concepts("bodySite") }
    public var outcome: CodeableConcept? { resource.concept("outcome") }
    public var usedCodes: [CodeableConcept] { resource.concepts("usedCode") }
    public var notes: [Annotation] { resource.children("note").compactMap(Annotation.init) }
}

public struct ImagingStudy: ResourceView {
    public static let resourceType = "ImagingStudy"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public var status: String? { resource.string("status") }
    public var modalities: [Coding] { resource.children("modality").map(Coding.init) }
    public var started: String? { resource.string("started") }
    public var procedureCodes: [CodeableConcept] { resource.concepts("procedureCode") }
    public var reasonCodes: [CodeableConcept] { resource.concepts("reasonCode") }
    public var seriesBodySites: [Coding] {
        resource.children("series").compactMap { $0.child("bodySite").map(Coding.init) }
    }
    public var seriesModalities: [Coding] {
        resource.children("series").compactMap { $0.child("modality").map(Coding.init) }
    }
}

public struct DiagnosticReport: ResourceView {
    public static let resourceType = "DiagnosticReport"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    public var status: String? { resource.string("status") }
    public var categories: [CodeableConcept] { resource.concepts("category") }
    public var code: CodeableConcept? { resource.concept("code") }
    public var effective: ChoiceValue? { resource.choiceValue("effective") }
    public var issued: String? { resource.string("issued") }
    public var results: [Reference] { resource.references("result") }
    public var imagingStudies: [Reference] { resource.references("imagingStudy") }
    public var conclusion: String? { resource.string("conclusion") }
    public var conclusionCodes: [CodeableConcept] { resource.concepts("conclusionCode") }
}

public struct MessageHeader: ResourceView {
    public static let resourceType = "MessageHeader"
    public var resource: FHIRElement
    public init(unchecked resource: FHIRElement) { self.resource = resource }

    /// event[x]: Coding or uri.
    public var event: ChoiceValue? { resource.choiceValue("event") }
    public var focus: [Reference] { resource.references("focus") }
    public var sourceEndpoint: String? { resource.child("source")?.string("endpoint") }
}
