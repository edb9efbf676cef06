import FHIR
import PainPathTestKit
import Testing

@testable import Terminology

/// Finding a value set's displays in text by their first word first must find exactly what a search for
/// every display finds.
@Suite("value set displays found in text")
struct DisplayNamesTests {
    @Test func aTextNamesADisplayOnlyWhenItHoldsTheWholeDisplay() {
        let names = DisplayNames(["warfarin sodium 5 mg oral tablet", "warfarin sodium 1 mg oral tablet", "apixaban"])
        #expect(names.anyNamed(in: "home: warfarin sodium 1 mg oral tablet, daily"))
        #expect(names.anyNamed(in: "apixaban 5 mg"))
        #expect(!names.anyNamed(in: "warfarin sodium 2 mg oral tablet"))
        #expect(!names.anyNamed(in: "ibuprofen 400 mg oral tablet"))
        #expect(!DisplayNames([]).anyNamed(in: "warfarin"))
    }

    /// Displays sharing their first two bytes, one byte long, at the very start and end of the text, non-ASCII:
    /// the same answers as a search for every display, at every cut of the texts.
    @Test func leadingPairsShortDisplaysAndEdgesAgreeWithASearchPerDisplay() {
        let displays = ["heparin", "heparin sodium", "he", "x", "édoxaban", "dabigatran etexilate"]
        let names = DisplayNames(displays)
        let texts = [
            "heparin", "hepari", "a heparin sodium", "the", "h", "x", "édoxaban 30 mg", "edoxaban", "dabigatran",
        ]
        for text in texts {
            for end in text.indices + [text.endIndex] {
                let cut = String(text[..<end])
                #expect(names.anyNamed(in: cut) == displays.contains { cut.includes($0) }, "\(cut)")
            }
        }
        #expect(DisplayNames([""]).anyNamed(in: "anything") && DisplayNames([""]).anyNamed(in: ""))
        #expect(!DisplayNames(["ab"]).anyNamed(in: "a") && DisplayNames(["ab"]).anyNamed(in: "cab"))
    }

    @Test func theAnticoagulantSetFindsWhatASearchForEveryDisplayFinds() throws {
        let displays = try #require(repositoryTerminology.valueSet(.anticoagulants)?.displays)
        #expect(displays.count > 20)
        let texts =
            displays.map { "1 " + $0 + " [brand]" } + displays.map { String($0.prefix { $0 != " " }) + " 5 mg" }
            + ["ibuprofen 400 mg oral tablet", "", "heparin lock flush", "aspirin 81 mg"]
        for text in texts {
            let expected = displays.contains { text.includes($0) }
            #expect(repositoryTerminology.namesAMember(of: .anticoagulants, in: text) == expected, "\(text)")
        }
    }

    @Test func aSetNotGroupedAtLoadIsSearchedDisplayByDisplay() throws {
        #expect(!Terminology.setsNamedInText.contains(.moudMedications))
        let displays = try #require(repositoryTerminology.valueSet(.moudMedications)?.displays)
        let display = try #require(displays.first)
        #expect(repositoryTerminology.namesAMember(of: .moudMedications, in: "home: " + display))
        #expect(!repositoryTerminology.namesAMember(of: .moudMedications, in: "ibuprofen 400 mg oral tablet"))
    }
}
