import FHIR
import Foundation
import Testing

@testable import PainPathCLI

/// A temporary file holding `contents`, removed when the test ends.
func withTemporaryFile<T>(_ contents: String, suffix: String = ".json", _ body: (String) throws -> T) rethrows -> T {
    let path = NSTemporaryDirectory() + "painpath-test-\(UUID().uuidString)\(suffix)"
    _ = FileManager.default.createFile(atPath: path, contents: Data(contents.utf8))
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

let goodPatient = "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"gender\":\"female\",\"birthDate\":\"1961-04-02\"}"

@Suite("painpath validate")
struct ValidateCommandTests {
    @Test("a readable file: exit 0 and an OperationOutcome on stdout")
    func readable() throws {
        let result = withTemporaryFile(goodPatient) { CommandResult.validate(path: $0, limits: .default) }
        #expect(result.exitCode == 0)
        let outcome = try FHIRJSONReader().read(result.stdout).resource
        #expect(outcome.type == "OperationOutcome")
        #expect(result.stderr.contains("readable Patient (json)"))
    }

    @Test("an unreadable file: exit 65, an OperationOutcome with the error on stdout, one line on stderr")
    func unreadable() throws {
        let result = withTemporaryFile("{\"resourceType\":\"Patient\",\n \"gender\": [}") {
            CommandResult.validate(path: $0, limits: .default)
        }
        #expect(result.exitCode == 65)
        let read = try FHIRJSONReader().read(result.stdout).resource
        let outcome = try #require(OperationOutcome(read))
        #expect(outcome.issues.first?.severity == "fatal")
        #expect(outcome.issues.first?.diagnostics?.contains("line 2") == true)
        #expect(result.stderr.split(separator: "\n").count == 1)
    }

    @Test("a missing file: exit 66")
    func missing() {
        let result = CommandResult.validate(path: "/nonexistent/painpath/file.json", limits: .default)
        #expect(result.exitCode == 66)
        #expect(result.stderr.contains("cannot read"))
    }

    @Test("a file over --max-bytes: exit 65 with a limit error")
    func overLimit() throws {
        let result = withTemporaryFile(goodPatient) {
            CommandResult.validate(path: $0, limits: FHIRReadLimits(maxInputBytes: 10))
        }
        #expect(result.exitCode == 65)
        #expect(result.stderr.contains("limit"))
    }

    @Test("the command line parses the file and options")
    func parsing() throws {
        let command = try PainPathCommand.parseAsRoot(["validate", "x.json", "--max-bytes", "1000"])
        let validate = try #require(command as? Validate)
        #expect(validate.file == "x.json")
        #expect(validate.options.limits.maxInputBytes == 1000)
    }
}

@Suite("painpath convert")
struct ConvertCommandTests {
    @Test("JSON to XML and back gives the same resource")
    func roundTrip() throws {
        let xml = withTemporaryFile(goodPatient) {
            CommandResult.convert(path: $0, to: .xml, pretty: true, limits: .default)
        }
        #expect(xml.exitCode == 0)
        #expect(xml.stdoutText.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"))
        let json = withTemporaryFile(xml.stdoutText, suffix: ".xml") {
            CommandResult.convert(path: $0, to: .json, pretty: false, limits: .default)
        }
        #expect(json.exitCode == 0)
        #expect(
            json.stdoutText
                == "{\"resourceType\":\"Patient\",\"id\":\"p1\",\"gender\":\"female\",\"birthDate\":\"1961-04-02\"}")
    }

    @Test("content that XML cannot carry: exit 65 with an OperationOutcome")
    func notRepresentable() throws {
        let result = withTemporaryFile("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"a\\u0001\"}]}") {
            CommandResult.convert(path: $0, to: .xml, pretty: true, limits: .default)
        }
        #expect(result.exitCode == 65)
        let outcome = try FHIRJSONReader().read(result.stdout).resource
        #expect(OperationOutcome(outcome)?.issues.first?.code == "not-supported")
    }

    @Test("--to is required and must be json or xml")
    func parsing() throws {
        #expect(throws: (any Error).self) { try PainPathCommand.parseAsRoot(["convert", "x.json"]) }
        #expect(throws: (any Error).self) { try PainPathCommand.parseAsRoot(["convert", "x.json", "--to", "yaml"]) }
        let convert = try #require(try PainPathCommand.parseAsRoot(["convert", "x.json", "--to", "xml"]) as? Convert)
        #expect(convert.to == .xml)
    }
}

