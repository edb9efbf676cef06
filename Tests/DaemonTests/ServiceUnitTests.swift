import Foundation
import PainPathTestKit
import Testing

/// systemd/painpathd.service: `systemd-analyze security --offline=true` exposure ≤ 1.0 and
/// `systemd-analyze verify` clean (skipped, saying so, where systemd-analyze is absent).
let systemdAnalyze = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

@Suite("the systemd unit", .enabled(if: systemdAnalyze != nil, "systemd-analyze is absent"))
struct ServiceUnitTests {
    static let unit = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("systemd/painpathd.service").path
    static let analyze = systemdAnalyze

    func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.analyze))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func exposureIsAtMostOne() throws {
        let (_, output) = try run(["security", "--offline=true", Self.unit])
        let line = try #require(output.split(separator: "\n").first { $0.contains("Overall exposure level") })
        let score = try #require(line.split(separator: " ").compactMap { Double($0) }.first)
        #expect(score <= 1.0, "\(line)")
    }

    @Test func verifyIsClean() throws {
        // The binary is not installed here: verify a copy whose ExecStart names one that exists.
        let text = try String(contentsOfFile: Self.unit, encoding: .utf8).replacingOccurrences(
            of: "/usr/bin/painpathd", with: "/bin/true")
        try withExtendedLifetime(ScratchDirectory("unit")) { scratch in
            let copy = try scratch.write(text, to: "painpathd.service")
            let (status, output) = try run(["verify", copy])
            #expect(status == 0 && output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "\(output)")
        }
    }
}
