import FHIR
import PainPathTestKit
import Terminology
import Testing

@testable import Case

/// What the case stage remembers within one bundle must never change what it reads: a concept's value sets are
/// the terminology's, and a reference that depends on the encounter holding it is resolved for each encounter.
@Suite("case stage: what is remembered within a bundle")
struct CaseMemoTests {
    static let severeBackPain = FHIRElement(
        type: "CodeableConcept",
        properties: [
            FHIRProperty(
                name: "coding",
                values: [
                    .element(
                        FHIRElement(
                            type: "Coding",
                            properties: [
                                FHIRProperty(name: "system", values: [.primitive("uri", sct)]),
                                FHIRProperty(name: "code", values: [.primitive("code", lowBackPain)]),
                            ]))
                ])
        ])

    @Test func aConceptsMembershipIsTheTerminologysAndIsComputedOncePerConcept() {
        let memo = ConceptMemberships(terminology: repositoryTerminology)
        let concept = Self.severeBackPain
        let expected = repositoryTerminology.membership(conceptElement: concept)
        #expect(expected.contains(.lowBackPain))
        #expect(memo.membership(conceptElement: concept) == expected)
        let copy = concept
        #expect(memo.membership(conceptElement: copy) == expected)
        #expect(memo.rememberedCount == 1)
        // The same codes in another element are another entry, with the same answer.
        let rebuilt = FHIRElement(type: concept.type, properties: concept.properties.map { $0 })
        #expect(memo.membership(conceptElement: rebuilt) == expected)
        #expect(memo.rememberedCount == 2)
    }

    @Test func aConceptChangedAfterBeingAskedIsAskedAgain() {
        let memo = ConceptMemberships(terminology: repositoryTerminology)
        var concept = Self.severeBackPain
        #expect(memo.membership(conceptElement: concept).contains(.lowBackPain))
        // The memo holds a copy: changing this one gives it storage of its own, so the old answer is not reused.
        concept.properties[0] = FHIRProperty(name: "text", values: [.primitive("string", "back ache")])
        #expect(memo.membership(conceptElement: concept) == .none)
    }

    @Test func manyConceptsEachKeepTheirOwnValue() {
        // Enough concepts for the memo's table to grow many times over: each finds its own value, not a neighbour's.
        let memo = ConceptMemo<Int>()
        let concepts = (0..<3000).map { index in
            FHIRElement(
                type: "CodeableConcept",
                properties: [FHIRProperty(name: "text", values: [.primitive("string", "concept \(index)")])])
        }
        let made = concepts.indices.map { index in memo.value(of: concepts[index]) { index } }
        let found = concepts.indices.map { index in memo.value(of: concepts[index]) { -1 } }
        #expect(made == Array(concepts.indices))
        #expect(found == Array(concepts.indices))
        #expect(memo.count == concepts.count)
    }

