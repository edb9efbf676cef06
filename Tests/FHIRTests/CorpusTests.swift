import Foundation
import Testing

@testable import FHIR

@Suite("Official R4 examples: JSON and XML give one model", .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct CorpusPairTests {
    @Test("JSON and XML twins read to the same model", arguments: Corpus.pairs)
    func pairGivesOneModel(_ pair: Corpus.Pair) throws {
        let json = try FHIRJSONReader().read(Corpus.bytes(pair.json)).resource
        let xml = try FHIRXMLReader().read(Corpus.bytes(pair.xml)).resource
        // Every pair: the HTEST test-data marker sits in meta.security in the XML and in meta.tag
        // (or nowhere) in the JSON; the manifest compares values, not their places.
        var left = Equivalence.withoutTestDataMarker(json)
        var right = Equivalence.withoutTestDataMarker(xml)
        switch pair.equivalence {
        case "exact-values", "xml-has-extra-meta.security":
            break
        case "decimal-format-differs":
            left = Equivalence.decimalsByValue(left)
            right = Equivalence.decimalsByValue(right)
        case "content-differs":
            // The four pairs whose content differs upstream, and why:
            // - conceptmaps: a Bundle of ConceptMaps re-serialised differently upstream;
            // - external-resources, examplescenario-example: upstream edited one encoding only;
            // - observation-example-body-height: the JSON and XML carry different values.
            // For these only the round trips are checked.
            return
        default:
            Issue.record("unknown equivalence \(pair.equivalence)")
        }
        #expect(Equivalence.firstDifference(left, right) == nil)
    }

    @Test("JSON → model → JSON and XML → model → XML keep the model", arguments: Corpus.pairs)
    func roundTrips(_ pair: Corpus.Pair) throws {
        let json = try FHIRJSONReader().read(Corpus.bytes(pair.json)).resource
        let jsonAgain = try FHIRJSONReader().read(FHIRJSONWriter().write(json)).resource
        #expect(Equivalence.firstDifference(json, jsonAgain) == nil)
        let xml = try FHIRXMLReader().read(Corpus.bytes(pair.xml)).resource
        let xmlAgain = try FHIRXMLReader().read(FHIRXMLWriter().write(xml)).resource
        #expect(Equivalence.firstDifference(xml, xmlAgain) == nil)
        // And across: XML written from the JSON model reads back to the JSON model.
        let crossed = try FHIRXMLReader().read(FHIRXMLWriter().write(json)).resource
        #expect(Equivalence.firstDifference(json, crossed) == nil)
    }

    /// fhir-test-cases pairs edited upstream in one encoding only (so only their narratives are compared):
    /// codesystem-example.xml has no narrative and other whitespace in `description`;
    /// observation-example.xml carries an extra extension.
    static let editedTestCases: Set<String> = ["codesystem-example", "observation-example"]

    @Test("the fhir-test-cases pairs keep narratives and agree", arguments: Corpus.testCasePairs())
    func testCasePair(_ name: String) throws {
        let json = try FHIRJSONReader().read(Corpus.bytes("testcases-r4-pairs/\(name).json")).resource
        let xml = try FHIRXMLReader().read(Corpus.bytes("testcases-r4-pairs/\(name).xml")).resource
        #expect(json.property("text") != nil, "the JSON narrative is kept")
        if let jsonText = json.property("text"), let xmlText = xml.property("text") {
            #expect(jsonText == xmlText, "the narrative div reads the same from a JSON string and an XML element")
        }
        guard !Self.editedTestCases.contains(name) else { return }
        // observation-decimal was edited upstream to use other decimal and exponent forms in XML.
        let left = Equivalence.decimalsByValue(json)
        let right = Equivalence.decimalsByValue(xml)
        #expect(Equivalence.firstDifference(left, right) == nil)
    }
}
