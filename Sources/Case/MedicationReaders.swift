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

    /// Doses per day of common timing codes (v3-GTSAbbreviation).
    static let timingCodes: [String: Double] = [
        "QD": 1, "AM": 1, "PM": 1, "HS": 1, "BID": 2, "TID": 3, "QID": 4, "Q4H": 6, "Q6H": 4,
        "Q8H": 3, "Q12H": 2, "QOD": 0.5, "WK": 1.0 / 7,
    ]

    mutating func readAllergies(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
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
                for medicationClass in MedicationClass.allCases where terminology.contains(medicationClass, concept) {
                    facts.allergicClasses[medicationClass, default: []].append(reference)
                }
            }
        }
    }

    mutating func readMedications(_ resources: [FHIRElement], into facts: inout ClinicalCase) {
        for resource in resources where resource.type == "MedicationRequest" || resource.type == "MedicationStatement" {
            let status = resource.string("status") ?? "unknown"
            let state: MedicationFact.State
            switch status {
            case "active", "on-hold", "intended", "draft": state = .active
            case "completed", "stopped": state = .past
            default: continue  // cancelled, entered-in-error, not-taken, unknown
            }
            if resource.type == "MedicationRequest",
                resource.string("intent") == "proposal" || resource.string("doNotPerform") == "true"
            {
                continue
            }
            let reference = ref(resource)
            // The medication: a concept, or a reference to a Medication (contained or in the bundle).
            var concept = resource.choiceValue("medication")?.codeableConcept
            var medication: Medication?
            if let target = resource.choiceValue("medication")?.reference?.reference,
                let resolved = resolver.resolve(target, container: resource)
            {
                medication = Medication(resolved)
                concept = medication?.code
            }
            // By code (the concept, then a Medication's ingredients), else by its RxNorm-style name.
            let terminology = self.terminology
            let itemConcepts = medication?.ingredients.compactMap { $0.item?.codeableConcept } ?? []
            var ingredients = terminology.ingredients(of: concept)
            if ingredients.isEmpty { ingredients = itemConcepts.flatMap { terminology.ingredients(of: $0) } }
            var byName = false
            if ingredients.isEmpty,
                let recognised = ([concept] + itemConcepts).compactMap({ terminology.recognise($0) }).first
            {
                ingredients = recognised.ingredients
                byName = true
            }
            // A coding without text or display is named by its ingredients, so the explanation reads
            // "oxycodone", not "7804".
            let hasName = concept?.text != nil || concept?.codings.contains { $0.display != nil } == true
            let name =
                hasName || ingredients.isEmpty
                ? self.label(concept) : ingredients.map(\.ingredient).joined(separator: " / ")
            let label = byName ? name + " (recognised by name)" : name
            let anticoagulant =
                terminology.contains(.anticoagulants, concept)
                || (terminology.valueSet(.anticoagulants)?.displays ?? []).contains {
                    label.lowercased().contains($0)
                }
            if anticoagulant, state == .active {
                facts.contraindications[.nsaid, default: []].append(
                    Contraindication(.activeAnticoagulant(label: label), [reference]))
            }
            // The classes of its ingredients, and of the class value sets that list the product itself
            // (acetaminophen/benzhydrocodone is in the opioid set though benzhydrocodone has no class).
            // A product known only by its class (an official set lists it, the product map does not)
            // stands as that class, its ingredient and dose unknown.
            let listedIn = MedicationClass.allCases.filter { terminology.contains($0, concept) }
            if ingredients.isEmpty, let only = listedIn.first, listedIn.count == 1 {
                ingredients = [ProductIngredient(ingredient: only.label)]
            }
            guard !ingredients.isEmpty else { continue }
            let classes = Set(ingredients.flatMap { terminology.classes(of: $0.ingredient) }).union(listedIn)
            guard !classes.isEmpty else { continue }

            // When it was taken.
            let period: Period? = resource.choiceValue("effective")?.period
            let start =
                ClinicalDate.parse(period?.start) ?? ClinicalDate.parse(resource.choiceValue("effective")?.text)
                ?? ClinicalDate.parse(resource.string("authoredOn")) ?? ClinicalDate.parse(
                    resource.child("dispenseRequest")?.child("validityPeriod")?.string("start"))
                ?? ClinicalDate.parse(resource.string("dateAsserted"))
            var end =
                ClinicalDate.parse(period?.end)
                ?? ClinicalDate.parse(resource.child("dispenseRequest")?.child("validityPeriod")?.string("end"))
            if state == .active { end = min(end ?? facts.now, facts.now) }
            if state == .past, end == nil { end = start }
            let weeks = start.flatMap { s in end.map { max(0, ClinicalDate.weeks(from: s, to: $0)) } }

            // Why it stopped.
            let reasonConcepts =
                resource.concepts("statusReason") + (resource.child("statusReason").map { [CodeableConcept($0)] } ?? [])
            let reasonText =
                (reasonConcepts.compactMap { $0.text } + reasonConcepts.flatMap(\.codings).compactMap(\.display)
                + resource.children("note").compactMap { $0.string("text") }).joined(separator: " ").lowercased()
            var failure: MedicationFailure?
            if let coded = reasonConcepts.first(where: { terminology.contains(.medicationFailureReason, $0) }) {
                failure = .statusReason(label: self.label(coded))
            } else if let word = Self.failureWords.first(where: { reasonText.contains($0) }) {
                failure = .recordedWords(word)
            }
            let stoppedEarly = status == "stopped"

            // Daily dose and MME.
            let dosages = resource.children(resource.type == "MedicationRequest" ? "dosageInstruction" : "dosage")
            let primary =
                ingredients.first { !terminology.classes(of: $0.ingredient).isDisjoint(with: classes) }
                ?? ingredients[0]
            let dose = dailyDose(dosages: dosages, ingredient: primary, medication: medication)
            let routeText =
                dosages.compactMap { $0.child("route").map(CodeableConcept.init) }.map { self.label($0).lowercased() }
                .joined(separator: " ")
                + " " + dosages.compactMap { $0.string("text") }.joined(separator: " ").lowercased()
            let epidural = routeText.contains("epidural")
            var mme: Double?
            for ingredient in ingredients {
                guard let factor = terminology.mmeFactors[ingredient.ingredient] else { continue }
                if ingredient.strengthUnit?.hasSuffix("/hr") == true, let rate = ingredient.strengthMilligrams {
                    mme = (mme ?? 0) + rate * 1000 * factor
                } else if let daily = dailyDose(dosages: dosages, ingredient: ingredient, medication: medication) {
                    mme = (mme ?? 0) + daily * factor
                }
            }
            let fact = MedicationFact(
                reference: reference, label: label, ingredients: ingredients, classes: classes, state: state,
                start: start, end: end, weeksTaken: weeks, dailyDoseMilligrams: dose,
                mmePerDay: mme,
                extendedRelease: ingredients.contains {
                    $0.release == .extended && terminology.classes(of: $0.ingredient).contains(.opioid)
                },
                stoppedEarly: stoppedEarly, failure: failure,
                isTopical: ingredients.allSatisfy { $0.route == .topical } || routeText.contains("topical")
                    || routeText.contains("transdermal"),
                isEpidural: epidural)
            facts.medications.append(fact)
        }
    }

    /// mg/day of one ingredient from the dosage: dose in mg, or dose in units × the product strength,
    /// times doses per day (Timing.repeat or a timing code). Nil when the dosage does not say enough.
    func dailyDose(dosages: [FHIRElement], ingredient: ProductIngredient, medication: Medication?) -> Double? {
        var total: Double?
        for element in dosages {
            let dosage = Dosage(element)
            guard let dose = dosage.dose, let amount = dose.number else { continue }
            var perDose: Double?
            let unit = (dose.code ?? dose.unit ?? "").lowercased()
            switch unit {
            case "mg": perDose = amount
            case "g": perDose = amount * 1000
            case "ug", "mcg": perDose = amount / 1000
            default:
                // Tablets, capsules, mL, patches: the product's strength per unit.
                var strength = ingredient.strengthMilligrams
                if strength == nil, let medication,
                    let match = medication.ingredients.first(where: {
                        terminology.ingredients(of: $0.item?.codeableConcept).contains {
                            $0.ingredient == ingredient.ingredient
                        }
                    }),
                    let numerator = match.strengthNumerator, numerator.code == "mg" || numerator.unit == "mg"
                {
                    strength = numerator.number.map { $0 / (match.strengthDenominator?.number ?? 1) }
                }
                perDose = strength.map { amount * $0 }
            }
            guard let perDose else { continue }
            var perDay: Double?
            if let frequency = dosage.frequency {
                let period = dosage.period.flatMap(Double.init) ?? 1
                let unitDays: [String: Double] = [
                    "s": 1.0 / 86400, "min": 1.0 / 1440, "h": 1.0 / 24, "d": 1, "wk": 7, "mo": 30, "a": 365,
                ]
                if let days = unitDays[dosage.periodUnit ?? "d"], period > 0 {
                    perDay = Double(frequency) / (period * days)
                }
            } else if let code = element.child("timing")?.child("code").map(CodeableConcept.init)?.codings.first?.code?
                .uppercased()
            {
                perDay = Self.timingCodes[code]
            }
            guard let perDay else { continue }
            total = (total ?? 0) + perDose * perDay
        }
        return total
    }
}
