import FHIR
import Foundation
import PainPathTestKit
import Pipeline
import Testing

/// A hostile corpus generated here (not downloaded): each case through the whole pipeline, bytes →
/// recommendation bundle or OperationOutcome, with its expected clean outcome and a time bound
/// (generous: debug build, shared CI machine).
@Suite("hostile corpus through the pipeline")
struct HostileCorpusTests {
    enum Expected: Sendable {
        case recommendation
        case failure(FHIRReadError.Kind, containing: String)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let bytes: @Sendable () -> [UInt8]
        let expected: Expected
        let seconds: Double
        var testDescription: String { name }
    }

    static let patient =
        #"{"fullUrl":"urn:uuid:p","resource":{"resourceType":"Patient","id":"p1","birthDate":"1970-01-01"}}"#
    static func bundle(_ entries: [String], timestamp: String = "2026-11-21T09:00:00Z") -> [UInt8] {
        Array(
            #"{"resourceType":"Bundle","type":"collection","timestamp":"\#(timestamp)","entry":[\#(([patient] + entries).joined(separator: ","))]}"#
                .utf8)
    }
    static let condition =
        #"{"fullUrl":"urn:uuid:c","resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"279039007"}]},"onsetDateTime":"2026-05-01"}}"#
    static func xml(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let cases: [Case] = [
        Case(
            name: "external entity (file)",
            bytes: {
                xml(
                    "<?xml version=\"1.0\"?>\n<!DOCTYPE Bundle [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Bundle xmlns=\"http://hl7.org/fhir\"><id value=\"&x;\"/></Bundle>"
                )
            },
            expected: .failure(.forbidden, containing: "DOCTYPE"), seconds: 2),
        Case(
            name: "external entity (http)",
            bytes: {
                xml(
                    "<!DOCTYPE Bundle [<!ENTITY x SYSTEM \"http://169.254.169.254/latest/meta-data/\">]><Bundle xmlns=\"http://hl7.org/fhir\"><id value=\"&x;\"/></Bundle>"
                )
            },
            expected: .failure(.forbidden, containing: "DOCTYPE"), seconds: 2),
        Case(
            name: "billion laughs",
            bytes: {
                var text = "<!DOCTYPE b [<!ENTITY a \"aaaaaaaaaa\">"
                for level in 1...9 {
                    text +=
                        "<!ENTITY a\(level) \""
                        + String(repeating: "&a\(level == 1 ? "" : String(level - 1));", count: 10) + "\">"
                }
                return xml(text + "]><Bundle xmlns=\"http://hl7.org/fhir\"><id value=\"&a9;\"/></Bundle>")
            }, expected: .failure(.forbidden, containing: "DOCTYPE"), seconds: 2),
        Case(
            name: "quadratic blow-up (one big entity used many times)",
            bytes: {
                xml(
                    "<!DOCTYPE b [<!ENTITY big \"" + String(repeating: "x", count: 100_000)
                        + "\">]><Bundle xmlns=\"http://hl7.org/fhir\"><id value=\""
                        + String(repeating: "&big;", count: 10_000) + "\"/></Bundle>")
            }, expected: .failure(.forbidden, containing: "DOCTYPE"), seconds: 2),
        Case(
            name: "any DOCTYPE, even an empty one",
            bytes: {
                xml("<!DOCTYPE Bundle><Bundle xmlns=\"http://hl7.org/fhir\"><type value=\"collection\"/></Bundle>")
            },
            expected: .failure(.forbidden, containing: "DOCTYPE"), seconds: 2),
        Case(
            name: "10,000-deep JSON nesting",
            bytes: { Array((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8) },
            expected: .failure(.limit, containing: "deep"), seconds: 2),
        Case(
            name: "10,000-deep XML nesting",
            bytes: {
                xml(
                    "<Bundle xmlns=\"http://hl7.org/fhir\">" + String(repeating: "<extension>", count: 10_000)
                        + String(repeating: "</extension>", count: 10_000) + "</Bundle>")
            },
            expected: .failure(.limit, containing: ""), seconds: 5),
        Case(
            name: "a 9 MB string",
            bytes: {
                bundle([
                    #"{"resource":{"resourceType":"Basic","id":"b","code":{"text":""#
                        + String(repeating: "a", count: 9 << 20) + #""}}}"#
                ])
            },
            expected: .failure(.limit, containing: "string"), seconds: 5),
        Case(
            name: "a number with a million digits",
            bytes: {
                bundle([
                    #"{"resource":{"resourceType":"Observation","id":"o","status":"final","code":{"text":"x"},"valueQuantity":{"value":"#
                        + String(repeating: "9", count: 1_000_000) + "}}}"
                ])
            },
            expected: .recommendation, seconds: 10),
        Case(
            name: "numbers beyond double range",
            bytes: {
                bundle([
                    condition,
                    #"{"resource":{"resourceType":"Observation","id":"o","status":"final","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://loinc.org","code":"72514-3"}]},"effectiveDateTime":"2026-11-01","valueQuantity":{"value":1e400}}}"#,
                ])
            },
            expected: .recommendation, seconds: 2),
        Case(
            name: "invalid UTF-8",
            bytes: { Array(#"{"resourceType":"Bundle","type":"coll"#.utf8) + [0xC3, 0x28] + Array(#"ection"}"#.utf8) },
            expected: .failure(.syntax, containing: "UTF-8"), seconds: 2),
        Case(
            name: "UTF-16 with a BOM",
            bytes: {
                [0xFF, 0xFE]
                    + Array(#"{"resourceType":"Bundle"}"#.utf16.flatMap { [UInt8($0 & 0xff), UInt8($0 >> 8)] })
            },
            expected: .failure(.syntax, containing: ""), seconds: 2),
        Case(
            name: "UTF-8 BOM before a valid bundle", bytes: { [0xEF, 0xBB, 0xBF] + bundle([condition]) },
            expected: .recommendation, seconds: 2),
        Case(
            name: "NUL bytes", bytes: { Array(#"{"resourceType":"Bundle","type":"collection\#u{0}"}"#.utf8) },
            expected: .failure(.syntax, containing: ""), seconds: 2),
        Case(
            name: "duplicate JSON keys",
            bytes: { Array(#"{"resourceType":"Bundle","type":"collection","type":"batch"}"#.utf8) },
            expected: .failure(.structure, containing: "twice"), seconds: 2),
        Case(
            name: "a bundle with 100,000 entries",
            bytes: {
                bundle(
                    [condition]
                        + (0..<100_000).map {
                            #"{"fullUrl":"urn:uuid:o\#($0)","resource":{"resourceType":"Observation","id":"o\#($0)","status":"final","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://loinc.org","code":"72514-3"}]},"effectiveDateTime":"2026-11-01","valueQuantity":{"value":\#($0 % 10)}}}"#
                        })
            }, expected: .recommendation, seconds: 120),
        Case(
            name: "reference loops (resources pointing at each other)",
            bytes: {
                bundle([
                    #"{"fullUrl":"urn:uuid:c","resource":{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"279039007"}]},"onsetDateTime":"2026-05-01","evidence":[{"detail":[{"reference":"Condition/c2"}]}]}}"#,
                    #"{"fullUrl":"urn:uuid:c2","resource":{"resourceType":"Condition","id":"c2","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"23056005"}]},"onsetDateTime":"2026-05-01","evidence":[{"detail":[{"reference":"Condition/c1"}]}]}}"#,
                    #"{"fullUrl":"urn:uuid:e","resource":{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p1"},"reasonReference":[{"reference":"Encounter/e1"}],"partOf":{"reference":"Encounter/e1"}}}"#,
                ])
            }, expected: .recommendation, seconds: 2),
        Case(
            name: "contained cycles",
            bytes: {
                bundle([
                    condition,
                    ##"{"fullUrl":"urn:uuid:m","resource":{"resourceType":"MedicationRequest","id":"m1","status":"active","intent":"order","subject":{"reference":"Patient/p1"},"contained":[{"resourceType":"Medication","id":"a","ingredient":[{"itemReference":{"reference":"#b"}}]},{"resourceType":"Medication","id":"b","ingredient":[{"itemReference":{"reference":"#a"}}]}],"medicationReference":{"reference":"#a"},"authoredOn":"2026-10-01"}}"##,
                ])
            }, expected: .recommendation, seconds: 2),
        Case(
            name: "JSON with XML inside",
            bytes: { Array("{\"resourceType\":\"Bundle\",<Bundle xmlns=\"http://hl7.org/fhir\"/>}".utf8) },
            expected: .failure(.syntax, containing: ""), seconds: 2),
        Case(
            name: "XML with JSON inside",
            bytes: { xml("<Bundle xmlns=\"http://hl7.org/fhir\">{\"resourceType\":\"Bundle\"}</Bundle>") },
            expected: .failure(.structure, containing: ""), seconds: 2),
        Case(
            name: "a valid resource of the wrong type",
            bytes: { Array(#"{"resourceType":"Patient","id":"p1","birthDate":"1970-01-01"}"#.utf8) },
            expected: .failure(.structure, containing: "not a Bundle"), seconds: 2),
        Case(
            name: "a bundle with two Patients",
            bytes: { bundle([#"{"fullUrl":"urn:uuid:p2","resource":{"resourceType":"Patient","id":"p2"}}"#]) },
            expected: .failure(.structure, containing: "2 Patients"), seconds: 2),
    ]

    @Test(arguments: cases)
    func endsCleanlyWithinItsBound(_ hostile: Case) throws {
        let bytes = hostile.bytes()
        let pipeline = Pipeline(terminology: repositoryTerminology, limits: FHIRReadLimits(maxInputBytes: 64 << 20))
        let clock = ContinuousClock()
        var outcome: Result<Pipeline.Recommendation, PipelineFailure>!
        let elapsed = clock.measure { outcome = Result { () throws(PipelineFailure) in try pipeline.run(bytes) } }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        #expect(seconds < hostile.seconds, "\(hostile.name) took \(seconds) s (bound \(hostile.seconds) s)")
        switch (hostile.expected, outcome!) {
        case (.recommendation, .success(let recommendation)):
            #expect(repositoryProfileChecker.check(recommendation.bundle).isEmpty)
        case (.failure(let kind, let text), .failure(let failure)):
            #expect(failure.error.kind == kind, "\(hostile.name): \(failure.error)")
            #expect(text.isEmpty || failure.error.description.contains(text), "\(hostile.name): \(failure.error)")
            #expect(try FHIRReader().read(failure.outcomeJSON).result.resource.type == "OperationOutcome")
        case (.recommendation, .failure(let failure)):
            Issue.record("\(hostile.name): expected a recommendation, got \(failure.error)")
        case (.failure, .success):
            Issue.record("\(hostile.name): expected a failure, got a recommendation")
        }
    }
}
