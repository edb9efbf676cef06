import FHIR
import Foundation
import PainPathTestKit
import Testing

@testable import Terminology

/// The forms of a real ValueSet, as VSAC, the CDC CDS and FHIR servers publish them.
@Suite("value sets: expansion, compose, includes, filters, exclusions")
struct ValueSetLoaderTests {
    static let icd = CodeSystems.icd10cm, sct = CodeSystems.snomed

    func valueSet(_ json: String) throws -> FHIRElement {
        try FHIRReader().read(Array(json.utf8)).result.resource
    }

    func index(_ json: String) throws -> ValueSetIndex {
        try TerminologyBuilder.index(try valueSet(json), url: "http://example.org/vs", file: "test.json")
    }

    @Test func expansionContainsIsRead() throws {
        let index = try index(
            """
            {"resourceType":"ValueSet","url":"http://example.org/vs","expansion":{"timestamp":"2025-01-01",
             "contains":[{"system":"\(Self.sct)","code":"66590003","display":"Alcohol dependence"},
                         {"system":"\(Self.sct)","code":"1","abstract":true,
                          "contains":[{"system":"\(Self.icd)","code":"F10.20"}]}]}}
            """)
        #expect(index.contains(CodeKey(Self.sct, "66590003")))
        #expect(index.contains(CodeKey(Self.icd, "F10.20")), "nested contains")
        #expect(!index.contains(CodeKey(Self.sct, "1")), "an abstract grouper is not a member")
    }

    @Test func isAByPrefixCoversDescendantsWithOrWithoutTheDot() throws {
        let index = try index(
            """
            {"resourceType":"ValueSet","url":"http://example.org/vs","compose":{
             "include":[{"system":"\(Self.icd)","filter":[{"property":"concept","op":"is-a","value":"M54.1"}]}],
             "exclude":[{"system":"\(Self.icd)","concept":[{"code":"M54.11"}]}]}}
            """)
        for code in ["M54.1", "M54.16", "M5417", "m54.18"] {
            #expect(index.contains(CodeKey(Self.icd, code)), "\(code)")
        }
        #expect(!index.contains(CodeKey(Self.icd, "M54.11")), "excluded")
        #expect(!index.contains(CodeKey(Self.icd, "M54.2")))
        #expect(!index.contains(CodeKey(Self.icd, "M5")), "shorter than a category")
        #expect(!index.contains(CodeKey(Self.sct, "M54.16")), "another system")
    }

    @Test func aFilterThatCannotBeEvaluatedNeedsAnExpansion() throws {
        let compose = """
            "compose":{"include":[{"system":"\(Self.sct)","filter":[{"property":"concept","op":"is-a","value":"75544000"}]}]}
            """
        #expect(throws: TerminologyError.self) {
            try index(#"{"resourceType":"ValueSet","url":"http://example.org/vs",\#(compose)}"#)
        }
        let withExpansion = try index(
            """
            {"resourceType":"ValueSet","url":"http://example.org/vs",\(compose),
             "expansion":{"timestamp":"2025-01-01","contains":[{"system":"\(Self.sct)","code":"75544000"}]}}
            """)
        #expect(withExpansion.contains(CodeKey(Self.sct, "75544000")))
    }

    @Test func includedSetsResolveTransitivelyAndExclusionsApply() throws {
        var builder = TerminologyBuilder()
        let a = """
            {"resourceType":"ValueSet","url":"http://example.org/a","compose":{
             "include":[{"valueSet":["http://example.org/b"]},{"system":"\(Self.sct)","concept":[{"code":"1"}]}],
             "exclude":[{"valueSet":["http://example.org/c"]}]}}
            """
        let b = """
            {"resourceType":"ValueSet","url":"http://example.org/b","compose":{
             "include":[{"system":"\(Self.sct)","concept":[{"code":"2"},{"code":"3"}]}]}}
            """
        let c = """
            {"resourceType":"ValueSet","url":"http://example.org/c","compose":{
             "include":[{"system":"\(Self.sct)","concept":[{"code":"3"}]}]}}
            """
        for text in [a, b, c] { try builder.add(try valueSet(text), file: "test.json", local: false) }
        try builder.resolveIncludes()
        let resolved = try #require(builder.valueSets["http://example.org/a"])
        #expect(resolved.contains(CodeKey(Self.sct, "1")) && resolved.contains(CodeKey(Self.sct, "2")))
        #expect(!resolved.contains(CodeKey(Self.sct, "3")), "excluded through c")
    }

    @Test func aMissingOrCircularIncludeIsAnError() throws {
        var missing = TerminologyBuilder()
        try missing.add(
            try valueSet(
                #"{"resourceType":"ValueSet","url":"http://example.org/a","compose":{"include":[{"valueSet":["http://example.org/z"]}]}}"#
            ), file: "a.json", local: false)
        #expect(throws: TerminologyError.self) { try missing.resolveIncludes() }
        var circular = TerminologyBuilder()
        for (from, to) in [("a", "b"), ("b", "a")] {
            try circular.add(
                try valueSet(
                    #"{"resourceType":"ValueSet","url":"http://example.org/\#(from)","compose":{"include":[{"valueSet":["http://example.org/\#(to)"]}]}}"#
                ), file: "\(from).json", local: false)
        }
        do {
            try circular.resolveIncludes()
            Issue.record("a cycle was accepted")
        } catch {
            #expect("\(error)".contains("include each other"))
        }
    }