    @Test func storageKeysAreEqualByAddressAndHashTheirAddress() throws {
        let first = try #require(Self.severeBackPain.storageIdentity)
        let copy = try #require(Self.severeBackPain.storageIdentity)
        let other = try #require(
            FHIRElement(type: "Coding", properties: [FHIRProperty(name: "code", values: [.primitive("code", "x")])])
                .storageIdentity)
        #expect(StorageKey(first) == StorageKey(copy))
        #expect(StorageKey(first) != StorageKey(other))
        #expect(StorageKey(first)._rawHashValue(seed: 7) == StorageKey(copy)._rawHashValue(seed: 7))
        // Addresses a block apart (their low bits zero by alignment) still land in different buckets of a table.
        let hashes = Set((0..<64).map { StorageKey(first + 16 * $0)._rawHashValue(seed: 7) & 63 })
        #expect(hashes.count > 32)
    }

    @Test func storageIdentityIsSharedByCopiesOnly() {
        let concept = Self.severeBackPain
        var changed = concept
        #expect(concept.storageIdentity != nil && changed.storageIdentity == concept.storageIdentity)
        changed.properties.removeLast()
        #expect(changed.storageIdentity != concept.storageIdentity)
        #expect(FHIRElement(type: "Coding").storageIdentity == nil)
    }

    @Test func aContainedReasonIsResolvedInsideEachEncounter() throws {
        // Both encounters give "#reason"; only the first contains a Condition of that id, and that Condition's
        // reference ("Condition/reason") is the back-pain condition's: the first is in the episode, the second not.
        var fixture = CaseFixture()
        fixture.add([
            "resourceType": "Condition", "id": "reason", "subject": ["reference": "Patient/p1"],
            "clinicalStatus": CaseFixture.concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active"),
            "code": CaseFixture.concept(sct, lowBackPain), "onsetDateTime": chronicOnset,
        ])
        for (id, date, contains) in [("with", "2026-06-01", true), ("without", "2026-07-01", false)] {
            var encounter: [String: Any] = [
                "resourceType": "Encounter", "id": id, "status": "finished",
                "class": ["system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"],
                "subject": ["reference": "Patient/p1"], "period": ["start": date],
                "reasonReference": [["reference": "#reason"]],
            ]
            if contains {
                encounter["contained"] = [
                    [
                        "resourceType": "Condition", "id": "reason", "subject": ["reference": "Patient/p1"],
                        "code": CaseFixture.concept(sct, lowBackPain),
                    ]
                ]
            }
            fixture.add(encounter)
        }
        let facts = try fixture.facts()
        #expect(facts.primaryCareEncountersInEpisode == ["Encounter/with"])
    }

    @Test func encountersSharingAReasonAreAllInTheEpisode() throws {
        var fixture = CaseFixture()
        let condition = fixture.condition(sct, lowBackPain, onset: chronicOnset)
        let first = fixture.encounter(on: "2026-06-01", reason: condition)
        let second = fixture.encounter(on: "2026-07-01", reason: condition)
        fixture.encounter(on: "2026-08-01", reason: "Condition/elsewhere")
        let facts = try fixture.facts()
        #expect(facts.primaryCareEncountersInEpisode == [first, second])
        #expect(facts.presentation?.sources == [first])
    }

    @Test func aLabelNamingAnAnticoagulantIsFoundAndRemembered() throws {
        let labels = LabelMatches(terminology: repositoryTerminology)
        let display = try #require(repositoryTerminology.valueSet(.anticoagulants)?.displays.first)
        let label = "home medication: " + display + " (as directed)"
        #expect(labels.label(label, namesAMemberOf: .anticoagulants))
        #expect(labels.label(label, namesAMemberOf: .anticoagulants))
        #expect(!labels.label("ibuprofen 400 mg oral tablet", namesAMemberOf: .anticoagulants))
        #expect(labels.rememberedCount == 2)
    }

    @Test func aMedicineRecognisedByNameIsTheTerminologysAndIsReadOncePerConcept() throws {
        let medicines = RecognisedMedicines(terminology: repositoryTerminology)
        let concept = CodeableConcept(
            codings: [
                Coding(
                    system: "http://www.nlm.nih.gov/research/umls/rxnorm", code: "0000000",
                    display: "12 HR oxycodone hydrochloride 60 MG Extended Release Oral Tablet [OxyContin]")
            ])
        let expected = try #require(repositoryTerminology.recognise(concept))
        #expect(expected.ingredients.map(\.ingredient) == ["oxycodone"])
        #expect(medicines.recognise(concept)?.ingredients == expected.ingredients)
        #expect(medicines.recognise(concept)?.how == expected.how)
        let unknown = CodeableConcept(codings: [], text: "vitamin D3 1000 unit oral tablet")
        #expect(medicines.recognise(unknown) == nil && repositoryTerminology.recognise(unknown) == nil)
        #expect(medicines.recognise(unknown) == nil)
        #expect(medicines.recognise(nil) == nil)
        #expect(medicines.rememberedCount == 2)
    }

    /// Dating entries against *now* tests every property name: the quick test says what the list says, for every
    /// property name of every R4 type and for names just beside the list's.
    @Test func factDateNamesAreRecognisedExactlyAsListed() {
        var names = Set(FHIRSchema.r4.types.values.flatMap { $0.propertyNames.keys })
        names.formUnion(CaseBuilder.factDateNames)
        names.formUnion(["Issued", "issue", "issueds", "effectiveDateTim", "onsetPeriodX", "", "recordeD"])
        for name in names {
            #expect(CaseBuilder.isFactDateName(name) == CaseBuilder.factDateNames.contains(name), "\(name)")
        }
        #expect(
            CaseBuilder.factDateNames.filter(CaseBuilder.isPeriodName).sorted() == [
                "effectivePeriod", "onsetPeriod", "performedPeriod",
            ])
        #expect(!CaseBuilder.isPeriodName("Period") && CaseBuilder.isPeriodName("validityPeriod"))
    }
}

/// A medicine's product (ingredients, classes, label) is read once per medication concept of a bundle.
@Suite("case stage: medicine products remembered within a bundle")
struct MedicationProductMemoTests {
    static let product = MedicationProduct(
        ingredients: [ProductIngredient(ingredient: "gabapentin")], classes: [.gabapentinoid], primary: nil,
        label: "gabapentin", isAnticoagulant: false, isOpioid: [false], mmeFactors: [nil],
        isExtendedReleaseOpioid: false, isTopicalProduct: false)

