import FHIR
import Foundation
import Terminology

public struct CaseError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Options of the case stage.
public struct CaseOptions: Sendable {
    /// Overrides the bundle's own time (replay, tests).
    public var now: Date?
    /// The setting when no Encounter says otherwise.
    public var defaultSetting: ClinicalCase.CareSetting
    /// The processing clock, used when the bundle carries no time.
    public var clock: @Sendable () -> Date

    public init(
        now: Date? = nil, defaultSetting: ClinicalCase.CareSetting = .primary,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.now = now
        self.defaultSetting = defaultSetting
        self.clock = clock
    }
}

/// Bundle → `ClinicalCase`: pure, given the terminology and the options.
public struct CaseBuilder: Sendable {
    public let terminology: Terminology
    public let options: CaseOptions
    /// Medication products made for earlier bundles with this terminology (share one across the builders of one
    /// terminology: `Pipeline` does).
    public let products: MedicationProductCache

    public init(
        terminology: Terminology, options: CaseOptions = CaseOptions(),
        products: MedicationProductCache = MedicationProductCache()
    ) {
        self.terminology = terminology
        self.options = options
        self.products = products
    }

    public func build(bundle: FHIRElement) throws(CaseError) -> ClinicalCase {
        guard bundle.type == "Bundle" else { throw CaseError("the input is a \(bundle.type), not a Bundle") }
        let resolver = BundleResolver(bundle: bundle)
        let patients = resolver.resources(ofType: "Patient").map(\.resource)
        guard patients.count == 1, let patient = patients.first.flatMap(Patient.init) else {
            throw CaseError(
                patients.isEmpty
                    ? "the bundle has no Patient; one is required"
                    : "the bundle has \(patients.count) Patients; exactly one is required")
        }
        let context = Context(terminology: terminology, resolver: resolver, sharedProducts: products)
        let (now, nowSource) = clinicalNow(bundle: bundle, resolver: resolver)
        var facts = ClinicalCase(
            now: now, nowSource: nowSource, patientReference: context.reference(patient.resource) ?? "Patient",
            setting: options.defaultSetting)
        facts.sex = patient.gender
        if let birthDate = patient.birthDate {
            facts.age = ClinicalDate.age(birthDate: birthDate, at: now)
            // A record whose dates were shifted into the future: no age, and `explain` says why.
            if let born = ClinicalDate.parse(birthDate), born > now { facts.birthDateAfterNow = birthDate }
        }

        // GUIDELINE §1 *now*: nothing dated after now is a fact.
        let (kept, leftOut) = Self.partitionByNow(resolver.entries, byType: resolver.positionsByType, now: now)
        facts.leftOut = leftOut.map(context.ref)
        let byType = ResourcesByType(resolver.entries, keptByType: kept)
        context.readConditions(byType.of("Condition"), into: &facts)
        context.readEncounters(byType.of("Encounter"), into: &facts)
        context.readObservations(byType.of("Observation"), into: &facts)
        context.readQuestionnaires(byType.of("QuestionnaireResponse"), into: &facts)
        context.readAllergies(byType.of("AllergyIntolerance"), into: &facts)
        context.readMedications(byType.of("MedicationRequest", "MedicationStatement"), into: &facts)
        context.readProceduresAndRequests(byType.of("Procedure", "ServiceRequest"), into: &facts)
        context.readImaging(byType.of("ImagingStudy", "DiagnosticReport"), into: &facts)
        context.readOpioidSafety(
            byType.of(
                "Condition", "Procedure", "Observation", "ServiceRequest", "DocumentReference", "Encounter",
                "MedicationRequest", "MedicationStatement"),
            into: &facts)
        facts.unmatchedCodes = context.unmatchedCodes(
            byType.of(
                "Condition", "Procedure", "ServiceRequest", "Observation", "MedicationRequest", "MedicationStatement",
                "Medication"))
        Derivations.derive(&facts)
        return facts
    }

