import Case
import Foundation
import Guideline
import PainPathTestKit
import Testing

@testable import Terminology

/// Medicines as RxNorm names them, when the code is unknown: a table of real normalized names (the
/// CDC opioid CDS and eCQM sets) and what PainPath reads from each.
@Suite("medicines recognised by RxNorm name")
struct RxNormNameTests {
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let ingredients: [String]
        let milligrams: Double?
        let unit: String?
        let extended: Bool
        let route: ProductIngredient.RouteKind
        var description: String { name }
    }

    static let table: [Case] = [
        Case(
            name: "duloxetine 30 MG Delayed Release Oral Capsule [Cymbalta]", ingredients: ["duloxetine"],
            milligrams: 30, unit: "mg", extended: false, route: .oral),
        Case(
            name: "12 HR oxycodone hydrochloride 60 MG Extended Release Oral Tablet [OxyContin]",
            ingredients: ["oxycodone"], milligrams: 60, unit: "mg", extended: true, route: .oral),
        Case(
            name: "acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet [Percocet]",
            ingredients: ["acetaminophen", "oxycodone"], milligrams: 325, unit: "mg", extended: false, route: .oral),
        Case(
            name: "72 HR fentanyl 0.075 MG/HR Transdermal System", ingredients: ["fentanyl"], milligrams: 0.075,
            unit: "mg/hr", extended: true, route: .topical),
        Case(
            name: "{60 (gabapentin 300 MG Oral Capsule) } Pack [Neurontin]", ingredients: ["gabapentin"],
            milligrams: 300, unit: "mg", extended: false, route: .oral),
        Case(
            name: "ibuprofen 800 MG Oral Tablet [IBU]", ingredients: ["ibuprofen"], milligrams: 800, unit: "mg",
            extended: false, route: .oral),
        Case(
            name: "chlordiazepoxide hydrochloride 25 MG Oral Capsule", ingredients: ["chlordiazepoxide"],
            milligrams: 25, unit: "mg", extended: false, route: .oral),
        Case(
            name: "morphine sulfate 2 MG/ML Oral Solution", ingredients: ["morphine"], milligrams: 2, unit: "mg/ml",
            extended: false, route: .oral),
        Case(
            name: "buprenorphine 0.02 MG/HR Transdermal System [Butrans]", ingredients: ["buprenorphine"],
            milligrams: 0.02, unit: "mg/hr", extended: true, route: .topical),
        Case(
            name: "Oxycodone 5mg tablet", ingredients: ["oxycodone"], milligrams: 5, unit: "mg", extended: false,
            route: .other),
    ]

    @Test(arguments: table)
    func readsTheName(_ expected: Case) throws {
        let parsed = try #require(
            RxNormName(expected.name, knownIngredients: repositoryTerminology.ingredientNamesByLength))
        #expect(parsed.ingredients.map(\.ingredient) == expected.ingredients)
        let first = try #require(parsed.ingredients.first)
        #expect(
            first.strengthMilligrams.map { abs($0 - (expected.milligrams ?? 0)) < 1e-9 } ?? (expected.milligrams == nil)
        )
        #expect(first.strengthUnit == expected.unit)
        #expect((first.release == .extended) == expected.extended)
        #expect(first.route == expected.route)
    }

    @Test("a name's parts split at ' / ' as the library's split does, ASCII on bytes and otherwise by characters")
    func partsSplitAsTheLibraryDoes() {
        let names = [
            "acetaminophen 325 mg / oxycodone hydrochloride 5 mg oral tablet", "/ oxycodone 5 mg", "oxycodone 5 mg /",
            "a / / b", " / ", "/", "", "a / b / c", "a  /  b", "morphine 2 mg/ml", "a /b / c/ d", "é / b",
            "a / \u{301}b",
            "x / y\u{301} / z", "a\t/\tb", "a / b /  / c",
        ]
        for name in names {
            let expected = name.split(separator: " / ", omittingEmptySubsequences: false).map(String.init)
            #expect(RxNormName.parts(of: name).map(String.init) == expected, "\(name.debugDescription)")
        }
    }

    @Test func wordsThatNameNoMedicineAreNotOne() {
        for text in ["Low back pain", "history of opioid use", "Cymbalta", "Tylenol"] {
            #expect(RxNormName(text, knownIngredients: repositoryTerminology.ingredientNamesByLength) == nil, "\(text)")
        }
    }
}

