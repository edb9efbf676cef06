import FHIR
import Foundation
import Terminology

extension Context {
    static let scopeSets: [(ValueSetID, ScopeExclusion.Kind)] = [
        (.activeCancer, .activeCancer), (.sickleCellDisease, .sickleCellDisease),
        (.hospiceOrEndOfLife, .hospiceOrEndOfLife), (.limitedLifeExpectancy, .limitedLifeExpectancy),
    ]

    /// The facts of GUIDELINE §2.7: the scope exclusions, the naloxone risks, the PDMP reviews, urine
    /// drug screens and pain treatment plans on record, naloxone and MOUD current.
    func readOpioidSafety(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
        var scope: [ScopeExclusion.Kind: [String]] = [:]
        for resource in resources {
            // Made only for what matched (most resources of a real record match nothing here).
            lazy var reference = ref(resource)
            switch OpioidSafetyReadType(resource.type) {
            case .condition:
                guard let condition = Condition(resource), !isRefuted(condition) else { continue }
                let sets = terminology.membership(condition.code)
                // A past overdose counts whatever its clinical status.
                if sets.contains(.opioidOverdose) { facts.opioidOverdoses.append(reference) }
                guard isActiveCondition(condition) else { continue }
                for (set, kind) in Self.scopeSets where sets.contains(set) {
                    scope[kind, default: []].append(reference)
                }
                if sets.contains(.sleepDisorderedBreathing) {
                    facts.sleepDisorderedBreathing.append(reference)
                }
            case .recordOfCare(let isTyped):
                guard !Self.isVoidOrNotDone(resource.string("status")) else { continue }
                // Read on the model: most of these resources match nothing here.
                let sets = concepts.membership(of: resource, property: isTyped ? "type" : "code")
                if sets.contains(.hospiceOrEndOfLife) {
                    scope[.hospiceOrEndOfLife, default: []].append(reference)
                }
                // A request still open is not yet a review, a screen or a plan.
                if resource.type == "ServiceRequest", resource.string("status") != "completed" { continue }
                let pdmp = sets.contains(.pdmpReview)
                let screen = sets.contains(.urineDrugScreen)
                let plan = sets.contains(.painTreatmentPlan)
                // Dates are parsed only for what matched (most resources match nothing here).
                guard pdmp || screen || plan,
                    let date = date(of: resource.choiceValue("performed")) ?? date(
                        of: resource.choiceValue("effective"))
                        ?? ClinicalDate.parse(resource.string("issued"))
                        ?? ClinicalDate.parse(resource.string("authoredOn"))
                        ?? ClinicalDate.parse(resource.string("date"))
                        ?? ClinicalDate.parse(resource.string("period", "start"))
                else { continue }
                if pdmp { facts.pdmpReviews.append(Sourced(date, [reference])) }
                if screen { facts.urineDrugScreens.append(Sourced(date, [reference])) }
                if plan { facts.painTreatmentPlans.append(Sourced(date, [reference])) }
            case .medicine:
                guard isCurrentOrder(resource, now: facts.now) else { continue }
                let concept = medicationConcept(resource)
                let sets = terminology.membership(concept)
                let moud = sets.contains(.moudMedications)
                if moud { facts.moudCurrent.append(reference) }
                if sets.contains(.naloxoneMedications), !moud {
                    facts.naloxoneCurrent.append(reference)
                }
            case nil:
                continue
            }
        }
        facts.outOfScope = ScopeExclusion.Kind.allCases.compactMap { kind in
            scope[kind].map { ScopeExclusion(kind, $0) }
        }
    }

    /// A status that makes a procedure, observation, request, document or encounter no record of care:
    /// entered-in-error, cancelled, revoked, not-done. Compared after the length (every resource of a long record
    /// passes here, and four failed string compares were a tenth of this reader).
    static func isVoidOrNotDone(_ status: String?) -> Bool {
        guard let status else { return false }
        switch status.utf8.count {
        case 16: return status == "entered-in-error"
        case 9: return status == "cancelled"
        case 7: return status == "revoked"
        case 8: return status == "not-done"
        default: return false
        }
    }

    /// The Medication an order's or statement's `medication[x]` refers to, when it is a reference that resolves
    /// (contained or elsewhere in the bundle).
    func medication(referencedBy choice: ChoiceValue?, in resource: FHIRElement) -> Medication? {
        guard let target = choice?.reference?.reference, let resolved = resolver.resolve(target, container: resource)
        else { return nil }
        return Medication(resolved)
    }

    /// The medication concept of an order or statement (or of its Medication).
    func medicationConcept(_ resource: FHIRElement) -> CodeableConcept? {
        let choice = resource.choiceValue("medication")
        return medication(referencedBy: choice, in: resource)?.code ?? choice?.codeableConcept
    }

    /// Current as GUIDELINE §1 reads orders (its supply) and statements (period not ended).
    func isCurrentOrder(_ resource: FHIRElement, now: Date) -> Bool {
        let status = resource.string("status") ?? ""
        if resource.type == "MedicationRequest" {
            guard ["active", "on-hold"].contains(status), resource.string("intent") != "proposal" else { return false }
            let dispense = resource.child("dispenseRequest")
            let authored =
                ClinicalDate.parse(resource.string("authoredOn"))
                ?? ClinicalDate.parse(dispense?.string("validityPeriod", "start"))
            return isCurrentRequest(authored, dispense, now)
        }
        guard ["active", "intended"].contains(status) else { return false }
        return ClinicalDate.parse(resource.choiceValue("effective")?.period?.end).map { $0 > now } ?? true
    }
}

/// The resource types the opioid-safety reader reads, told apart by the name's length before any compare.
enum OpioidSafetyReadType: Equatable {
    case condition
    /// A procedure, observation, request, document or encounter; `isTyped`: its concept is `type`, not `code`
    /// (DocumentReference, Encounter).
    case recordOfCare(isTyped: Bool)
    /// A medication order or statement.
    case medicine

    init?(_ type: String) {
        switch type.utf8.count {
        case 9:
            switch type {
            case "Condition": self = .condition
            case "Procedure": self = .recordOfCare(isTyped: false)
            case "Encounter": self = .recordOfCare(isTyped: true)
            default: return nil
            }
        case 11 where type == "Observation": self = .recordOfCare(isTyped: false)
        case 14 where type == "ServiceRequest": self = .recordOfCare(isTyped: false)
        case 17:
            switch type {
            case "DocumentReference": self = .recordOfCare(isTyped: true)
            case "MedicationRequest": self = .medicine
            default: return nil
            }
        case 19 where type == "MedicationStatement": self = .medicine
        default: return nil
        }
    }
}
