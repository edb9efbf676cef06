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
        var found: [CodeKey: UnmatchedCode] = [:]
        var order: [CodeKey] = []
        func check(_ concept: CodeableConcept?, element: String, reference: String) {
            guard let concept, !concept.codings.isEmpty else { return }
            guard !concept.codings.contains(where: { terminology.isKnown(system: $0.system, code: $0.code) }) else {
                return
            }
            for coding in concept.codings {
                guard let system = coding.system, let code = coding.code else { continue }
                let key = CodeKey(system, code)
                if found[key] == nil {
                    order.append(key)
                    found[key] = UnmatchedCode(
                        system: system, code: code, display: coding.display ?? concept.text, element: element,
                        references: [])
                }
                // Resources are visited one at a time: a reference already listed is the last one (no scan of
                // the list, which grows to thousands for a lab code repeated over years).
                if found[key]?.references.last != reference { found[key]?.references.append(reference) }
            }
        }
        for resource in resources {
            let reference = ref(resource)
            switch resource.type {
            case "Condition", "Procedure", "ServiceRequest", "Observation":
                check(resource.concept("code"), element: resource.type + ".code", reference: reference)
            case "MedicationRequest", "MedicationStatement":
                check(
                    resource.choiceValue("medication")?.codeableConcept, element: resource.type + ".medication",
                    reference: reference)
            case "Medication":
                check(resource.concept("code"), element: "Medication.code", reference: reference)
            default:
                continue
            }
        }
        return order.compactMap { found[$0] }
    }
}
