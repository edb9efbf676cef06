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
    public internal(set) var references: [String]
}

extension Context {
    /// Codes of the resources that matter (Conditions, Procedures, ServiceRequests, medicines,
    /// Observations) where no coding of the concept matched anything the terminology knows.
    func unmatchedCodes(_ resources: [FHIRElement]) -> [UnmatchedCode] {
        var found: [UnmatchedCode] = []
        var positions: [CodeKey: Int] = [:]
        // Read on the concept's model (no CodeableConcept view: most unmatched codes are a lab or vital sign
        // repeated over years, and only its first sighting needs a display).
        func check(_ concept: FHIRElement, element: @autoclosure () -> String, reference: String) {
            concept.forEachElement(of: "coding") { coding in
                guard let system = coding.string("system"), let code = coding.string("code") else { return }
                let key = CodeKey(system, code)
                guard let position = positions[key] else {
                    positions[key] = found.count
                    found.append(
                        UnmatchedCode(
                            system: system, code: code, display: coding.string("display") ?? concept.string("text"),
                            element: element(), references: [reference]))
                    return
                }
                // Resources are visited one at a time: a reference already listed is the last one (no scan
                // of the list, which grows to thousands for a lab code repeated over years).
                if found[position].references.last != reference { found[position].references.append(reference) }
            }
        }
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
            check(
                conceptElement, element: resource.type + (property == "code" ? ".code" : ".medication"),
                reference: ref(resource))
        }
        return found
    }
}