    /// The resource types this stage reads: the types its readers ask for, those that references lead to
    /// (Medication, Questionnaire), and every type with a fact date (compared with *now*, `partitionByNow`).
    /// A reader may defer any other type (`ResourceDeferral`): a resource of a type missing here would still be
    /// read right, only built later, when first asked for (`PipelineDeferralTests` checks that none is).
    public static let resourceTypesRead: Set<String> = Set<String>(
        [
            "Patient", "MessageHeader", "Condition", "Encounter", "Observation", "QuestionnaireResponse",
            "Questionnaire", "AllergyIntolerance", "MedicationRequest", "MedicationStatement", "Medication",
            "Procedure", "ServiceRequest", "ImagingStudy", "DiagnosticReport", "DocumentReference",
        ]
    ).union(typesWithFactDates)

    /// The resource types with at least one fact-date element: only their resources can be dated after now (a
    /// reader keeps no element the definitions do not have).
    static let typesWithFactDates: Set<String> = Set(
        FHIRSchema.r4.types.values.filter { type in
            type.kind == .resource && factDateNames.contains { type.property($0) != nil }
        }.map(\.name))

    /// The date elements that make a resource a fact at a time (effective, performed, onset,
    /// authored, issued, recorded, asserted), a period by its start.
    static let factDateNames: Set<String> = [
        "effectiveDateTime", "effectiveInstant", "effectivePeriod", "performedDateTime", "performedPeriod",
        "onsetDateTime", "onsetPeriod", "authoredOn", "authored", "issued", "recordedDate", "recorded", "assertedDate",
        "dateAsserted",
    ]
    /// Whether a property name is one of `factDateNames` (a test checks the two agree on every R4 property name).
    /// A switch on the length, then string compares — most names of 15 bytes or fewer are compared as two machine
    /// words; this runs for every property of every resource, and hashing the few names that passed a first-letter
    /// and length test cost a third of dating the entries.
    static func isFactDateName(_ name: String) -> Bool {
        switch name.utf8.count {
        case 6: name == "issued"
        case 8: name == "authored" || name == "recorded"
        case 10: name == "authoredOn"
        case 11: name == "onsetPeriod"
        case 12: name == "recordedDate" || name == "assertedDate" || name == "dateAsserted"
        case 13: name == "onsetDateTime"
        case 15: name == "effectivePeriod" || name == "performedPeriod"
        case 16: name == "effectiveInstant"
        case 17: name == "effectiveDateTime" || name == "performedDateTime"
        default: false
        }
    }

    /// Resources whose earliest fact date is after *now* are left out (a future-dated order, score or
    /// diagnosis is not yet true); resources without such a date are kept.
    /// Kept: each type's kept positions, ascending; left out: in bundle order. Asked per type, not per entry: only
    /// a type with fact-date elements can be dated after now, and a deferred resource of another type is kept
    /// without being built.
    static func partitionByNow(_ entries: [BundleResolver.Entry], byType: [String: [Int]], now: Date)
        -> (kept: [String: [Int]], leftOut: [FHIRElement])
    {
        var kept: [String: [Int]] = [:]
        kept.reserveCapacity(byType.count)
        var leftOut: [Int] = []
        for (type, positions) in byType {
            guard typesWithFactDates.contains(type) else {
                kept[type] = positions
                continue
            }
            var keptOfType: [Int] = []
            keptOfType.reserveCapacity(positions.count)
            for position in positions {
                if isDatedAfter(entries[position].resource, now) {
                    leftOut.append(position)
                } else {
                    keptOfType.append(position)
                }
            }
            kept[type] = keptOfType
        }
        return (kept, leftOut.sorted().map { entries[$0].resource })
    }

    /// Whether every fact date of a resource is after *now* (and it has one): its earliest is. Read in one pass over
    /// its properties, which stops at the first date not after now — most resources of a record are dated in the
    /// past, and an Observation's `issued` need not be read once its `effectiveDateTime` is known.
    @inline(__always)
    private static func isDatedAfter(_ resource: FHIRElement, _ now: Date) -> Bool {
        // Read in place, through the properties' buffer: copying a property (its name and values) cost more than
        // the test, and the array's accessors retained each name they handed to it.
        resource.properties.withUnsafeBufferPointer { properties in
            var dated = false
            for index in properties.indices where isFactDateName(properties[index].name) {
                let text =
                    isPeriodName(properties[index].name)
                    ? properties[index].values.withFirstElement { $0.string("start") } ?? nil
                    : properties[index].values.firstPrimitiveValue
                guard let date = ClinicalDate.parse(text) else { continue }
                if date <= now { return false }
                dated = true
            }
            return dated
        }
    }