/// Real feeds' coding: product-level and brand codes, specific SNOMED CT codes, Synthea's codes.
@Suite("real coding: official value sets at work")
struct RealCodingTests {
    @Test(arguments: ["905505", "104693", "1298088"])
    func productLevelBenzodiazepinesWithAnOpioidAreFlagged(_ code: String) throws {
        let fixture = chronicBack {
            $0.medication("1049717", start: "2026-09-01")
            $0.medication(code, start: "2026-09-01")
        }
        let fired = try fixture.fired()
        #expect(fired.contains("opioid-benzodiazepine") && fired.contains("benzodiazepine-for-pain"), "\(code)")
    }

    @Test func alcoholDependenceIsASubstanceUseDisorder() throws {
        let fixture = chronicBack {
            $0.condition(sct, "66590003", onset: "2020-01-01")
            $0.medication("1049717", start: "2026-10-01")
        }
        #expect(try fixture.fired().contains("opioid-with-substance-use-disorder"))
    }

    @Test func aBrandNamedInTextIsItsIngredientAndTheExplanationSaysSo() throws {
        // An SBD code PainPath does not know, named as RxNorm names it: duloxetine, failed.
        var fixture = chronicBack { $0.pain(7, on: "2026-06-01") }
        fixture.add([
            "resourceType": "MedicationStatement", "id": "cymbalta", "status": "stopped",
            "subject": ["reference": "Patient/p1"], "statusReason": [["text": "ineffective"]],
            "effectivePeriod": ["start": "2026-06-01", "end": "2026-09-01"],
            "medicationCodeableConcept": [
                "coding": [
                    [
                        "system": rxnorm, "code": "99999999",
                        "display": "duloxetine 30 MG Delayed Release Oral Capsule [Cymbalta]",
                    ]
                ]
            ],
        ])
        let facts = try fixture.facts()
        let duloxetine = try #require(
            facts.medications.first { (m: MedicationFact) in m.ingredientNames == ["duloxetine"] })
        #expect(duloxetine.failed && duloxetine.label.hasSuffix("(recognised by name)"))
        let result = try fixture.evaluate()
        #expect(!result.recommendations.contains { $0.proposal.ingredient == "duloxetine" }, "not proposed again")
        #expect(facts.unmatchedCodes.map { $0.code } == ["99999999"], "the code itself is still reported")
    }

    @Test func epiduralAnaesthesiaIsNotASteroidInjection() throws {
        // Synthea: SNOMED 18946005 "Epidural anesthesia (procedure)" during labour.
        let coded = chronicBack { $0.procedure(sct, "18946005", on: "2026-10-01", text: "Epidural anesthesia") }
        #expect(try !coded.fired().contains("injection-without-image-guidance"))
        #expect(try coded.facts().therapies.isEmpty)
        #expect(try coded.facts().unmatchedCodes.map { $0.code } == ["18946005"])
        var textOnly = chronicBack()
        textOnly.add([
            "resourceType": "Procedure", "id": "labour", "status": "completed", "subject": ["reference": "Patient/p1"],
            "code": ["text": "Epidural anaesthesia for labour"], "performedDateTime": "2026-10-01",
        ])
        #expect(try textOnly.facts().therapies.isEmpty)
        var steroid = chronicBack()
        steroid.add([
            "resourceType": "Procedure", "id": "esi", "status": "completed", "subject": ["reference": "Patient/p1"],
            "code": ["text": "Lumbar epidural steroid injection"], "performedDateTime": "2026-10-01",
        ])
        #expect(try steroid.facts().therapies.map(\.kind) == [TherapyKind.epiduralSteroidInjection])
        #expect(try steroid.fired().contains("injection-without-image-guidance"))
    }

    @Test func wordsDoNotOverrideAnUnknownCode() throws {
        // A coded procedure whose code is unknown is reported, not guessed from its display.
        let fixture = chronicBack { $0.procedure(sct, "999999", on: "2026-10-01", text: "Acupuncture session") }
        #expect(try fixture.facts().therapies.isEmpty)
        #expect(try fixture.facts().unmatchedCodes.first?.code == "999999")
    }

    @Test func syntheaDiabeticNeuropathyIsNotNeuropathicPain() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, "368581000119106", onset: "2020-01-01")
        #expect(try fixture.facts().phenotypes.isEmpty)
        #expect(try !fixture.fired().contains("start-gabapentinoid"))
    }

    @Test func specificICDCodesAreTheirPhenotype() throws {
        var fixture = CaseFixture()
        fixture.condition(icd, "M54.16", onset: "2026-05-01")
        #expect(try fixture.facts().has(.radicular))
    }
}
