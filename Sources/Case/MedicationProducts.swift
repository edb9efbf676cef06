import FHIR
import Synchronization
import Terminology

/// What an order's medicine is, whatever the order says of its use (GUIDELINE §1 "Reading real prescriptions"): its
/// ingredients and their classes, its label, whether it is an anticoagulant. It depends only on the medication
/// concept and a referenced Medication, so the orders of one product share it (`Context.products`, a `ConceptMemo`).
struct MedicationProduct: Sendable {
    /// Empty when PainPath knows no ingredient of it (an order of it is then no use of a medicine it reads).
    let ingredients: [ProductIngredient]
    /// The classes of its ingredients and of the class value sets that list the product itself.
    let classes: Set<MedicationClass>
    /// The ingredient whose dose is the order's daily dose: the first with a class.
    let primary: ProductIngredient?
    let label: String
    /// An anticoagulant by code or by name (a contraindication to NSAIDs while current).
    let isAnticoagulant: Bool
    /// By ingredient (as `ingredients`): an opioid, counted for MME (tramadol too), and its MME factor.
    let isOpioid: [Bool]
    let mmeFactors: [Double?]
    /// An extended-release opioid ingredient.
    let isExtendedReleaseOpioid: Bool
    /// Every ingredient's route is topical.
    let isTopicalProduct: Bool
}

extension Context {
    /// The product of an order or statement: remembered per medication concept for the bundle when the order names
    /// its medicine by a concept (re-orders repeat it, and the reader shares a repeated concept's storage); read
    /// afresh when it refers to a Medication, whose ingredients and strengths are the resource's own. The order's
    /// `medication[x]` is looked up once for both.
    func medicationProduct(_ resource: FHIRElement) -> MedicationProduct {
        let choice = resource.choiceValue("medication")
        if let choice, choice.type == "CodeableConcept", case .element(let element) = choice.value {
            return products.value(of: element) {
                let concept = CodeableConcept(element)
                return sharedProducts.product(of: concept) { makeMedicationProduct(concept: concept, medication: nil) }
            }
        }
        let medication = medication(referencedBy: choice, in: resource)
        return makeMedicationProduct(concept: medication?.code ?? choice?.codeableConcept, medication: medication)
    }

    func makeMedicationProduct(concept: CodeableConcept?, medication: Medication?) -> MedicationProduct {
        // By code (the concept, then a Medication's ingredients), else by its RxNorm-style name.
        let itemConcepts = medication?.ingredients.compactMap { $0.item?.codeableConcept } ?? []
        var ingredients = terminology.ingredients(of: concept)
        if ingredients.isEmpty { ingredients = itemConcepts.flatMap { terminology.ingredients(of: $0) } }
        var byName = false
        if ingredients.isEmpty,
            let recognised = ([concept] + itemConcepts).compactMap({ medicines.recognise($0) }).first
        {
            ingredients = recognised.ingredients
            byName = true
        }
        ingredients = ingredients.map { withMedicationStrength($0, medication: medication) }
        // A coding without text or display is named by its ingredients, so the explanation reads
        // "oxycodone", not "7804".
        let hasName = concept?.text != nil || concept?.codings.contains { $0.display != nil } == true
        let name =
            hasName || ingredients.isEmpty
            ? self.label(concept) : ingredients.map(\.ingredient).joined(separator: " / ")
        let label = byName ? name + " (recognised by name)" : name
        // The concept's value sets and classes, asked once.
        let conceptSets = terminology.membership(concept)
        let isAnticoagulant =
            conceptSets.contains(.anticoagulants)
            || labels.label(label.lowercased(), namesAMemberOf: .anticoagulants)
        // The classes of its ingredients, and of the class value sets that list the product itself
        // (acetaminophen/benzhydrocodone is in the opioid set though benzhydrocodone has no class).
        // A product known only by its class (an official set lists it, the product map does not)
        // stands as that class, its ingredient and dose unknown.
        let listedIn = MedicationClass.allCases.filter { conceptSets.contains($0) }
        if ingredients.isEmpty, let only = listedIn.first, listedIn.count == 1 {
            ingredients = [ProductIngredient(ingredient: only.label)]
        }
        let classesOfIngredient = ingredients.map { terminology.classes(of: $0.ingredient) }
        let classes = Set(classesOfIngredient.joined()).union(listedIn)
        let primary =
            ingredients.indices.first { !classesOfIngredient[$0].isDisjoint(with: classes) }.map { ingredients[$0] }
            ?? ingredients.first
        return MedicationProduct(
            ingredients: ingredients, classes: classes, primary: primary, label: label,
            isAnticoagulant: isAnticoagulant,
            isOpioid: classesOfIngredient.map {
                $0.contains(.opioid) || (classes.contains(.opioid) && ingredients.count == 1)
            },
            mmeFactors: ingredients.map { terminology.mmeFactors[$0.ingredient] },
            isExtendedReleaseOpioid: ingredients.indices.contains {
                ingredients[$0].release == .extended && classesOfIngredient[$0].contains(.opioid)
            },
            isTopicalProduct: ingredients.allSatisfy { $0.route == .topical })
    }
}

/// The products of medication concepts, remembered across bundles for one terminology: a feed orders the same few
/// hundred products for patient after patient, and making one (its ingredients, classes and label, the label searched
/// for anticoagulants' names) was about half of reading an order in the daemon (`perf`). Keyed by the concept's
/// value — its codings and text, all a product made without a Medication resource depends on besides the
/// terminology — so a cache belongs to one terminology (`Pipeline` holds one; a reload makes a new pipeline and a new
/// cache). Bounded: when full it is emptied and fills again with what the feed orders now.
public final class MedicationProductCache: Sendable {
    private let products = Mutex<[CodeableConcept: MedicationProduct]>([:])
    /// Most concepts remembered at once.
    public let capacity: Int

    public init(capacity: Int = 4096) { self.capacity = max(capacity, 1) }

    /// How many concepts are remembered (tests).
    public var count: Int { products.withLock { $0.count } }

    /// The remembered product of this concept, or `make()`'s, remembered. `make` runs outside the lock: two workers
    /// meeting a new concept at once both make it, and the second stores the same product again.
    func product(of concept: CodeableConcept, make: () -> MedicationProduct) -> MedicationProduct {
        if let known = products.withLock({ $0[concept] }) { return known }
        let made = make()
        products.withLock { products in
            if products.count >= capacity { products.removeAll(keepingCapacity: true) }
            products[concept] = made
        }
        return made
    }
}
