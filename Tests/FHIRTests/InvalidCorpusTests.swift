import FHIR
import Foundation
import Testing

/// The bad-input cases of `invalid/` (from FHIR/fhir-test-cases). Their expected outcomes come from
/// the full Java validator, most of whose findings are profile checks, not reading. PainPath's
/// reader rejects syntax and structure errors and accepts the rest with warnings
/// ("lenient where real feeds are untidy", DESIGN.md). Each case's decision, and why:
@Suite(
    "invalid/ corpus: rejected or accepted as the manifest expects",
    .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct InvalidCorpusTests {
    enum Decision: Equatable {
        case rejected(FHIRReadError.Kind)
        /// Accepted; `warned` says whether the reader must warn about what the manifest reports.
        case accepted(warned: Bool)
    }

    static let decisions: [String: Decision] = [
        // Syntax: not well-formed JSON or XML, or not UTF-8.
        "bad-json-close-1.json": .rejected(.syntax),
        "bad-json-close-2.json": .rejected(.syntax),
        "bad-json-close-3.json": .rejected(.syntax),
        "med-dispense.json": .rejected(.syntax),
        "json-comments-1.json": .rejected(.syntax),
        "json-comments-2.json": .rejected(.syntax),
        "json-comma-bad-1.json": .rejected(.syntax),
        "json-comma-bad-2.json": .rejected(.syntax),
        "json-no-quotes-1.json": .rejected(.syntax),
        "json-no-quotes-2.json": .rejected(.syntax),
        "xml-bad-entities.xml": .rejected(.syntax),
        "japanese-utf8.xml": .rejected(.syntax),
        "xml_v10.xml": .rejected(.syntax),
        "xml_UTF8_headerbad_nobom.xml": .rejected(.syntax),
        "xml_UTF16_noheader_bom.xml": .rejected(.syntax),
        "unicode-problem.xml": .rejected(.syntax),
        // Structure: the shape is not FHIR, meaning would be guessed.
        "synthea.json": .rejected(.structure),  // reasonCode is an object, must be an array
        "cs-meta-profile.json": .rejected(.structure),  // meta.profile is a string, must be an array
        "bundle-sig-2.json": .rejected(.structure),  // "meta": null
        "xml-fail.xml": .rejected(.structure),  // text inside FHIR elements
        "xml-bad-entities.json": .rejected(.structure),  // the narrative div is not well-formed XHTML
        // Accepted with a warning: untidy but unambiguous; nothing is guessed.
        "empty-array.json": .accepted(warned: true),  // empty array: dropped
        "ai3.json": .accepted(warned: true),  // unknown element: dropped
        "ai4.json": .accepted(warned: true),  // a date that is not a date: kept, flagged
        "json-comments.json": .accepted(warned: true),  // fhir_comments: an unknown property
        "Observation-ex-pain.json": .accepted(warned: true),  // `value` on a primitive; a primitive with nothing
        "Observation-ex-pain.xml": .accepted(warned: true),  // unknown attribute and element
        "capabilitystatement-measure-processor.xml": .accepted(warned: true),  // unknown element
        "resource-invalid-id-1.json": .accepted(warned: true),  // ids breaking the id pattern
        "resource-invalid-id-2.json": .accepted(warned: true),
        "resource-invalid-id-3.json": .accepted(warned: true),
        "patient-id-bad-1.json": .accepted(warned: true),
        "patient-id-bad-2.json": .accepted(warned: true),
        "patient-id-bad-3.json": .accepted(warned: true),
        "attachment-with-invalid-binary.json": .accepted(warned: true),  // bad base64
        "patient-extension-bad2.xml": .accepted(warned: true),  // an extension value with nothing in it
        "pat-security-bad-string2.xml": .accepted(warned: true),  // <script> inside a string: dropped
        // Accepted without a reading warning: the manifest's findings are about meaning, for later
        // stages (an unresolvable #pat reference; the R5 cardinality of List.subject).
        "list-contained-bad.json": .accepted(warned: false),
        // The valid controls.
        "json-good.json": .accepted(warned: false),
        "dr-xml-space.xml": .accepted(warned: false),
        "unicode-problem.json": .accepted(warned: false),
    ]

    @Test("every manifest case has a decision here")
    func everyCaseDecided() {
        #expect(Set(Corpus.invalidCases.map(\.file)) == Set(Self.decisions.keys))
    }

    @Test("each case is read as decided", arguments: Corpus.invalidCases)
    func caseIsReadAsDecided(_ testCase: Corpus.InvalidCase) throws {
        let decision = try #require(Self.decisions[testCase.file])
        let bytes = try Corpus.bytes("invalid/\(testCase.file)")
        switch decision {
        case .rejected(let kind):
            #expect(!testCase.expectValid)
            #expect(throws: FHIRReadError.self) { _ = try FHIRReader().read(bytes) }
            do {
                _ = try FHIRReader().read(bytes)
            } catch {
                #expect(error.kind == kind, "\(error)")
                #expect(error.line != nil, "an error says where: \(error)")
            }
        case .accepted(let warned):
            let (result, _) = try FHIRReader().read(bytes)
            #expect(result.warnings.isEmpty == !warned, "\(result.warnings)")
            if testCase.expectValid { #expect(result.warnings.isEmpty) }
        }
    }
}
