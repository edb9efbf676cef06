import FHIR
import Foundation
import Guideline
import Output
import PainPathTestKit
import Testing

@testable import PainPathCLI

@Suite("painpath replay and the samples")
struct ReplayTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let samples = root.appendingPathComponent("samples").path

    @Test func theSamplesReplayCleanly() {
        let result = CommandResult.replay(
            directory: Self.samples, expected: nil, update: false, profiles: nil, limits: .default)
        #expect(result.exitCode == 0, "\(result.stdoutText)")
        #expect(result.stdoutText.contains("0 differ"))
    }

    @Test func everyRuleIdFiresInSomeExpectedOutputAndEachCaseHasTwins() throws {
        let expected = Self.samples + "/expected"
        var fired = Set<String>()
        let names = try FileManager.default.contentsOfDirectory(atPath: expected).filter {
            $0.hasSuffix(".careplan.json")
        }
        for name in names {
            let bundle = try FHIRReader().read(
                [UInt8](try Data(contentsOf: URL(fileURLWithPath: expected + "/" + name)))
            ).result.resource
            fired.formUnion(DecisionComparison.firedRules(bundle))
        }
        let inputs = try FileManager.default.contentsOfDirectory(atPath: Self.samples)
        let jsonCases = inputs.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
        #expect(jsonCases.count >= 20)
        for name in jsonCases {
            #expect(inputs.contains(name + ".xml"), "\(name) has no XML twin")
            // The twins are the same case: one model.
            let json = try FHIRReader().read(
                [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.samples + "/\(name).json")))
            ).result.resource
            let xml = try FHIRReader().read(
                [UInt8](try Data(contentsOf: URL(fileURLWithPath: Self.samples + "/\(name).xml")))
            ).result.resource
            #expect(json == xml, "\(name): JSON and XML differ")
        }
        let all = Set(KnowledgeArtifacts().planDefinition().children("action").compactMap { $0.string("id") })
        #expect(all.count == RuleID.allCases.count)
        #expect(all.subtracting(fired).isEmpty, "never fired in samples: \(all.subtracting(fired).sorted())")
    }

    /// Each test's own directory, removed after it (the suite is made afresh for every test).
    let scratch: ScratchDirectory
    init() throws { scratch = try ScratchDirectory("replay") }

    /// A copy of one sample and its expectation in `directory`.
    static func copySample(_ name: String, into directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory + "/expected", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.samples + "/\(name).json", toPath: directory + "/\(name).json")
        try FileManager.default.copyItem(
            atPath: Self.samples + "/expected/\(name).careplan.json",
            toPath: directory + "/expected/\(name).careplan.json")
        return directory
    }

    @Test func aChangedDecisionIsReportedAndExitsOne() throws {
        let directory = try ReplayTests.copySample("progressive-foot-drop", into: scratch.path)
        #expect(
            CommandResult.replay(directory: directory, expected: nil, update: false, profiles: nil, limits: .default)
                .exitCode == 0)
        // Remove the worsening: the deficit is no longer progressive, so no surgical evaluation.
        let path = directory + "/progressive-foot-drop.json"
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"value\": 2\n", with: "\"value\": 4\n").replacingOccurrences(
            of: "\"code\": \"W\"", with: "\"code\": \"N\"")
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let result = CommandResult.replay(
            directory: directory, expected: nil, update: false, profiles: nil, limits: .default)
        #expect(result.exitCode == 1)
        #expect(
            result.stdoutText.contains("no longer fires: ") && result.stdoutText.contains("refer-surgical-urgent"),
            "\(result.stdoutText)")
        #expect(result.stdoutText.contains("resource gone: ServiceRequest[refer-surgical-urgent]"))
        // --update accepts the new decision; the next replay is clean.
        #expect(
            CommandResult.replay(directory: directory, expected: nil, update: true, profiles: nil, limits: .default)
                .exitCode == 0)
        #expect(
            CommandResult.replay(directory: directory, expected: nil, update: false, profiles: nil, limits: .default)
                .exitCode == 0)
    }

    @Test func aChangedDetailIsReportedWithItsPath() throws {
        let directory = try ReplayTests.copySample("opioid-and-benzodiazepine", into: scratch.path)
        let path = directory + "/expected/opioid-and-benzodiazepine.careplan.json"
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(
            of: "\"severity\": \"high\"", with: "\"severity\": \"low\"")
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let result = CommandResult.replay(
            directory: directory, expected: nil, update: false, profiles: nil, limits: .default)
        #expect(result.exitCode == 1)
        #expect(
            result.stdoutText.contains("changed: DetectedIssue[") && result.stdoutText.contains("severity: low → high"),
            "\(result.stdoutText)")
    }

    @Test func aMissingExpectationFails() throws {
        let directory = try ReplayTests.copySample("acute-low-back-pain", into: scratch.path)
        try FileManager.default.removeItem(atPath: directory + "/expected/acute-low-back-pain.careplan.json")
        let result = CommandResult.replay(
            directory: directory, expected: nil, update: false, profiles: nil, limits: .default)
        #expect(result.exitCode == 1 && result.stdoutText.contains("no expectation"))
    }
}

@Suite("sample declarations: the rules each case must and must not fire")
struct DeclaredRulesTests {
    let scratch: ScratchDirectory
    init() throws { scratch = try ScratchDirectory("replay") }

    @Test func everySampleDeclaresWhatItIsAbout() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: ReplayTests.samples)
        let cases = names.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }
        for name in cases {
            let path = ReplayTests.samples + "/\(name).rules"
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let declared = try DeclaredRules(parsing: text)
            #expect(!declared.fire.isEmpty && !declared.quiet.isEmpty, "\(name).rules declares too little")
            #expect(Set(declared.fire).isDisjoint(with: declared.quiet), "\(name).rules contradicts itself")
        }
    }

    @Test func parsingReadsBothListsAndRefusesUnknownIds() throws {
        let declared = try DeclaredRules(parsing: "# a case\nfire: tens massage\nquiet: acupuncture  # near miss\n")
        #expect(declared == DeclaredRules(fire: [.tens, .massage], quiet: [.acupuncture]))
        #expect(throws: DeclaredRules.ParseError.self) { try DeclaredRules(parsing: "fire: no-such-rule") }
        #expect(throws: DeclaredRules.ParseError.self) { try DeclaredRules(parsing: "fires: tens") }
        #expect(
            declared.violations(fired: [.tens, .acupuncture]) == [
                "declared to fire, but quiet: massage", "declared quiet, but fires: acupuncture",
            ])
    }

    @Test func replayFailsOnABrokenDeclarationEvenWhenUpdating() throws {
        let directory = try ReplayTests.copySample("cauda-equina-syndrome", into: scratch.path)
        try "fire: refer-surgical-urgent\nquiet: refer-specialist-urgent\n"
            .write(toFile: directory + "/cauda-equina-syndrome.rules", atomically: false, encoding: .utf8)
        for update in [false, true] {
            let result = CommandResult.replay(
                directory: directory, expected: nil, update: update, profiles: nil, limits: .default)
            #expect(result.exitCode == 1)
            #expect(
                result.stdoutText.contains("declared quiet, but fires: refer-specialist-urgent"), "\(result.stdoutText)"
            )
        }
        try "fire: refer-surgical-urgent\nquiet: refer-specialist-routine\n"
            .write(toFile: directory + "/cauda-equina-syndrome.rules", atomically: false, encoding: .utf8)
        #expect(
            CommandResult.replay(directory: directory, expected: nil, update: false, profiles: nil, limits: .default)
                .exitCode == 0)
    }
}