    /// A fact-date name of a Period (`effectivePeriod`), on its bytes (`hasSuffix` compared characters).
    static func isPeriodName(_ name: String) -> Bool {
        name.utf8.count > 6 && name.utf8.suffix(6).elementsEqual("Period".utf8)
    }

    /// GUIDELINE §1 *now*: `--now`, else Bundle.timestamp, else the MessageHeader's event time
    /// (its `meta.lastUpdated`, R4 having no event time of its own), else the clock.
    func clinicalNow(bundle: FHIRElement, resolver: BundleResolver) -> (Date, ClinicalCase.NowSource) {
        if let now = options.now { return (now, .override) }
        if let timestamp = ClinicalDate.parse(bundle.string("timestamp")) { return (timestamp, .bundleTimestamp) }
        if let header = resolver.resources(ofType: "MessageHeader").first?.resource,
            let time = ClinicalDate.parse(header.string("meta", "lastUpdated"))
        {
            return (time, .messageHeader)
        }
        return (options.clock(), .clock)
    }
}

/// Reading state shared by the per-resource readers. A class: the readers' closures and calls passed the state
/// around as a value, and each copy retained every table of the terminology and the resolver (a tenth of reading a
/// medication order).
final class Context {
    let terminology: Terminology
    let resolver: BundleResolver
    /// Concepts asked of the model, remembered for this bundle.
    let concepts: ConceptMemberships
    /// Labels searched for the names of a value set's members, remembered for this bundle.
    let labels: LabelMatches
    /// Medicines recognised by name, remembered for this bundle.
    let medicines: RecognisedMedicines
    /// The products of medication concepts, remembered for this bundle (re-orders repeat their concept, and share
    /// its storage: found by identity, without hashing the concept).
    let products = ConceptMemo<MedicationProduct>()
    /// The products of earlier bundles, by the concept's value.
    let sharedProducts: MedicationProductCache

    init(
        terminology: Terminology, resolver: BundleResolver,
        sharedProducts: MedicationProductCache = MedicationProductCache()
    ) {
        self.terminology = terminology
        self.resolver = resolver
        self.sharedProducts = sharedProducts
        concepts = ConceptMemberships(terminology: terminology, expectedConcepts: resolver.entries.count)
        labels = LabelMatches(terminology: terminology)
        medicines = RecognisedMedicines(terminology: terminology)
    }

    func reference(_ resource: FHIRElement) -> String? {
        resource.string("id").map { literalReference(type: resource.type, id: $0) }
    }
    func ref(_ resource: FHIRElement) -> String { Self.ref(type: resource.type, id: resource.string("id")) }
    /// `Type/id`, or the type alone for a resource without an id (facts still name where they came from).
    static func ref(type: String, id: String?) -> String { id.map { literalReference(type: type, id: $0) } ?? type }

    func label(_ concept: CodeableConcept?) -> String {
        concept?.text ?? concept?.codings.first(where: { $0.display != nil })?.display ?? concept?.codings.first?.code
            ?? "unnamed"
    }

    func isActiveCondition(_ condition: Condition) -> Bool {
        if isRefuted(condition) { return false }
        guard let status = condition.clinicalStatus?.codings.first?.code else { return condition.abatement == nil }
        return ["active", "recurrence", "relapse"].contains(status)
    }

    func isRefuted(_ condition: Condition) -> Bool {
        let verification = condition.verificationStatus?.codings.first?.code
        return verification == "refuted" || verification == "entered-in-error"
    }

    /// A date from onset[x], performed[x], effective[x] or occurrence[x]: dateTime, instant, date or
    /// Period.start. Age and String onsets give no date (GUIDELINE §1 reads them as absent).
    func date(of choice: ChoiceValue?) -> Date? {
        // Read through the optional: unwrapping it (`guard let`) copied the choice and destroyed the copy, half of
        // dating an observation.
        switch choice?.type {
        case "dateTime", "instant", "date": return ClinicalDate.parse(choice?.text)
        case "Period": return ClinicalDate.parse(choice?.period?.start)
        default: return nil
        }
    }
}
