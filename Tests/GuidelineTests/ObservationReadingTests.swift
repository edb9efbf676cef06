import Case
import FHIR
import PainPathTestKit
import Terminology
import Testing

/// Observations are first asked on the model whether any concept is in a set the case reads: what a
/// real record carries inside panels and coded values must still be found, and what it does not read
/// (vitals, labs) must be passed over yet reported as unmatched.
@Suite("observations: what the case reads, and what it passes over")
struct ObservationReadingTests {
    @Test func aScoreCarriedAsAComponentOfAnUncodedPanelIsRead() throws {
        let fixture = chronicBack {
            $0.add([
                "resourceType": "Observation", "id": "panel-1", "status": "final",
                "subject": ["reference": "Patient/p1"], "effectiveDateTime": "2026-11-01",
                "code": ["coding": [["system": "http://hospital.example.org/panels", "code": "MOOD-PANEL"]]],
                "component": [
                    [
                        "code": ["coding": [["system": loinc, "code": "44261-6"]]],
                        "valueQuantity": ["value": 14],
                    ]
                ],
            ])
        }
        let facts = try fixture.facts()
        #expect(facts.psychosocialFactors.contains { $0.kind == .phq9(14) && $0.sources == ["Observation/panel-1"] })
    }

    @Test func aDeficitCodedAsTheValueOfAnUncodedFindingIsRead() throws {
        let fixture = chronicBack {
            $0.observation(
                "http://hospital.example.org/exam", "NEURO-EXAM", valueCode: (sct, "26544005"), date: "2026-11-01")
        }
        let facts = try fixture.facts()
        #expect(
            facts.deficits.contains { $0.reference.hasPrefix("Observation/") }, "\(facts.deficits.map(\.reference))")
    }

    @Test func aLabTheCaseDoesNotReadIsPassedOverAndReportedUnmatched() throws {
        let plain = try chronicBack().facts()
        let withLab = try chronicBack {
            $0.observation(loinc, "2345-7", value: 5.4, date: "2026-11-01")
        }.facts()
        #expect(withLab.painScores.count == plain.painScores.count && withLab.deficits.count == plain.deficits.count)
        #expect(withLab.unmatchedCodes.contains { $0.code == "2345-7" && $0.element == "Observation.code" })
    }

    /// A code repeated over years is reported once, with every resource that carries it in bundle order: a resource
    /// listing the code twice is named once, one without an id by its type.
    @Test func anUnmatchedCodeListsEachResourceThatCarriesItOnce() throws {
        let lab = ["system": loinc, "code": "2345-7"]
        let facts = try chronicBack {
            for (id, codings) in [("glucose-1", [lab]), ("glucose-2", [lab, lab]), (nil, [lab]), ("glucose-3", [lab])] {
                var observation: [String: Any] = [
                    "resourceType": "Observation", "status": "final", "subject": ["reference": "Patient/p1"],
                    "effectiveDateTime": "2026-11-01", "code": ["coding": codings], "valueQuantity": ["value": 5.4],
                ]
                if let id { observation["id"] = id }
                $0.add(observation)
            }
        }.facts()
        let glucose = try #require(facts.unmatchedCodes.first { $0.code == "2345-7" })
        #expect(glucose.system == loinc && glucose.element == "Observation.code")
        #expect(
            glucose.references == [
                "Observation/glucose-1", "Observation/glucose-2", "Observation", "Observation/glucose-3",
            ])
        #expect(facts.unmatchedCodes.filter { $0.code == "2345-7" }.count == 1)
    }
}
