import Case
import Foundation
import Guideline
import PainPathCLI
import PainPathTestKit
import Testing

@testable import Terminology

/// A site's own codes in a local profiles directory: ValueSets extending shipped sets of the same
/// URL, ConceptMaps mapping local codes onto shipped ones.
@Suite("site-local codes")
struct LocalProfilesTests {
    static let profiles = ProfilesLoadingTests.profiles
    static let diagnoses = "http://hospital.example.org/diagnoses"
    static let medicines = "http://hospital.example.org/medicines"

    let scratch: ScratchDirectory
    init() throws { scratch = try ScratchDirectory("local") }

    /// A directory of `files` inside `scratch`.
    static func localDirectory(in scratch: ScratchDirectory, _ files: [String: String]) throws -> String {
        let directory = scratch.file("local-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files {
            try text.write(toFile: directory + "/" + name, atomically: false, encoding: .utf8)
        }
        return directory
    }

    static let radicularExtension = """
        {"resourceType":"ValueSet","id":"local-radicular","status":"active",
         "url":"https://painpath.example.org/fhir/ValueSet/radicular-pain",
         "compose":{"include":[{"system":"\(diagnoses)","concept":[{"code":"RAD-01","display":"Sciatica (local)"}]}]}}
        """
    static let medicineMap = """
        {"resourceType":"ConceptMap","id":"local-medicines","status":"active",
         "group":[{"source":"\(medicines)","target":"http://www.nlm.nih.gov/research/umls/rxnorm",
          "element":[{"code":"DIAZ-5","target":[{"code":"197591","equivalence":"equivalent"}]}]}]}
        """

    @Test func localCodesExtendShippedSetsAndMapOntoShippedCodes() throws {
        // The fixture's medication uses the RxNorm system; point it at the hospital's system.
        var fixture = CaseFixture()
        fixture.condition(Self.diagnoses, "RAD-01", onset: "2026-05-01")
        fixture.add([
            "resourceType": "MedicationRequest", "id": "local-med", "status": "active", "intent": "order",
            "subject": ["reference": "Patient/p1"], "authoredOn": "2026-09-01",
            "medicationCodeableConcept": ["coding": [["system": Self.medicines, "code": "DIAZ-5"]]],
        ])
        let shipped = try fixture.facts(terminology: repositoryTerminology)
        #expect(!shipped.has(.radicular))
        #expect(Set(shipped.unmatchedCodes.map { $0.code }) == ["RAD-01", "DIAZ-5"])

        let local = try Self.localDirectory(
            in: scratch,
            [
                "ValueSet-local-radicular.json": Self.radicularExtension,
                "ConceptMap-local-medicines.json": Self.medicineMap,
            ])
        let terminology = try Terminology.load(from: Self.profiles, local: local)
        let facts = try fixture.facts(terminology: terminology)
        #expect(facts.has(.radicular))
        #expect(facts.medications.first?.classes == [.benzodiazepine])
        #expect(facts.unmatchedCodes.isEmpty)
        // The shipped members are still there.
        #expect(terminology.contains(.radicularPain, system: CodeSystems.snomed, code: "23056005"))
    }

    @Test func aBrokenLocalFileIsAClearError() throws {
        let broken = try Self.localDirectory(in: scratch, ["ValueSet-broken.json": "{\"resourceType\": \"ValueSet\", "])
        do {
            _ = try Terminology.load(from: Self.profiles, local: broken)
            Issue.record("a broken local file was accepted")
        } catch {
            #expect("\(error)".contains("ValueSet-broken.json"), "\(error)")
        }
        let nowhere = try Self.localDirectory(
            in: scratch,
            [
                "ConceptMap-x.json": Self.medicineMap.replacingOccurrences(of: "197591", with: "0000000")
            ])
        do {
            _ = try Terminology.load(from: Self.profiles, local: nowhere)
            Issue.record("a map onto nothing shipped was accepted")
        } catch {
            #expect("\(error)".contains("maps onto"), "\(error)")
        }
    }

    @Test func theCodesCommandCountsUnmatchedCodesOverAFeed() throws {
        var first = CaseFixture()
        first.condition(Self.diagnoses, "RAD-01", onset: "2026-05-01")
        first.condition(sct, "999999", onset: "2026-05-01")
        var second = CaseFixture()
        second.condition(Self.diagnoses, "RAD-01", onset: "2026-05-01")
        let feed = try Self.localDirectory(in: scratch, [:])
        _ = FileManager.default.createFile(atPath: feed + "/a.json", contents: Data(first.bundleJSON))
        _ = FileManager.default.createFile(atPath: feed + "/b.json", contents: Data(second.bundleJSON))
        let result = CommandResult.codes(paths: [feed], json: true, profiles: nil, local: nil, limits: .default)
        #expect(result.exitCode == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout)) as? [String: Any])
        #expect(object["bundlesRead"] as? Int == 2)
        let rows = try #require(object["unmatchedCodes"] as? [[String: Any]])
        #expect(rows.map { $0["code"] as? String } == ["RAD-01", "999999"], "most bundles first")
        #expect(rows.map { $0["bundles"] as? Int } == [2, 1])
        // Mapped locally, the code is no longer reported.
        let local = try Self.localDirectory(in: scratch, ["ValueSet-local-radicular.json": Self.radicularExtension])
        let mapped = CommandResult.codes(paths: [feed], json: false, profiles: nil, local: local, limits: .default)
        #expect(!mapped.stdoutText.contains("RAD-01") && mapped.stdoutText.contains("999999"), "\(mapped.stdoutText)")
        #expect(
            CommandResult.codes(paths: ["/nonexistent"], json: false, profiles: nil, local: nil, limits: .default)
                .exitCode == 66)
    }
}
