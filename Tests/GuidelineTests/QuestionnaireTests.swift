import Case
import Foundation
import Guideline
import PainPathTestKit
import Testing

/// ODI (panel 97908-8) and STarT Back (panel 91349-1) computed from QuestionnaireResponses (§1).
@Suite("questionnaire scores")
struct QuestionnaireTests {
    /// A response whose id is the questionnaire's code and the date: stable across runs.
    func response(_ questionnaire: String, authored: String, answers: [[String: Any]]) -> [String: Any] {
        let code = questionnaire.split(separator: "/").last.map(String.init) ?? "q"
        return [
            "resourceType": "QuestionnaireResponse", "id": "qr-\(code)-\(authored)", "status": "completed",
            "questionnaire": questionnaire, "subject": ["reference": "Patient/p1"], "authored": authored,
            "item": answers.enumerated().map { index, answer in ["linkId": "\(index + 1)", "answer": [answer]] },
        ]
    }

    @Test func oswestryFromTenSections() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, "279039007", onset: "2026-05-01")
        // 3+2+4+1+0+2+3+1+2+2 = 20 of 50 → 40 %.
        fixture.add(
            response(
                "http://loinc.org/q/97908-8", authored: "2026-11-01",
                answers: [3, 2, 4, 1, 0, 2, 3, 1, 2, 2].map { ["valueInteger": $0] }))
        let facts = try fixture.facts()
        #expect(facts.odiScores.map(\.value) == [40])
        // 40 % is moderate disability: multidisciplinary rehabilitation for chronic low back pain (§2.4).
        #expect(try fixture.fired().contains("multidisciplinary-rehabilitation"))
    }

    @Test func oswestryWithUnansweredSectionsDividesByTheAnswered() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, "279039007", onset: "2026-05-01")
        // 8 sections, sum 24 of 40 → 60 % (severe): not 24 of 50.
        fixture.add(
            response(
                "Oswestry Disability Index", authored: "2026-11-01",
                answers: [3, 3, 3, 3, 3, 3, 3, 3].map { ["valueInteger": $0] }))
        #expect(try fixture.facts().odiScores.map(\.value) == [60])
        #expect(try fixture.fired().contains("refer-multidisciplinary-pain"))  // ODI ≥ 41
    }

    func startBackAnswers(agree: Set<Int>, bothersome: String) -> [[String: Any]] {
        (1...8).map { item in
            ["valueCoding": ["system": "http://loinc.org", "display": agree.contains(item) ? "Agree" : "Disagree"]]
                as [String: Any]
        } + [["valueCoding": ["display": bothersome]]]
    }

    @Test func startBackHighFromDistressItems() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, "279039007", onset: "2026-05-01")
        // Items 1, 2, 5, 6, 7 agree + item 9 "Extremely": total 6, distress (5–9) 4 → high.
        fixture.add(
            response(
                "http://loinc.org/q/91349-1", authored: "2026-11-10",
                answers: startBackAnswers(agree: [1, 2, 5, 6, 7], bothersome: "Extremely")))
        let result = try #require(try fixture.facts().startBack)
        #expect(result.total == 6 && result.distress == 4 && result.risk == .high)
        let fired = try fixture.fired()
        #expect(fired.contains("refer-physiotherapy-biopsychosocial") && !fired.contains("startback-screen"))
    }

    @Test func startBackLowAndMedium() throws {
        var low = CaseFixture()
        low.condition(sct, "279039007", onset: "2026-05-01")
        low.add(
            response(
                "STarT Back Screening Tool", authored: "2026-11-10",
                answers: startBackAnswers(agree: [1, 2], bothersome: "Slightly")))
        #expect(try low.facts().startBack?.risk == .low)
        #expect(try low.fired().contains("self-management"))

        var medium = CaseFixture()
        medium.condition(sct, "279039007", onset: "2026-05-01")
        // Total 5 with distress 2 (items 5 and 9 "Very much"): medium.
        medium.add(
            response(
                "http://loinc.org/q/91349-1", authored: "2026-11-10",
                answers: startBackAnswers(agree: [1, 2, 3, 5], bothersome: "Very much")))
        let result = try #require(try medium.facts().startBack)
        #expect(result.total == 5 && result.distress == 2 && result.risk == .medium)
    }
}

@Suite("medication labels")
struct MedicationLabelTests {
    @Test func aCodingWithoutTextOrDisplayIsNamedByItsIngredients() throws {
        var fixture = CaseFixture()
        fixture.condition(sct, "279039007", onset: "2026-05-01")
        fixture.add([
            "resourceType": "MedicationRequest", "id": "bare", "status": "active", "intent": "order",
            "subject": ["reference": "Patient/p1"],
            "medicationCodeableConcept": ["coding": [["system": rxnorm, "code": "1049621"]]],
            "authoredOn": "2026-10-01",
        ])
        let medication = try #require(
            try fixture.facts().medications.first { $0.reference == "MedicationRequest/bare" })
        #expect(medication.label == "oxycodone")
    }
}