    @Test func aConceptsProductIsMadeOncePerConceptStorage() {
        let memo = ConceptMemo<MedicationProduct>()
        var made = 0
        let make = { () -> MedicationProduct in
            made += 1
            return Self.product
        }
        let concept = CaseMemoTests.severeBackPain
        #expect(memo.value(of: concept, make: make).label == "gabapentin")
        let copy = concept
        _ = memo.value(of: copy, make: make)
        #expect(made == 1 && memo.count == 1)
        // The same codes in another element, and an element with no properties (no identity), are made again.
        _ = memo.value(of: FHIRElement(type: concept.type, properties: concept.properties.map { $0 }), make: make)
        _ = memo.value(of: FHIRElement(type: "CodeableConcept"), make: make)
        _ = memo.value(of: FHIRElement(type: "CodeableConcept"), make: make)
        #expect(made == 4 && memo.count == 2)
    }

    @Test func reordersOfOneProductReadAsTheFirstOrder() throws {
        // Three orders of one concept (one product, remembered) and one of a Medication resource of the same
        // product (read afresh): all four are the same medicine, with the dose each order gives.
        var fixture = chronicBack {
            for authored in ["2026-09-01", "2026-10-01", "2026-11-01"] {
                $0.order(
                    "1049621", authored: authored, dosage: dosage(mg(5), timing: code("QID")),
                    dispense: ["expectedSupplyDuration": ["value": 30, "unit": "days", "code": "d"]])
            }
        }
        fixture.add([
            "resourceType": "Medication", "id": "oxy", "code": CaseFixture.concept(rxnorm, "1049621"),
        ])
        fixture.add([
            "resourceType": "MedicationRequest", "id": "by-reference", "status": "active", "intent": "order",
            "subject": ["reference": "Patient/p1"], "authoredOn": "2026-11-10",
            "medicationReference": ["reference": "Medication/oxy"],
            "dosageInstruction": [dosage(mg(10), timing: code("QID"))],
        ])
        let facts = try fixture.facts()
        let course = try #require(facts.medications.first)
        #expect(facts.medications.count == 1 && course.orders == 4)
        #expect(course.classes.contains(.opioid) && course.ingredients.map(\.ingredient) == ["oxycodone"])
        // The latest order of the product supersedes the earlier ones: 10 mg four times a day, × 1.5.
        #expect(facts.mme.known == 60)
    }
}

/// A medicine's product made for one bundle is reused for the next bundles of the same terminology, by the concept's
/// value, and reads exactly as one made afresh.
@Suite("case stage: medicine products remembered across bundles")
struct MedicationProductCacheTests {
    private static func orders(_ codes: [String]) -> CaseFixture {
        chronicBack {
            for (index, product) in codes.enumerated() {
                $0.order(product, authored: "2026-0\(index + 1)-01", dosage: dosage(mg(5), timing: code("QID")))
            }
        }
    }

    /// What a course reads of its product, and the dose the orders give it.
    private static func readings(_ facts: ClinicalCase) -> [String] {
        facts.medications.map { course in
            "\(course.label) \(course.ingredients.map(\.ingredient)) \(course.classes.sorted()) "
                + "\(course.dailyDoseMilligrams.map { "\($0)" } ?? "-") \(course.mmePerDay.map { "\($0)" } ?? "-") "
                + "\(course.extendedRelease) \(course.isTopical)"
        }
    }

    private static func facts(_ fixture: CaseFixture, cache: MedicationProductCache) throws -> ClinicalCase {
        let bundle = try FHIRReader().read(fixture.bundleJSON).result.resource
        return try CaseBuilder(terminology: repositoryTerminology, products: cache).build(bundle: bundle)
    }

    @Test func aProductOfAnEarlierBundleIsReusedAndReadsAsAFreshOne() throws {
        let cache = MedicationProductCache()
        let first = Self.orders(["1049621"])
        let fresh = try first.facts()
        #expect(Self.readings(try Self.facts(first, cache: cache)) == Self.readings(fresh))
        #expect(!Self.readings(fresh).isEmpty && cache.count == 1)
        // Another patient's bundle with the same product and another one: one new entry, the same readings.
        let second = Self.orders(["1049621", "197591"])
        let reused = try Self.facts(second, cache: cache)
        #expect(cache.count == 2)
        #expect(Self.readings(reused) == Self.readings(try second.facts()))
        #expect(reused.medications.count == 2)
    }

    @Test func aFullCacheIsEmptiedAndFillsAgain() throws {
        let cache = MedicationProductCache(capacity: 2)
        _ = try Self.facts(Self.orders(["1049621", "197591"]), cache: cache)
        #expect(cache.count == 2)
        let third = Self.orders(["197696"])
        #expect(Self.readings(try Self.facts(third, cache: cache)) == Self.readings(try third.facts()))
        #expect(cache.count == 1)
    }

    @Test func workersShareOneCache() async throws {
        let cache = MedicationProductCache()
        let fixture = Self.orders(["1049621", "197591", "197696"])
        let expected = Self.readings(try fixture.facts())
        try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<8 { group.addTask { Self.readings(try Self.facts(fixture, cache: cache)) } }
            for try await readings in group { #expect(readings == expected) }
        }
        #expect(cache.count == 3)
    }
}
