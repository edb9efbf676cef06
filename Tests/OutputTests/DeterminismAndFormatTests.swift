import Case
import FHIR
import Foundation
import Guideline
import Output
import PainPathTestKit
import Pipeline
import Testing

@Suite("deterministic output, JSON and XML")
struct DeterminismAndFormatTests {
    @Test func sameBytesAndNowGiveIdenticalBytes() throws {
        let bytes = Scenarios.radicularCompressionFracture.fixture().bundleJSON
        let first = try pipeline().run(bytes)
        let second = try pipeline().run(bytes)
        #expect(first.bytes == second.bytes)
        // The processing clock does not leak into the output when the bundle has a timestamp.
        let later = Pipeline(terminology: repositoryTerminology, clock: { Date(timeIntervalSince1970: 4_000_000_000) })
        #expect(try later.run(bytes).bytes == first.bytes)
    }

    @Test func anotherNowOrInputGivesOtherIds() throws {
        let bytes = Scenarios.radicularCompressionFracture.fixture().bundleJSON
        let base = try pipeline().run(bytes).bundle
        let shifted = try pipeline().run(bytes, now: ClinicalDate.parse("2026-11-22T09:00:00Z")).bundle
        #expect(base.string("id") != shifted.string("id"))
        var changed = Scenarios.radicularCompressionFracture.fixture()
        changed.pain(7, on: "2026-11-19")
        #expect(try pipeline().run(changed.bundleJSON).bundle.string("id") != base.string("id"))
        // Ids are UUIDs, unique within the bundle, and fullUrls are their urn:uuid form.
        let ids = base.children("entry").compactMap { $0.child("resource")?.string("id") }
        #expect(Set(ids).count == ids.count)
        let pattern = try Regex("^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        #expect(ids.allSatisfy { $0.wholeMatch(of: pattern) != nil })
    }

    @Test(arguments: Scenarios.all.map(\.name))
    func jsonAndXmlOutputsAreOneModel(_ name: String) throws {
        let bytes = try #require(Scenarios.all.first { $0.name == name }).fixture().bundleJSON
        let json = try pipeline(OutputOptions(format: .json)).run(bytes)
        let xml = try pipeline(OutputOptions(format: .xml)).run(bytes)
        #expect(json.format == .json && xml.format == .xml)
        let fromJSON = try FHIRReader().read(json.bytes).result.resource
        let fromXML = try FHIRReader().read(xml.bytes).result.resource
        #expect(fromJSON == fromXML)
        #expect(fromJSON == json.bundle)
        // Converting one encoding gives the other's bytes.
        #expect(try FHIRWriter().write(fromXML, as: .json) == json.bytes)
        #expect(try FHIRWriter().write(fromJSON, as: .xml) == xml.bytes)
    }

    @Test func outputEncodingFollowsTheInputUnlessSet() throws {
        let json = Scenarios.chronicRefractory.fixture().bundleJSON
        let xmlInput = try FHIRWriter().write(try FHIRReader().read(json).result.resource, as: .xml)
        #expect(try pipeline().run(xmlInput).format == .xml)
        #expect(try pipeline().run(json).format == .json)
        #expect(try pipeline(OutputOptions(format: .json)).run(xmlInput).format == .json)
        // The same case read from XML or JSON decides the same (the input digest differs, so ids do).
        #expect(
            try pipeline().run(xmlInput).evaluation.result.firedRuleIds
                == pipeline().run(json).evaluation.result.firedRuleIds)
    }

    @Test func badInputIsAnOperationOutcome() throws {
        #expect(throws: PipelineFailure.self) {
            try pipeline().run(Array(#"{"resourceType":"Bundle","type":"collection"}"#.utf8))
        }
        do {
            _ = try pipeline().run(Array("{not json".utf8))
            Issue.record("expected a failure")
        } catch {
            let outcome = try FHIRReader().read(error.outcomeJSON).result.resource
            #expect(outcome.type == "OperationOutcome")
            #expect(["error", "fatal"].contains(outcome.children("issue").first?.string("severity") ?? ""))
        }
    }
}

@Suite("the CarePlan narrative")
struct NarrativeTests {
    func narrative(_ scenario: Scenario) throws -> String {
        let bundle = try recommend(scenario.fixture(), name: "narrative-" + scenario.name).bundle
        return try #require(bundle.entries("CarePlan").first.flatMap(CarePlan.init)?.narrative?.div)
    }

