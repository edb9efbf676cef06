import Case
import FHIR
import Foundation
import Guideline
import Terminology

/// Test support shared by the test targets (like swift-service-lifecycle's test kit): a builder of
/// realistic FHIR bundles and the repository's terminology. Not part of any product.

/// Terminology from the repository's profiles/, loaded once.
public let repositoryTerminology: Terminology = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return try! Terminology.load(from: root.appendingPathComponent("profiles").path)
}()

public let sct = CodeSystems.snomed
public let loinc = CodeSystems.loinc
public let rxnorm = CodeSystems.rxnorm
public let icd = CodeSystems.icd10cm

/// A small builder of FHIR bundles for rule tests: each call adds one resource, as an EHR would.
public struct CaseFixture: @unchecked Sendable {  // JSON dictionaries, built and read on one task
    public var timestamp = "2026-11-21T09:00:00Z"
    public var birthDate = "1970-05-01"
    private var resources: [[String: Any]] = []
    private var counter = 0

    public init() {}

    private mutating func nextId(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)-\(counter)"
    }

    public static func concept(_ system: String, _ code: String, _ display: String = "") -> [String: Any] {
        ["coding": [["system": system, "code": code, "display": display.isEmpty ? code : display]]]
    }

    @discardableResult
    public mutating func condition(
        _ system: String, _ code: String, onset: String, severe: Bool = false, status: String = "active",
        bodySite: String? = nil, text: String? = nil
    ) -> String {
        let id = nextId("cond")
        var resource: [String: Any] = [
            "resourceType": "Condition", "id": id, "subject": ["reference": "Patient/p1"],
            "clinicalStatus": Self.concept("http://terminology.hl7.org/CodeSystem/condition-clinical", status),
            "code": Self.concept(system, code).merging(text.map { ["text": $0] } ?? [:]) { $1 },
            "onsetDateTime": onset, "recordedDate": onset,
        ]
        if severe { resource["severity"] = Self.concept(sct, "24484000", "Severe") }
        if let bodySite { resource["bodySite"] = [Self.concept(sct, bodySite)] }
        resources.append(resource)
        return "Condition/\(id)"
    }

    @discardableResult
    public mutating func observation(
        _ system: String, _ code: String, value: Double? = nil, valueCode: (String, String)? = nil,
        date: String, interpretation: String? = nil
    ) -> String {
        let id = nextId("obs")
        var resource: [String: Any] = [
            "resourceType": "Observation", "id": id, "status": "final", "subject": ["reference": "Patient/p1"],
            "code": Self.concept(system, code), "effectiveDateTime": date,
        ]
        if let value { resource["valueQuantity"] = ["value": value] }
        if let valueCode { resource["valueCodeableConcept"] = Self.concept(valueCode.0, valueCode.1) }
        if let interpretation {
            resource["interpretation"] = [
                Self.concept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", interpretation)
            ]
        }
        resources.append(resource)
        return "Observation/\(id)"
    }

    public mutating func pain(_ score: Double, on date: String) {
        observation(loinc, "72514-3", value: score, date: date)
    }
    public mutating func odi(_ score: Double, on date: String) {
        observation(loinc, "97909-6", value: score, date: date)
    }
    public mutating func startBack(_ risk: String, on date: String) {
        let answer = ["low": "LA9194-7", "medium": "LA8982-6", "high": "LA9193-9"][risk]!
        observation(loinc, "91352-5", valueCode: ("http://loinc.org", answer), date: date)
    }

    /// A medication (RxNorm product or ingredient code) with an optional dose of `doseMg` mg `perDay` times a day.
    @discardableResult
    public mutating func medication(
        _ code: String, status: String = "active", start: String, end: String? = nil, doseMg: Double? = nil,
        perDay: Int? = nil, doseUnits: (Double, String)? = nil, reason: String? = nil, statement: Bool = false
    ) -> String {
        let id = nextId("med")
        var resource: [String: Any] = [
            "resourceType": statement ? "MedicationStatement" : "MedicationRequest", "id": id, "status": status,
            "subject": ["reference": "Patient/p1"], "medicationCodeableConcept": Self.concept(rxnorm, code),
        ]
        if statement {
            var period: [String: Any] = ["start": start]
            if let end { period["end"] = end }
            resource["effectivePeriod"] = period
        } else {
            resource["intent"] = "order"
            resource["authoredOn"] = start
            if let end { resource["dispenseRequest"] = ["validityPeriod": ["start": start, "end": end]] }
        }
        if let perDay, doseMg != nil || doseUnits != nil {
            let quantity: [String: Any] =
                doseMg.map { ["value": $0, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"] }
                ?? ["value": doseUnits!.0, "unit": doseUnits!.1]
            resource[statement ? "dosage" : "dosageInstruction"] = [
                [
                    "timing": ["repeat": ["frequency": perDay, "period": 1, "periodUnit": "d"]],
                    "doseAndRate": [["doseQuantity": quantity]],
                ]
            ]
        }
        if let reason { resource["statusReason"] = statement ? [["text": reason]] : ["text": reason] }
        resources.append(resource)
        return "\(statement ? "MedicationStatement" : "MedicationRequest")/\(id)"
    }

    @discardableResult
    public mutating func procedure(
        _ system: String, _ code: String, on date: String, status: String = "completed", text: String? = nil,
        outcome: String? = nil, note: String? = nil
    ) -> String {
        let id = nextId("proc")
        var resource: [String: Any] = [
            "resourceType": "Procedure", "id": id, "status": status, "subject": ["reference": "Patient/p1"],
            "code": Self.concept(system, code).merging(text.map { ["text": $0] } ?? [:]) { $1 },
            "performedDateTime": date,
        ]
        if let outcome { resource["outcome"] = Self.concept(sct, outcome) }
        if let note { resource["note"] = [["text": note]] }
        resources.append(resource)
        return "Procedure/\(id)"
    }

    @discardableResult
    public mutating func request(
        _ system: String, _ code: String, on date: String, status: String = "active", text: String? = nil,
        encounter: String? = nil
    ) -> String {
        let id = nextId("sr")
        var resource: [String: Any] = [
            "resourceType": "ServiceRequest", "id": id, "status": status, "intent": "order",
            "subject": ["reference": "Patient/p1"], "authoredOn": date,
            "code": Self.concept(system, code).merging(text.map { ["text": $0] } ?? [:]) { $1 },
        ]
        if let encounter { resource["encounter"] = ["reference": encounter] }
        resources.append(resource)
        return "ServiceRequest/\(id)"
    }

    @discardableResult
    public mutating func encounter(
        on date: String, reason: String? = nil, specialist: Bool = false, status: String = "finished"
    ) -> String {
        let id = nextId("enc")
        var resource: [String: Any] = [
            "resourceType": "Encounter", "id": id, "status": status,
            "class": ["system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"],
            "subject": ["reference": "Patient/p1"], "period": ["start": date],
        ]
        if specialist {
            resource["serviceType"] = Self.concept(
                "http://terminology.hl7.org/CodeSystem/service-type", "164", "Pain Medicine")
        }
        if let reason { resource["reasonReference"] = [["reference": reason]] }
        resources.append(resource)
        return "Encounter/\(id)"
    }

    public mutating func mriReport(on date: String, conclusion: String) {
        let id = nextId("dr")
        resources.append([
            "resourceType": "DiagnosticReport", "id": id, "status": "final", "code": Self.concept(loinc, "24968-0"),
            "subject": ["reference": "Patient/p1"], "effectiveDateTime": date, "conclusion": conclusion,
        ])
    }

    public mutating func allergy(_ code: String) {
        let id = nextId("allergy")
        resources.append([
            "resourceType": "AllergyIntolerance", "id": id, "patient": ["reference": "Patient/p1"],
            "code": Self.concept(rxnorm, code),
        ])
    }

    /// Any other resource, as given (a QuestionnaireResponse, a resource unrelated to pain, …).
    public mutating func add(_ resource: [String: Any]) { resources.append(resource) }

    public var bundleJSON: [UInt8] {
        let patient: [String: Any] = [
            "resourceType": "Patient", "id": "p1", "birthDate": birthDate, "gender": "female",
        ]
        // A resource without an id (as feeds send them) gets a fullUrl by its position.
        let entries = ([patient] + resources).enumerated().map { position, resource -> [String: Any] in
            let id = resource["id"].map { "\($0)" } ?? "entry-\(position)"
            return ["fullUrl": "urn:uuid:\(resource["resourceType"]!)-\(id)", "resource": resource]
        }
        let bundle: [String: Any] = [
            "resourceType": "Bundle", "type": "collection", "timestamp": timestamp, "entry": entries,
        ]
        return [UInt8](try! JSONSerialization.data(withJSONObject: bundle, options: [.sortedKeys]))
    }

    public func facts(terminology: Terminology) throws -> ClinicalCase {
        let bundle = try FHIRReader().read(bundleJSON).result.resource
        return try CaseBuilder(terminology: terminology).build(bundle: bundle)
    }

    public func facts() throws -> ClinicalCase {
        let bundle = try FHIRReader().read(bundleJSON).result.resource
        return try CaseBuilder(terminology: repositoryTerminology).build(bundle: bundle)
    }

    public func evaluate() throws -> GuidelineResult { GuidelineEngine().evaluate(try facts()) }

    public func fired() throws -> Set<String> { Set(try evaluate().firedRuleIds.map(\.rawValue)) }
}

/// Tests name rules by their contract id (`"refer-specialist-urgent"`), as GUIDELINE.md and the
/// outputs do; an id that is not a rule stops the test at once.
extension RuleID: ExpressibleByStringLiteral {
    public init(stringLiteral id: String) {
        guard let rule = RuleID(rawValue: id) else { preconditionFailure("no rule \(id)") }
        self = rule
    }
}

// Dates relative to the fixture's timestamp 2026-11-21, and the codes most tests start from.
public let chronicOnset = "2026-05-01"
public let subacuteOnset = "2026-10-01"
public let acuteOnset = "2026-11-12"
public let lowBackPain = "279039007"
public let sciatica = "23056005"
public let neuropathicPain = "247398009"
public let postherpeticNeuralgia = "2177002"

/// Chronic low back pain since 2026-05-01, and whatever `build` adds.
public func chronicBack(_ build: (inout CaseFixture) -> Void = { _ in }) -> CaseFixture {
    var fixture = CaseFixture()
    fixture.condition(sct, lowBackPain, onset: chronicOnset)
    build(&fixture)
    return fixture
}

extension CaseFixture {
    /// A copy with more resources.
    public func with(_ build: (inout CaseFixture) -> Void) -> CaseFixture {
        var copy = self
        build(&copy)
        return copy
    }
}
