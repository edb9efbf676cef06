import FHIR
import Foundation
import Terminology

extension Context {
    /// Words in a status reason or note that say a medicine failed (lack of effect or adverse effect).
    static let failureWords = [
        "ineffective", "not effective", "no relief", "no benefit", "did not help", "didn't help", "no improvement",
        "lack of effect", "inadequate response", "not helpful", "intoleran", "not tolerated", "side effect",
        "adverse", "failed",
    ]

    func readAllergies(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
        for resource in resources where resource.type == "AllergyIntolerance" {
            guard let allergy = AllergyIntolerance(resource) else { continue }
            let status = allergy.clinicalStatus?.codings.first?.code
            let verification = allergy.verificationStatus?.codings.first?.code
            guard status == nil || status == "active", verification != "refuted", verification != "entered-in-error"
            else { continue }
            let reference = ref(resource)
            let concepts = [allergy.code].compactMap { $0 } + allergy.reactionSubstances
            for concept in concepts {
                for ingredient in terminology.ingredients(of: concept) {
                    facts.allergicIngredients[ingredient.ingredient, default: []].append(reference)
                }
                let sets = terminology.membership(concept)
                for medicationClass in MedicationClass.allCases where sets.contains(medicationClass) {
                    facts.allergicClasses[medicationClass, default: []].append(reference)
                }
            }
        }
    }

    func readMedications(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
        var orders: [MedicationOrder] = []
        for resource in resources where resource.type == "MedicationRequest" || resource.type == "MedicationStatement" {
            if resource.type == "MedicationRequest", resource.string("status") == "draft" {
                // An order being written (a CDS Hooks order-sign draft): no use yet, but an opioid
                // "proposed" for the opioid-safety rules (GUIDELINE §2.7).
                if let order = medicationOrder(resource, facts: &facts, draft: true), order.classes.contains(.opioid),
                    !order.ingredients.contains(where: { $0.ingredient == "buprenorphine" })
                {
                    facts.proposedOpioids.append(order)
                }
                continue
            }
            if let order = medicationOrder(resource, facts: &facts) { orders.append(order) }
        }
        facts.medications = MedicationCourses.group(orders, now: facts.now)
    }

    /// One order or statement read as GUIDELINE §1 "Reading real prescriptions" says; nil when it
    /// is no use of a medicine PainPath knows (cancelled, entered in error, not taken, a proposal…).
    func medicationOrder(_ resource: FHIRElement, facts: inout ClinicalCase, draft: Bool = false) -> MedicationOrder? {
        let isRequest = resource.type == "MedicationRequest"
        let status = draft ? "active" : resource.string("status") ?? "unknown"
        let mayBeCurrent: Bool
        switch (isRequest, status) {
        case (true, "active"), (true, "on-hold"), (false, "active"), (false, "intended"): mayBeCurrent = true
        case (_, "completed"), (_, "stopped"): mayBeCurrent = false
        default: return nil  // draft, cancelled, entered-in-error, not-taken, unknown
        }
        if isRequest, resource.string("intent") == "proposal" || resource.string("doNotPerform") == "true" {
            return nil
        }
        let reference = ref(resource)
        // The medication: a concept, or a reference to a Medication (contained or in the bundle).
        let product = medicationProduct(resource)
        let label = product.label
        let dispense = resource.child("dispenseRequest")
        let authored =
            ClinicalDate.parse(resource.string("authoredOn"))
            ?? ClinicalDate.parse(dispense?.string("validityPeriod", "start"))
        let period: Period? = resource.choiceValue("effective")?.period
        if product.isAnticoagulant, mayBeCurrent,
            isRequest ? isCurrentRequest(authored, dispense, facts.now) : period?.end == nil
        {
            facts.contraindications[.nsaid, default: []].append(
                Contraindication(.activeAnticoagulant(label: label), [reference]))
        }
        let ingredients = product.ingredients
        let classes = product.classes
        guard !ingredients.isEmpty, !classes.isEmpty, let primary = product.primary else { return nil }

        // The dose of each ingredient.
        let dosages = resource.children(isRequest ? "dosageInstruction" : "dosage")
        var doses: [String: DailyDose] = [:]
        for ingredient in ingredients {
            doses[ingredient.ingredient] = DoseReader.read(dosages: dosages, ingredient: ingredient, dispense: dispense)
        }

        // When it was taken, and whether it still is.
        var start: Date?
        var end: Date?
        var current = false
        var history: String?
        if isRequest {
            start = authored
            let covered = coveredUntil(authored, dispense, unitsPerDay: doses[primary.ingredient]?.unitsPerDay)
            if draft {
                current = true
                end = facts.now
            } else if mayBeCurrent {
                current = covered.map { facts.now <= $0.lastDay } ?? false
                end = current ? facts.now : covered?.until ?? start
                if !current, let authored {
                    history =
                        "history: ordered \(ClinicalDate.day(authored)), "
                        + (covered?.known == true
                            ? "supply to \(ClinicalDate.day(covered!.until))" : "no supply information")
                }
            } else {
                end = ClinicalDate.parse(dispense?.string("validityPeriod", "end")) ?? start
            }
        } else {
            start =
                ClinicalDate.parse(period?.start) ?? ClinicalDate.parse(resource.choiceValue("effective")?.text)
                ?? ClinicalDate.parse(resource.string("dateAsserted"))
            let periodEnd = ClinicalDate.parse(period?.end)
            current = mayBeCurrent && (periodEnd.map { $0 > facts.now } ?? true)
            end = current ? facts.now : periodEnd ?? start
            if mayBeCurrent, !current, let periodEnd { history = "history: taken until \(ClinicalDate.day(periodEnd))" }
        }
        if let s = start, let e = end, e < s { end = s }

        // Why it stopped.
        let reasonConcepts =
            resource.concepts("statusReason") + (resource.child("statusReason").map { [CodeableConcept($0)] } ?? [])
        let reasonText =
            (reasonConcepts.compactMap { $0.text } + reasonConcepts.flatMap(\.codings).compactMap(\.display)
            + resource.children("note").compactMap { $0.string("text") }).joined(separator: " ").lowercased()
        var failure: MedicationFailure?
        if let coded = reasonConcepts.first(where: { terminology.contains(.medicationFailureReason, $0) }) {
            failure = .statusReason(label: self.label(coded))
        } else if !reasonText.isEmpty, let word = Self.failureWords.first(where: { reasonText.includes($0) }) {
            failure = .recordedWords(word)
        }
        let routeText =
            dosages.compactMap { $0.child("route").map(CodeableConcept.init) }.map { self.label($0).lowercased() }
            .joined(separator: " ") + " " + dosages.compactMap { $0.string("text") }.joined(separator: " ").lowercased()

        // MME of the opioids (tramadol too): known parts, and the opioids whose dose is unknown.
        var mme: Double?
        var doseUnknown = false
        for (index, ingredient) in ingredients.enumerated() {
            let isOpioid = product.isOpioid[index]
            guard let factor = product.mmeFactors[index] else {
                if isOpioid, !(doses[ingredient.ingredient]?.isKnown ?? false) { doseUnknown = true }
                continue
            }
            let dose = doses[ingredient.ingredient]
            if let rate = dose?.patchMicrogramsPerHour {
                mme = (mme ?? 0) + rate * factor
            } else if let daily = dose?.milligrams {
                mme = (mme ?? 0) + daily * factor
            } else if isOpioid {
                doseUnknown = true
            }
        }
        return MedicationOrder(
            reference: reference, label: label, ingredients: ingredients, classes: classes, current: current,
            start: start, end: end, dailyDoseMilligrams: doses[primary.ingredient]?.milligrams, mmePerDay: mme,
            opioidDoseUnknown: doseUnknown,
            extendedRelease: product.isExtendedReleaseOpioid,
            stoppedEarly: status == "stopped", failure: failure,
            isTopical: product.isTopicalProduct || routeText.includes("topical")
                || routeText.includes("transdermal"),
            isEpidural: routeText.includes("epidural"), history: history)
    }