/// The real binary, for exit codes and streams as a shell sees them (skipped if not built).
@Suite("painpath binary")
struct BinaryTests {
    static let binary: String? = {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        let candidates = [directory, directory.deletingLastPathComponent()].map {
            $0.appendingPathComponent("painpath").path
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary!)
        process.arguments = arguments
        var inherited = ProcessInfo.processInfo.environment
        for name in ["GLIBC_TUNABLES", "PAINPATH_ALLOCATOR_RESTARTED"] { inherited.removeValue(forKey: name) }
        process.environment = inherited.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self)
        )
    }

    @Test(
        "exit codes 0, 65 and 66 reach the shell",
        .enabled(if: BinaryTests.binary != nil, "painpath binary not found beside the test bundle"))
    func exitCodes() throws {
        try withTemporaryFile(goodPatient) { path in
            let (code, _, _) = try run(["validate", path])
            #expect(code == 0)
        }
        try withTemporaryFile("<!DOCTYPE x [<!ENTITY a SYSTEM \"file:///etc/passwd\">]><x>&a;</x>", suffix: ".xml") {
            path in
            let (code, stdout, stderr) = try run(["validate", path])
            #expect(code == 65)
            #expect(stdout.contains("OperationOutcome"))
            #expect(stderr.contains("DOCTYPE"))
        }
        let (missingCode, _, _) = try run(["validate", "/nonexistent.json"])
        #expect(missingCode == 66)
    }

    @Test(
        "bench runs with glibc's thread cache tunable: started again with it, or with the caller's own count",
        .enabled(if: BinaryTests.binary != nil, "painpath binary not found beside the test bundle"))
    func benchRunsWithTheAllocatorTunable() throws {
        func tunables(_ environment: [String: String]) throws -> String? {
            try withTemporaryFile(goodPatient) { patient in
                let (code, stdout, _) = try run(
                    ["bench", patient, "--iterations", "1", "--json", "--only", "read"], environment: environment)
                #expect(code == 0)
                let report = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
                return report?["glibcTunables"] as? String
            }
        }
        #expect(try tunables([:]) == AllocatorTuning.threadCacheTunable)
        #expect(
            try tunables(["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=131072"])
                == "glibc.malloc.trim_threshold=131072:" + AllocatorTuning.threadCacheTunable)
        #expect(try tunables(["GLIBC_TUNABLES": "glibc.malloc.tcache_count=64"]) == "glibc.malloc.tcache_count=64")
    }

    @Test(
        "bench --json: seconds per stage for scripts; a single resource is timed for reading only",
        .enabled(if: BinaryTests.binary != nil, "painpath binary not found beside the test bundle"))
    func benchJSON() throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples").path
        let bundle = try #require(
            try FileManager.default.contentsOfDirectory(atPath: samples).sorted().first { $0.hasSuffix(".json") })
        try withTemporaryFile(goodPatient) { patient in
            let (code, stdout, _) = try run([
                "bench", samples + "/" + bundle, patient, "--iterations", "1", "--json",
            ])
            #expect(code == 0)
            let report = try #require(
                try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any], "\(stdout)")
            #expect(report["files"] as? Int == 2)
            let seconds = try #require(report["seconds"] as? [String: Double])
            for stage in [
                "read (parse + model)", "read, deferring", "case", "guideline", "pipeline end to end",
                "sha-256 of input",
            ] {
                #expect((seconds[stage] ?? 0) > 0, "\(stage)")
            }
            let (_, text, _) = try run(["bench", patient, "--iterations", "1", "--only", "read"])
            #expect(text.contains("not a case bundle: read and SHA-256 only") && text.contains("read (parse + model)"))
            #expect(!text.contains("sha-256"), "--only read times the read stage only")
        }
    }
}
