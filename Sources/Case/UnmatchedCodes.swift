import FHIR
import Foundation
import Terminology

/// A code of the bundle that matched no value set, product or local map: what an integration
/// engineer maps next. Per bundle, each (system, code) once with the resources that carry it.
public struct UnmatchedCode: Sendable, Hashable {
    public let system: String
    public let code: String
    public let display: String?
    /// The element it was read from (`Condition.code`, `MedicationRequest.medication`…).
    public let element: String
    /// The resources that carry it, as references (`Observation/5`), in bundle order.
    public var references: [String] { carriers.map(\.reference) }
    /// The carriers by type and id: a lab code repeated over years is carried by thousands of resources, and a
    /// reference string made for each was a fifth of the report; they are made when asked.
    var carriers: [Carrier]

    struct Carrier: Hashable, Sendable {
        let type: String
        let id: String?

        var reference: String { Context.ref(type: type, id: id) }
    }
}

extension Context {
    /// Codes of the resources that matter (Conditions, Procedures, ServiceRequests, medicines,
    /// Observations) where no coding of the concept matched anything the terminology knows.
    func unmatchedCodes(_ resources: [FHIRElement]) -> [UnmatchedCode] {
        var report = UnmatchedCodeReport()
        for resource in resources {
            // Known codes (most, in a record the terminology covers) are passed over on the model itself,
            // before a view or a reference is made.
            let property: String
            switch resource.type {
            case "Condition", "Procedure", "ServiceRequest", "Observation", "Medication": property = "code"
            case "MedicationRequest", "MedicationStatement": property = "medicationCodeableConcept"
            default: continue
            }
            guard let conceptElement = resource.child(property),
                !concepts.membership(conceptElement: conceptElement).isKnown
            else { continue }
            // The element's name is made only for a code's first sighting (a lab repeated over years has one).
            report.add(
                conceptElement, element: resource.type + (property == "code" ? ".code" : ".medication"),
                carrier: UnmatchedCode.Carrier(type: resource.type, id: resource.string("id")))
        }
        return report.found
    }
}

/// The unmatched codes found so far, each (system, code) once. A struct whose `add` mutates it (not a nested
/// function over captured variables, whose every access was checked for exclusivity at run time).
private struct UnmatchedCodeReport {
    var found: [UnmatchedCode] = []
    var positions: [CodeKey: Int] = [:]
    /// Where each concept's codings went, by the concept's storage (`FHIRElement.storageIdentity`), with a copy of
    /// the concept so that no other element can take its storage: the reader shares a concept a record repeats, and
    /// a lab code repeated over years is then looked up once, not once per result.
    var positionsByConcept: [UnsafeRawPointer: (concept: FHIRElement, positions: [Int])] = [:]

    /// The codings of a concept no coding of which is known. Read on the concept's model (no CodeableConcept view:
    /// most unmatched codes are a lab or vital sign repeated over years, and only its first sighting needs a
    /// display).
    mutating func add(_ concept: FHIRElement, element: @autoclosure () -> String, carrier: UnmatchedCode.Carrier) {
        let identity = concept.storageIdentity
        if let identity, let known = positionsByConcept[identity] {
            for position in known.positions { add(carrier, at: position) }
            return
        }
        var positionsOfConcept: [Int] = []
        concept.forEachElement(of: "coding") { coding in
            guard let system = coding.string("system"), let code = coding.string("code") else { return }
            let key = CodeKey(system, code)
            guard let position = positions[key] else {
                positions[key] = found.count
                positionsOfConcept.append(found.count)
                found.append(
                    UnmatchedCode(
                        system: system, code: code, display: coding.string("display") ?? concept.string("text"),
                        element: element(), carriers: [carrier]))
                return
            }
            positionsOfConcept.append(position)
            add(carrier, at: position)
        }
        if let identity { positionsByConcept[identity] = (concept, positionsOfConcept) }
    }

    /// Resources are visited one at a time: a carrier already listed is the last one (no scan of the list, which
    /// grows to thousands for a lab code repeated over years).
    private mutating func add(_ carrier: UnmatchedCode.Carrier, at position: Int) {
        if found[position].carriers.last != carrier { found[position].carriers.append(carrier) }
    }
}