    /// A product strength from the Medication resource when the product map gave none.
    func withMedicationStrength(_ ingredient: ProductIngredient, medication: Medication?) -> ProductIngredient {
        guard ingredient.strengthMilligrams == nil, let medication,
            let match = medication.ingredients.first(where: {
                terminology.ingredients(of: $0.item?.codeableConcept).contains {
                    $0.ingredient == ingredient.ingredient
                }
            }),
            let numerator = match.strengthNumerator, numerator.code == "mg" || numerator.unit == "mg",
            let value = numerator.number
        else { return ingredient }
        let denominator = match.strengthDenominator
        let perML = (denominator?.code ?? denominator?.unit)?.lowercased() == "ml"
        return ProductIngredient(
            ingredient: ingredient.ingredient, strengthMilligrams: value / (denominator?.number ?? 1),
            strengthUnit: perML ? "mg/ml" : "mg", release: ingredient.release, route: ingredient.route)
    }

    /// How long an order's supply lasts (GUIDELINE §1): the expected supply × (1 + repeats), or the
    /// quantity ÷ the daily units × (1 + repeats); `lastDay` adds 30 days of grace. With no supply
    /// information, 180 days after it was written.
    func coveredUntil(_ authored: Date?, _ dispense: FHIRElement?, unitsPerDay: Double?)
        -> (until: Date, lastDay: Date, known: Bool)?
    {
        guard let authored else { return nil }
        let fills = 1 + (dispense?.string("numberOfRepeatsAllowed").flatMap(Double.init(fhirNumber:)) ?? 0)
        var days = dispense.flatMap(DoseReader.supplyDays).map { $0 * fills }
        if days == nil, let quantity = dispense?.withChild("quantity", Quantity.init)?.number, let unitsPerDay,
            unitsPerDay > 0
        {
            days = quantity / unitsPerDay * fills
        }
        guard let days else {
            let window = ClinicalDate.adding(days: 180, to: authored)
            return (window, window, false)
        }
        let until = authored.addingTimeInterval(days * 86400)
        return (until, ClinicalDate.adding(days: 30, to: until), true)
    }

    func isCurrentRequest(_ authored: Date?, _ dispense: FHIRElement?, _ now: Date) -> Bool {
        coveredUntil(authored, dispense, unitsPerDay: nil).map { now <= $0.lastDay } ?? true
    }
}
