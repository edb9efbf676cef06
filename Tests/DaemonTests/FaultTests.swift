import Foundation
import PainPathTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Faults around the daemon: nothing lost, inputs stay claimable, recovery by itself when the
/// fault clears, one log line per fault.
@Suite("painpathd under faults", .serialized, .enabled(if: daemonAvailable, "painpathd is not built beside the tests"))
struct FaultTests {
    static let prlimitIsPresent = FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit")

    /// Whether `chattr +i` works here (root, and a filesystem with the immutable flag): probed on a
    /// scratch directory before the test that needs it.
    static let immutableFlagWorks: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chattr") else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("painpath-chattr-\(getpid())").path
        guard (try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)) != nil else {
            return false
        }
        defer { try? FileManager.default.removeItem(atPath: probe) }
        let works = FaultTests.runTool("/usr/bin/chattr", ["+i", probe]) == 0
        if works { _ = FaultTests.runTool("/usr/bin/chattr", ["-i", probe]) }
        return works
    }()

    static func runTool(_ tool: String, _ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return -1 }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func run(_ tool: String, _ arguments: [String]) -> Int32 { Self.runTool(tool, arguments) }

    func faultLines(_ log: String) -> Int { log.split(separator: "\n").filter { $0.contains("event=fault ") }.count }

    @Test(.enabled(if: prlimitIsPresent, "prlimit is absent"))
    func outboxDiskFullThenRecovered() throws {
        let harness = try DaemonHarness()
        // A soft file-size limit smaller than any result: every write to outbox/ fails with EFBIG, as on a
        // full disk; raising the soft limit later (no privilege needed) is the disk freeing up.
        let daemon = try harness.start([], wrapper: ["/usr/bin/prlimit", "--fsize=4096:unlimited", "--"])
        #expect(harness.waitReady(daemon))
        for n in 0..<5 { harness.drop("full-\(n).json", Scenarios.chronicRefractory.fixture().with(pain: n)) }
        #expect(harness.waitFor(timeout: 20) { harness.log(daemon).contains("event=fault ") }, "\(harness.log(daemon))")
        usleep(1_500_000)
        #expect(harness.names("outbox").filter { !$0.hasPrefix(".") }.isEmpty)
        #expect(harness.names("error").isEmpty)
        #expect(harness.names("work").count + harness.names("inbox").count == 5, "inputs stay claimable")
        #expect(faultLines(harness.log(daemon)) == 1, "one log line per fault: \(harness.log(daemon))")
        // The disk "frees up": the daemon finishes everything by itself.
        #expect(
            run(
                "/usr/bin/prlimit",
                ["--pid", String(harness.processes[daemon].processIdentifier), "--fsize=unlimited:unlimited"]) == 0)
        #expect(harness.waitFor(timeout: 30) { harness.names("archive").count == 5 }, "\(harness.log(daemon))")
        #expect(harness.names("outbox").filter { !$0.hasPrefix(".") }.count == 5)
        #expect(harness.log(daemon).contains("event=fault-cleared"))
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
    }

    func immutable(_ path: String, _ on: Bool) -> Bool { run("/usr/bin/chattr", [on ? "+i" : "-i", path]) == 0 }

    @Test(.enabled(if: immutableFlagWorks, "chattr +i is not available (not root, or no immutable flag)"))
    func unwritableOutboxAndErrorDirectoriesThenRecovered() throws {
        let harness = try DaemonHarness()
        let daemon = try harness.start()
        #expect(harness.waitReady(daemon))
        try #require(immutable(harness.path("outbox"), true), "chattr +i on outbox/")
        _ = immutable(harness.path("error"), true)
        defer {
            _ = immutable(harness.path("outbox"), false)
            _ = immutable(harness.path("error"), false)
        }
        harness.drop("good.json", smallBundle(3))
        harness.drop("bad.json", Array("not fhir".utf8))
        #expect(harness.waitFor(timeout: 20) { harness.log(daemon).contains("event=fault ") })
        usleep(1_500_000)
        #expect(
            harness.names("work").count + harness.names("inbox").count == 2, "nothing lost: \(harness.names("work"))")
        _ = immutable(harness.path("outbox"), false)
        _ = immutable(harness.path("error"), false)
        #expect(
            harness.waitFor(timeout: 30) {
                harness.names("archive") == ["good.json"] && harness.names("error").contains("bad.outcome.json")
            },
            "\(harness.log(daemon))")
        #expect(harness.names("work").isEmpty)
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
    }
}

extension CaseFixture {
    /// The fixture's bundle with one more pain score (distinct bytes per n).
    func with(pain n: Int) -> [UInt8] {
        var copy = self
        copy.pain(Double(n % 10), on: "2026-11-1\(n % 10)")
        return copy.bundleJSON
    }
}
