import Foundation
import Guideline
import PainPathCLI
import PainPathTestKit
import Testing

@Suite("painpath explain")
struct ExplainCommandTests {
    let scratch: ScratchDirectory
    init() throws { scratch = try ScratchDirectory("explain") }

    func file(_ text: String) -> String {
        let path = scratch.file("\(UUID().uuidString).json")
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    @Test func explainsEveryRuleAsJSON() throws {
        let path = file(
            """
            {"resourceType":"Bundle","type":"collection","timestamp":"2026-11-21T09:00:00Z","entry":[
             {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"p1","birthDate":"1970-01-01"}},
             {"fullUrl":"urn:uuid:2","resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},
              "code":{"coding":[{"system":"http://snomed.info/sct","code":"279039007"}]},"onsetDateTime":"2026-05-01"}}]}
            """)
        let result = CommandResult.explain(path: path, now: nil, json: true, profiles: nil, limits: .default)
        #expect(result.exitCode == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        let array = try #require(object["rules"] as? [[String: Any]])
        #expect(array.count == RuleID.allCases.count)
        let education = try #require(array.first { $0["rule"] as? String == "patient-education" })
        #expect(education["fired"] as? Bool == true)
        #expect((education["sources"] as? [String]) == ["Condition/c1"])
    }

    /// A current oxycodone order with a dose, one without, and one dated after *now*: the
    /// explanation shows each medicine, the MME it counts, what it could not count, and what it left out.
    static let medicinesBundle = """
        {"resourceType":"Bundle","type":"collection","timestamp":"2026-11-21T09:00:00Z","entry":[
         {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"p1","birthDate":"1970-01-01"}},
         {"fullUrl":"urn:uuid:2","resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},
          "code":{"coding":[{"system":"http://snomed.info/sct","code":"279039007"}]},"onsetDateTime":"2026-05-01"}},
         {"fullUrl":"urn:uuid:3","resource":{"resourceType":"MedicationRequest","id":"dosed","status":"active",
          "intent":"order","subject":{"reference":"Patient/p1"},"authoredOn":"2026-11-10",
          "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm",
           "code":"1049621"}]},
          "dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":6,"periodUnit":"h"}},
           "doseAndRate":[{"doseQuantity":{"value":1,"unit":"tablet"}}]}]}},
         {"fullUrl":"urn:uuid:4","resource":{"resourceType":"MedicationRequest","id":"undosed","status":"active",
          "intent":"order","subject":{"reference":"Patient/p1"},"authoredOn":"2026-11-12",
          "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm",
           "code":"197696"}]}}},
         {"fullUrl":"urn:uuid:5","resource":{"resourceType":"MedicationRequest","id":"later","status":"active",
          "intent":"order","subject":{"reference":"Patient/p1"},"authoredOn":"2026-12-15",
          "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm",
           "code":"1049621"}]}}}]}
        """

    @Test func medicinesMMEAndLeftOutAsJSON() throws {
        let result = CommandResult.explain(
            path: file(Self.medicinesBundle), now: nil, json: true, profiles: nil, limits: .default)
        #expect(result.exitCode == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        #expect(object["leftOut"] as? [String] == ["MedicationRequest/later"])
        let mme = try #require(object["mme"] as? [String: Any])
        // 5 mg every 6 hours = 20 mg/day of oxycodone, × 1.5 = 30 MME/day.
        #expect(mme["known"] as? Double == 30)
        #expect(mme["unknownDose"] as? [String] == ["MedicationRequest/undosed"])
    }

    @Test func medicinesMMEAndLeftOutAsText() {
        let result = CommandResult.explain(
            path: file(Self.medicinesBundle), now: nil, json: false, profiles: nil, limits: .default)
        #expect(result.exitCode == 0)
        let text = result.stdoutText
        #expect(text.contains("Left out, dated after now: 1 (MedicationRequest/later)"))
        #expect(text.contains("Medicine: ") && text.contains("[current, 20 mg/day, 30 MME/day]"))
        #expect(text.contains("dose unknown"))
    }

    /// A de-identified record whose dates were shifted into the future (MIMIC-IV's FHIR demo): the age is unknown,
    /// and the explanation says why rather than leaving it out silently.
    @Test func aBirthDateAfterNowIsNamedInsteadOfAnAge() {
        let bundle = """
            {"resourceType":"Bundle","type":"collection","timestamp":"2026-11-21T09:00:00Z","entry":[
             {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"p1","birthDate":"2133-02-11"}}]}
            """
        let shifted = CommandResult.explain(path: file(bundle), now: nil, json: false, profiles: nil, limits: .default)
        #expect(shifted.exitCode == 0)
        #expect(shifted.stdoutText.contains("Patient/p1, born 2133-02-11, after now: age unknown, "))
        let born = bundle.replacingOccurrences(of: "2133-02-11", with: "1970-05-01")
        let aged = CommandResult.explain(path: file(born), now: nil, json: false, profiles: nil, limits: .default)
        #expect(aged.stdoutText.contains("Patient/p1, age 56, ") && !aged.stdoutText.contains("after now: age"))
    }

    @Test func aBundleWithoutPatientIs65AndABadNowIs64() {
        let path = file(#"{"resourceType":"Bundle","type":"collection"}"#)
        let noPatient = CommandResult.explain(path: path, now: nil, json: true, profiles: nil, limits: .default)
        #expect(noPatient.exitCode == 65)
        #expect(noPatient.stdoutText.contains("OperationOutcome"))
        #expect(
            CommandResult.explain(path: path, now: "yesterday", json: true, profiles: nil, limits: .default).exitCode
                == 64)
        #expect(
            CommandResult.explain(path: "/nonexistent/x.json", now: nil, json: false, profiles: nil, limits: .default)
                .exitCode == 66)
        #expect(
            CommandResult.explain(path: path, now: nil, json: false, profiles: "/nonexistent", limits: .default)
                .exitCode == 78)
    }
}