    @Test func isCanonicalXHTML() throws {
        for scenario in Scenarios.all {
            let div = try narrative(scenario)
            #expect(try XHTML.canonicalize(div) == div)
        }
    }

    @Test func opensWithTheThreeMostUrgentItems() throws {
        let div = try narrative(Scenarios.progressiveDeficit)
        let opening = try #require(div.range(of: "<p><b>Most urgent:</b> "))
        let line = div[opening.upperBound...].prefix { $0 != "<" }
        #expect(line.hasPrefix("1. Urgent surgical evaluation"), "\(line)")
        #expect(line.contains("2. Urgent referral to a specialist spinal/pain service") && line.contains("3. "))
        #expect(opening.lowerBound < (div.range(of: "<h3>")?.lowerBound ?? div.endIndex))
    }

    @Test func groupsTheNonPharmacologicalOptionsByEvidence() throws {
        let div = try narrative(Scenarios.chronicRefractory)
        #expect(
            div.contains(
                "Consider: acupuncture, mindfulness-based stress reduction (moderate evidence); yoga or tai chi, "
                    + "spinal manipulation, massage, progressive relaxation, TENS (lower)."))
        #expect(div.components(separatedBy: "Non-pharmacological options").count == 2, "one item")
        // Each option keeps its own activity and rule id in the resources.
        let bundle = try recommend(Scenarios.chronicRefractory.fixture(), name: "options").bundle
        let plan = try #require(bundle.entries("CarePlan").first.flatMap(CarePlan.init))
        let canonicals = plan.activities.flatMap { $0.detailInstantiatesCanonical }
        for id in ["acupuncture", "tens", "massage"] {
            #expect(canonicals.contains { $0.hasSuffix("/ActivityDefinition/\(id)") })
        }
    }

    @Test func summaryThenWarningsThenMostUrgentFirst() throws {
        let div = try narrative(Scenarios.progressiveDeficit)
        #expect(div.contains("<p>") && div.contains("year-old female with radicular pain"))
        let warnings = try #require(div.range(of: "<h3>Warnings</h3>"))
        let recommendations = try #require(div.range(of: "<h3>Recommendations</h3>"))
        #expect(warnings.lowerBound < recommendations.lowerBound)
        // The first recommendation is the asap surgical evaluation, before the urgent referral.
        let list = div[recommendations.upperBound...]
        let asap = try #require(list.range(of: "<b>ASAP</b>"))
        let urgent = try #require(list.range(of: "<b>URGENT</b>"))
        let firstItem = try #require(list.range(of: "<li>"))
        #expect(asap.lowerBound < urgent.lowerBound)
        #expect(list[firstItem.upperBound...].hasPrefix("<b>ASAP</b>"))
        #expect(div.contains("Overdue: was due by 2026-11-16"))
        #expect(div.contains("Why: ") && div.contains("Rule refer-surgical-urgent."))
    }

    @Test func warningsAreHighlightedBySeverity() throws {
        let div = try narrative(Scenarios.opioidBenzodiazepine)
        let high = try #require(div.range(of: "<b>HIGH — "))
        let moderate = try #require(div.range(of: "<b>MODERATE — "))
        #expect(high.lowerBound < moderate.lowerBound)
        #expect(div.contains("Suggested action: "))
    }

    @Test func textIsEscaped() throws {
        var fixture = Scenarios.chronicRefractory.fixture()
        fixture.condition(sct, "23056005", onset: "2026-03-01", text: "Sciatica <L5> & \"S1\"")
        let bundle = try recommend(fixture, name: "escaped").bundle
        let div = try #require(bundle.entries("CarePlan").first.flatMap(CarePlan.init)?.narrative?.div)
        #expect(try XHTML.canonicalize(div) == div)
    }
}