    @Test func theShippedProfilesUseTheForms() throws {
        // malignancy includes active-cancer whole; the official members are there.
        let terminology = repositoryTerminology
        #expect(terminology.contains(.malignancy, system: Self.sct, code: "363346000"))
        let activeCancer = try #require(terminology.valueSet(.activeCancer))
        let malignancy = try #require(terminology.valueSet(.malignancy))
        #expect(activeCancer.codes.isSubset(of: malignancy.codes))
        #expect(terminology.contains(.substanceUseDisorder, system: Self.sct, code: "66590003"))
        #expect(terminology.contains(.radicularPain, system: Self.icd, code: "M54.16"))
        #expect(terminology.contains(.radicularPain, system: Self.icd, code: "M5416"))
    }
}

/// Loading a profiles directory: every value set the code needs must be there and hold codes.
@Suite("loading profiles/")
struct ProfilesLoadingTests {
    static let profiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("profiles").path

    let scratch: ScratchDirectory
    init() throws { scratch = try ScratchDirectory("profiles") }

    func copyOfProfiles() throws -> String {
        let copy = scratch.file("profiles-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: Self.profiles, toPath: copy)
        return copy
    }

    @Test func aRequiredSetThatLoadsEmptyStopsTheLoad() throws {
        let copy = try copyOfProfiles()
        let empty =
            #"{"resourceType":"ValueSet","id":"naloxone-medications","url":"https://painpath.example.org/fhir/ValueSet/naloxone-medications","status":"active","compose":{"include":[]}}"#
        try empty.write(toFile: copy + "/ValueSet-naloxone-medications.json", atomically: false, encoding: .utf8)
        do {
            _ = try Terminology.load(from: copy)
            Issue.record("an empty required set was accepted")
        } catch {
            #expect("\(error)".contains("value sets empty: naloxone-medications"), "\(error)")
        }
    }

    /// The files are read on several threads; the digest (in every output id) is still one chain over each file's name
    /// and bytes in name order.
    @Test func theDigestChainsEveryFileInNameOrder() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.profiles).filter { $0.hasSuffix(".json") }
            .sorted()
        var hasher = StableHasher()
        for name in names {
            hasher.combine(name)
            hasher.combine(try #require(FileManager.default.contents(atPath: Self.profiles + "/" + name)))
        }
        #expect(names.count > 100)
        #expect(try Terminology.load(from: Self.profiles).digest == hasher.hexDigest)
    }

    /// Of several broken files, the error names the first by name — not the one whose reading ended first (the larger
    /// is read first) — and a ValueSet that cannot be indexed is named too.
    @Test func theFirstBrokenFileByNameIsTheError() throws {
        let valid = #"{"resourceType":"CodeSystem","id":"x","status":"active","content":"complete"}"#
        let padding = String(repeating: " ", count: 20_000)
        let local = try LocalProfilesTests.localDirectory(
            in: scratch,
            [
                "a-broken.json": #"{"resourceType": "ValueSet", "#,
                "m-broken.json": padding + #"{"resourceType": "#,
                "z-valid.json": valid,
            ])
        do {
            _ = try Terminology.load(from: Self.profiles, local: local)
            Issue.record("broken files were accepted")
        } catch {
            #expect("\(error)".contains("a-broken.json") && !"\(error)".contains("m-broken.json"), "\(error)")
        }
        let unnamed = try LocalProfilesTests.localDirectory(
            in: scratch,
            [
                "ValueSet-unnamed.json": #"{"resourceType":"ValueSet","status":"active"}"#, "z-valid.json": valid,
            ])
        do {
            _ = try Terminology.load(from: Self.profiles, local: unnamed)
            Issue.record("a ValueSet without url or id was accepted")
        } catch {
            #expect("\(error)".contains("ValueSet-unnamed.json: a ValueSet without url or id"), "\(error)")
        }
    }

    @Test func aMissingRequiredSetStopsTheLoad() throws {
        let copy = try copyOfProfiles()
        try FileManager.default.removeItem(atPath: copy + "/ValueSet-pdmp-review.json")
        #expect(throws: (any Error).self) { _ = try Terminology.load(from: copy) }
    }

    @Test func everySetOfTheCodeHoldsCodes() {
        for id in ValueSetID.allCases {
            #expect(repositoryTerminology.valueSet(id)?.isEmpty == false, "\(id.rawValue)")
        }
        for medicationClass in MedicationClass.allCases {
            #expect(repositoryTerminology.valueSets[Terminology.url(medicationClass)]?.isEmpty == false)
        }
    }
}
