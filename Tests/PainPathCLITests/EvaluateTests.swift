import FHIR
import Foundation
import Output
import PainPathCLI
import PainPathTestKit
import Testing

@Suite("painpath evaluate")
struct EvaluateCommandTests {
    let scratch: ScratchDirectory
    init() throws { scratch = try ScratchDirectory("evaluate") }

    func file(_ bytes: [UInt8], _ suffix: String = "json") -> String {
        let path = scratch.file("\(UUID().uuidString).\(suffix)")
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    @Test func writesTheRecommendationBundleAndTheSameBytesTwice() throws {
        let path = file(Scenarios.conservativeFailed.fixture().bundleJSON)
        let first = CommandResult.evaluate(
            path: path, now: nil, output: OutputOptions(), profiles: nil, limits: .default)
        #expect(first.exitCode == 0)
        let bundle = try FHIRReader().read(first.stdout).result.resource
        #expect(bundle.type == "Bundle" && bundle.string("type") == "collection")
        #expect(first.stderr.contains("rules fired:") && first.stderr.contains("epidural-steroid-injection"))
        let second = CommandResult.evaluate(
            path: path, now: nil, output: OutputOptions(), profiles: nil, limits: .default)
        #expect(first.stdout == second.stdout)
    }

    @Test func formatNowAndBundleTypeOptions() throws {
        let path = file(Scenarios.chronicRefractory.fixture().bundleJSON)
        let xml = CommandResult.evaluate(
            path: path, now: "2026-12-01", output: OutputOptions(format: .xml, bundleType: .transaction), profiles: nil,
            limits: .default)
        #expect(xml.exitCode == 0)
        let (read, format) = try FHIRReader().read(xml.stdout)
        #expect(format == .xml)
        #expect(read.resource.string("type") == "transaction")
        #expect(read.resource.string("timestamp") == "2026-12-01T00:00:00Z")
    }

    @Test func badInputExitCodes() {
        let noPatient = file(Array(#"{"resourceType":"Bundle","type":"collection"}"#.utf8))
        let bad = CommandResult.evaluate(
            path: noPatient, now: nil, output: OutputOptions(), profiles: nil, limits: .default)
        #expect(bad.exitCode == 65 && bad.stdoutText.contains("OperationOutcome") && bad.stdoutText.contains("Patient"))
        let garbage = file(Array("<Bundle xmlns=\"http://hl7.org/fhir\"><oops".utf8), "xml")
        #expect(
            CommandResult.evaluate(path: garbage, now: nil, output: OutputOptions(), profiles: nil, limits: .default)
                .exitCode == 65)
        #expect(
            CommandResult.evaluate(
                path: "/nonexistent/case.json", now: nil, output: OutputOptions(), profiles: nil, limits: .default
            ).exitCode == 66)
        #expect(
            CommandResult.evaluate(
                path: noPatient, now: "soon", output: OutputOptions(), profiles: nil, limits: .default
            ).exitCode == 64)
    }

    @Test func profilesCheckDetectsDrift() throws {
        let directory = scratch.file("profiles")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(CommandResult.profiles(directory: directory, check: true).exitCode == 1)
        #expect(CommandResult.profiles(directory: directory, check: false).exitCode == 0)
        #expect(CommandResult.profiles(directory: directory, check: true).exitCode == 0)
    }
}
