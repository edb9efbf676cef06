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
        for (index, resource) in resources.enumerated() {
            // Known codes (most, in a record the terminology covers) are passed over on the model itself,
            // before a view or a reference is made.
            guard let property = Self.codedProperty(ofType: resource.type) else { continue }
            guard let conceptElement = resource.child(property),
                !concepts.membership(conceptElement: conceptElement).isKnown
            else { continue }
            // The element's name is made only for a code's first sighting (a lab repeated over years has one).
            report.add(
                conceptElement, element: resource.type + (property == "code" ? ".code" : ".medication"),
                carrier: index)
        }
        return report.codes { index in
            UnmatchedCode.Carrier(type: resources[index].type, id: resources[index].string("id"))
        }
    }

    /// The concept the report reads of a resource type: `code` of Conditions, Procedures, ServiceRequests,
    /// Observations and Medications, `medicationCodeableConcept` of orders and statements; nil for other types.
    /// Told apart by the name's length first (every resource of the report's types passes here).
    static func codedProperty(ofType type: String) -> String? {
        switch type.utf8.count {
        case 9: type == "Condition" || type == "Procedure" ? "code" : nil
        case 10: type == "Medication" ? "code" : nil
        case 11: type == "Observation" ? "code" : nil
        case 14: type == "ServiceRequest" ? "code" : nil
        case 17: type == "MedicationRequest" ? "medicationCodeableConcept" : nil
        case 19: type == "MedicationStatement" ? "medicationCodeableConcept" : nil
        default: nil
        }
    }
}

/// The unmatched codes found so far, each (system, code) once. A struct whose `add` mutates it (not a nested
/// function over captured variables, whose every access was checked for exclusivity at run time).
private struct UnmatchedCodeReport {
    /// Each code's first sighting, without its carriers (`codes` adds them).
    var found: [UnmatchedCode] = []
    var positions: [CodeKey: Int] = [:]
    /// Where each concept's codings went, by the concept's storage (`FHIRElement.storageIdentity`), with a copy of
    /// the concept so that no other element can take its storage: the reader shares a concept a record repeats, and
    /// a lab code repeated over years is then looked up once, not once per result.
    var positionsByConcept: [StorageKey: (concept: FHIRElement, positions: [Int])] = [:]
    /// (code's position in `found`, carrying resource's index), in the order found: one array for all codes, where a
    /// list per code grew by reallocation, a lab code's to thousands (a third of the report on a Synthea record).
    var carriers: [(position: Int, resource: Int)] = []
    /// The last resource listed as a carrier of each code: resources are visited one at a time, so a resource
    /// already listed is the last one (compared as an index, not as a type and id).
    var lastCarrier: [Int] = []

    /// The codings of a concept no coding of which is known. Read on the concept's model (no CodeableConcept view:
    /// most unmatched codes are a lab or vital sign repeated over years, and only its first sighting needs a
    /// display).
    mutating func add(_ concept: FHIRElement, element: @autoclosure () -> String, carrier: Int) {
        let identity = concept.storageIdentity
        if let identity, let known = positionsByConcept[StorageKey(identity)] {
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
                        element: element(), carriers: []))
                lastCarrier.append(carrier)
                carriers.append((found.count - 1, carrier))
                return
            }
            positionsOfConcept.append(position)
            add(carrier, at: position)
        }
        if let identity { positionsByConcept[StorageKey(identity)] = (concept, positionsOfConcept) }
    }

    private mutating func add(_ carrier: Int, at position: Int) {
        guard lastCarrier[position] != carrier else { return }
        lastCarrier[position] = carrier
        carriers.append((position, carrier))
    }

    /// The codes in the order first found, each with its carriers in bundle order, made by `carrier` from a
    /// resource's index; each list made at its size.
    func codes(_ carrier: (Int) -> UnmatchedCode.Carrier) -> [UnmatchedCode] {
        var counts = [Int](repeating: 0, count: found.count)
        for entry in carriers { counts[entry.position] += 1 }
        var codes = found
        for position in codes.indices { codes[position].carriers.reserveCapacity(counts[position]) }
        for entry in carriers { codes[entry.position].carriers.append(carrier(entry.resource)) }
        return codes
    }
}
