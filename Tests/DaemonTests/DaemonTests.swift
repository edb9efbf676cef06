import FHIR
import Foundation
import Output
import PainPathTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite(
    "painpathd, the real binary", .serialized, .enabled(if: daemonAvailable, "painpathd is not built beside the tests"))
struct DaemonTests {
    @Test func renameInGivesAResultAndArchivesTheInput() throws {
        let harness = try DaemonHarness()
        let daemon = try harness.start()
        #expect(harness.waitReady(daemon))
        harness.drop("case-1.json", Scenarios.progressiveDeficit.fixture().bundleJSON)
        #expect(harness.waitFor { harness.names("archive") == ["case-1.json"] }, "\(harness.log(daemon))")
        #expect(harness.names("outbox") == ["case-1.careplan.json"])
        let output = try Data(contentsOf: URL(fileURLWithPath: harness.path("outbox", "case-1.careplan.json")))
        #expect(try FHIRReader().read([UInt8](output)).result.resource.type == "Bundle")
        // The input hashed while read: the Provenance names exactly the bytes dropped.
        let dropped = Scenarios.progressiveDeficit.fixture().bundleJSON
        #expect(String(decoding: output, as: UTF8.self).contains(SHA256.hex(dropped)))
        #expect(harness.names("work").isEmpty && harness.names("error").isEmpty)
        #expect(harness.log(daemon).contains("event=processed file=case-1.json result=case-1.careplan.json"))
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
        // The log names files and counts only: nothing read from the bundle.
        let log = harness.log(daemon)
        for secret in ["Patient/", "Condition/", "Observation/", "23056005", "Sciatica", "1970-05-01", "female"] {
            #expect(!log.contains(secret), "the log shows \(secret)")
        }
        #expect(log.split(separator: "\n").allSatisfy { $0.hasPrefix("<") && $0.contains("event=") })
    }

    /// The daemon starts itself again with glibc's thread cache tunable, keeping its process id (systemd and the
    /// harness know it by that id); started with the tunable set (the systemd unit sets it), it is not started again.
    @Test func theDaemonRunsWithTheAllocatorTunable() throws {
        /// The environment block the process started with, its strings one per line. (glibc's loader parses
        /// GLIBC_TUNABLES in that block, leaving a NUL where each colon was: the tunables are read as lines too.)
        func environment(of daemon: Int, _ harness: DaemonHarness) throws -> String {
            let pid = harness.processes[daemon].processIdentifier
            let bytes = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ"))
            return "\n" + String(decoding: bytes.map { $0 == 0 ? UInt8(ascii: "\n") : $0 }, as: UTF8.self)
        }
        let harness = try DaemonHarness()
        let restarted = try harness.start(environment: ["GLIBC_TUNABLES": "glibc.malloc.trim_threshold=131072"])
        #expect(harness.waitReady(restarted))
        let restartedEnvironment = try environment(of: restarted, harness)
        #expect(restartedEnvironment.contains("\nGLIBC_TUNABLES=glibc.malloc.trim_threshold=131072\n"))
        #expect(restartedEnvironment.contains("\n" + AllocatorTuning.threadCacheTunable + "\n"))
        #expect(restartedEnvironment.contains("\nPAINPATH_ALLOCATOR_RESTARTED=1\n"))
        harness.signal(restarted, SIGTERM)
        #expect(harness.waitExit(restarted) == 0)

        let asTheUnitStartsIt = try harness.start(environment: ["GLIBC_TUNABLES": AllocatorTuning.threadCacheTunable])
        #expect(harness.waitReady(asTheUnitStartsIt))
        let unitEnvironment = try environment(of: asTheUnitStartsIt, harness)
        #expect(unitEnvironment.contains("\nGLIBC_TUNABLES=" + AllocatorTuning.threadCacheTunable + "\n"))
        #expect(!unitEnvironment.contains("\nPAINPATH_ALLOCATOR_RESTARTED="))
        harness.signal(asTheUnitStartsIt, SIGTERM)
        #expect(harness.waitExit(asTheUnitStartsIt) == 0)
    }

    @Test func prometheusTextfileCountsWhatHappened() throws {
        let harness = try DaemonHarness()
        let metrics = harness.root + "/painpathd.prom"
        let daemon = try harness.start(["--metrics-file", metrics, "--node-name", "test-node"])
        #expect(harness.waitReady(daemon))
        harness.drop("ok.json", smallBundle(1))
        harness.drop("bad.json", Array("nope".utf8))
        #expect(harness.waitFor { harness.names("archive").count == 1 && harness.names("error").count == 2 })
        #expect(
            harness.waitFor(timeout: 10) {
                let text = (try? String(contentsOfFile: metrics, encoding: .utf8)) ?? ""
                // Every metric carries the node (several instances may share one inbox).
                return text.contains("painpathd_bundles_processed_total{node=\"test-node\"} 1\n")
                    && text.contains("painpathd_bundles_failed_total{node=\"test-node\"} 1\n")
            })
        let text = try String(contentsOfFile: metrics, encoding: .utf8)
        #expect(text.contains("# TYPE painpathd_bundles_processed_total counter"))
        // The result's Provenance names the node that made it, and the log line says which node it was.
        let result = try String(contentsOfFile: harness.path("outbox", "ok.careplan.json"), encoding: .utf8)
        #expect(result.contains("painpathd node test-node"))
        #expect(harness.log(daemon).contains("node=test-node"))
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
    }

    /// Memory follows bytes: with room for one file's bytes, files are processed one at a time however
    /// many workers there are, a file larger than the budget still goes (alone), and nothing is lost.
    @Test func bytesInFlightStayWithinTheBudget() throws {
        let harness = try DaemonHarness()
        let metrics = harness.root + "/painpathd.prom"
        let bundles = (0..<12).map { smallBundle($0) }
        let budget = bundles.map(\.count).max()! + 10
        let daemon = try harness.start([
            "--metrics-file", metrics, "--node-name", "n1", "--workers", "4", "--max-bytes-in-flight", String(budget),
        ])
        #expect(harness.waitReady(daemon))
        for (index, bundle) in bundles.enumerated() { harness.drop("b\(index).json", bundle) }
        harness.drop(
            "large.json", Scenarios.progressiveDeficit.fixture().bundleJSON + Array(repeating: 0x20, count: budget))
        #expect(harness.waitFor(timeout: 60) { harness.names("archive").count == 13 }, "\(harness.log(daemon))")
        #expect(harness.names("error").isEmpty)
        var peak: Int?
        #expect(
            harness.waitFor(timeout: 10) {
                let text = (try? String(contentsOfFile: metrics, encoding: .utf8)) ?? ""
                peak = text.split(separator: "\n").first { $0.hasPrefix("painpathd_input_bytes_in_flight_peak{") }
                    .flatMap { Int($0.split(separator: " ")[1]) }
                return text.contains("painpathd_bundles_processed_total{node=\"n1\"} 13\n")
            })
        #expect(peak.map { $0 > 0 && $0 <= budget } == true, "peak \(String(describing: peak)), budget \(budget)")
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
    }

    @Test func inboxRemovedAndRecreatedWhileRunning() throws {
        let harness = try DaemonHarness()
        let daemon = try harness.start()
        #expect(harness.waitReady(daemon))
        try FileManager.default.removeItem(atPath: harness.path("inbox"))
        #expect(harness.waitFor(timeout: 10) { harness.log(daemon).contains("event=inbox-") })
        try FileManager.default.createDirectory(atPath: harness.path("inbox"), withIntermediateDirectories: true)
        harness.drop("after.json", smallBundle(5))
        #expect(
            harness.waitFor(timeout: 20) { harness.names("outbox").contains("after.careplan.json") },
            "\(harness.log(daemon))")
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
    }

    @Test func aSlowInPlaceWriterIsNotReadHalfWritten() throws {
        let harness = try DaemonHarness()
        let daemon = try harness.start()
        #expect(harness.waitReady(daemon))
        let bytes = Scenarios.chronicRefractory.fixture().bundleJSON
        let fd = open(harness.path("inbox", "slow.json"), O_WRONLY | O_CREAT | O_EXCL, 0o644)
        #expect(fd >= 0)
        let half = bytes.count / 2
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, half) }
        usleep(1_500_000)  // ten times the settle time, the file still open
        #expect(harness.names("error").isEmpty, "taken while its writer was writing: \(harness.log(daemon))")
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + half, bytes.count - half) }
        close(fd)
        #expect(harness.waitFor { harness.names("outbox") == ["slow.careplan.json"] }, "\(harness.log(daemon))")
        #expect(harness.names("error").isEmpty)
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
    }

    @Test func hostileEntriesEndInErrorOrAreIgnoredAndTheDaemonGoesOn() throws {
        let harness = try DaemonHarness()
        let daemon = try harness.start(["--workers", "2"])
        #expect(harness.waitReady(daemon))
        let inbox = harness.path("inbox")
        symlink("/etc/passwd", inbox + "/link.json")
        mkfifo(inbox + "/pipe.json", 0o644)
        mkdir(inbox + "/folder.json", 0o755)
        _ = FileManager.default.createFile(
            atPath: harness.root + "/outside.json", contents: Data(Scenarios.chronicRefractory.fixture().bundleJSON))
        link(harness.root + "/outside.json", inbox + "/hardlink.json")
        _ = FileManager.default.createFile(atPath: inbox + "/empty.json", contents: Data())
        _ = FileManager.default.createFile(atPath: inbox + "/garbage.json", contents: Data([0xff, 0xfe, 0x00, 0x41]))
        _ = FileManager.default.createFile(
            atPath: inbox + "/huge.json", contents: Data(repeating: 0x20, count: 40 << 20))
        let expected = ["link", "pipe", "hardlink", "empty", "garbage", "huge"]
        #expect(
            harness.waitFor { expected.allSatisfy { harness.names("error").contains("\($0).outcome.json") } },
            "\(harness.log(daemon))")
        for name in expected {
            let outcome = try Data(contentsOf: URL(fileURLWithPath: harness.path("error", "\(name).outcome.json")))
            #expect(try FHIRReader().read([UInt8](outcome)).result.resource.type == "OperationOutcome")
        }
        #expect(harness.names("inbox") == ["folder.json"])  // a directory is left alone
        #expect(FileManager.default.fileExists(atPath: harness.root + "/outside.json"))  // the other link is untouched
        // The daemon keeps going.
        harness.drop("good.json", Scenarios.opioidBenzodiazepine.fixture().bundleJSON)
        #expect(harness.waitFor { harness.names("outbox").contains("good.careplan.json") })
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
    }

    @Test func tenThousandFilesPresentAtStart() throws {
        let harness = try DaemonHarness()
        try FileManager.default.createDirectory(atPath: harness.path("inbox"), withIntermediateDirectories: true)
        // 10,000 by default; scripts/asan-tests lowers it (AddressSanitizer is several times slower).
        let count = ProcessInfo.processInfo.environment["PAINPATH_BULK_FILES"].flatMap { Int($0) } ?? 10_000
        let template = smallBundle(1)
        for n in 0..<count {
            _ = FileManager.default.createFile(
                atPath: harness.path("inbox", "bulk-\(n).json"), contents: Data(n % 2 == 0 ? template : smallBundle(n)))
        }
        // Old enough to be settled.
        usleep(200_000)
        let metrics = harness.root + "/painpathd.prom"
        let daemon = try harness.start(["--no-fsync", "--after-success", "delete", "--metrics-file", metrics])
        #expect(
            harness.waitFor(timeout: 600) { harness.names("inbox").isEmpty && harness.names("work").isEmpty },
            "\(harness.log(daemon).suffix(2000))")
        #expect(harness.waitFor { harness.names("outbox").count == count })
        #expect(harness.names("error").isEmpty)
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
        // Peak memory stayed bounded: the queue holds at most its capacity of names.
        let status = harness.log(daemon)
        #expect(status.contains("event=stopped processed=\(count)"))
        // The inbox was read in batches (a refill per half queue of 256), not once per file taken:
        // each read starts at the directory's beginning, so one per file made the burst quadratic.
        let text = (try? String(contentsOfFile: metrics, encoding: .utf8)) ?? ""
        let scans = text.split(separator: "\n").first { $0.hasPrefix("painpathd_inbox_scans_total") }
            .flatMap { Int($0.split(separator: " ")[1]) }
        #expect(
            scans.map { $0 > 0 && $0 <= count / 32 } == true, "\(String(describing: scans)) scans for \(count) files")
    }

    @Test func sigkillUnderLoadThenRestartLosesNothingAndDuplicatesNothing() throws {
        let harness = try DaemonHarness()
        let count = 300
        var daemon = try harness.start()
        #expect(harness.waitReady(daemon))
        var dropped = 0
        for round in 0..<4 {
            for _ in 0..<(count / 4) {
                harness.drop("k-\(dropped).json", smallBundle(dropped))
                dropped += 1
            }
            usleep(UInt32(100_000 + round * 137_000))
            harness.signal(daemon, SIGKILL)
            _ = harness.waitExit(daemon)
            daemon = try harness.start()
            #expect(harness.waitReady(daemon))
        }
        #expect(
            harness.waitFor(timeout: 120) { harness.names("archive").count == count },
            "\(harness.names("inbox").count) in inbox, \(harness.names("work").count) in work")
        // Exactly one result per input, none partial. (Hidden temporary files are not results.)
        let outputs = harness.names("outbox").filter { !$0.hasPrefix(".") }
        #expect(outputs.count == count)
        #expect(Set(outputs) == Set((0..<count).map { "k-\($0).careplan.json" }))
        for name in outputs {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: harness.path("outbox", name)))
            #expect(throws: Never.self) { try FHIRReader().read([UInt8](bytes)) }
        }
        #expect(harness.names("error").isEmpty && harness.names("work").isEmpty)
        // Temporary files of the killed runs were cleaned up by the restarts.
        #expect(
            harness.names("outbox").allSatisfy { !$0.hasPrefix(".") },
            "\(harness.names("outbox").filter { $0.hasPrefix(".") })")
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
    }

    @Test func sigtermWithWorkInFlightExitsZeroAndLosesNothing() throws {
        let harness = try DaemonHarness()
        let daemon = try harness.start(["--workers", "1"])
        #expect(harness.waitReady(daemon))
        for n in 0..<100 { harness.drop("t-\(n).json", smallBundle(n)) }
        usleep(400_000)
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
        #expect(harness.log(daemon).contains("event=stopping signal=SIGTERM"))
        // Every input is somewhere: done, claimed (redone at the next start) or still waiting.
        let done = harness.names("archive").count
        let claimed = harness.names("work").count
        let waiting = harness.names("inbox").count
        #expect(done + claimed + waiting == 100)
        #expect(harness.names("outbox").count == done)
        let again = try harness.start()
        #expect(harness.waitFor { harness.names("archive").count == 100 })
        #expect(harness.names("outbox").count == 100)
        harness.signal(again, SIGTERM)
        #expect(harness.waitExit(again) == 0)
    }

    @Test func twoDaemonsOnOneInboxProcessEachFileOnce() throws {
        let harness = try DaemonHarness()
        let first = try harness.start(["--workers", "2"])
        let second = try harness.start(["--workers", "2"])
        #expect(harness.waitReady(first) && harness.waitReady(second))
        let count = 400
        for n in 0..<count { harness.drop("d-\(n).json", smallBundle(n)) }
        #expect(harness.waitFor(timeout: 120) { harness.names("archive").count == count })
        harness.signal(first, SIGTERM)
        harness.signal(second, SIGTERM)
        #expect(harness.waitExit(first) == 0 && harness.waitExit(second) == 0)
        let processed = harness.allLogs.split(separator: "\n").filter { $0.contains("event=processed") }
        #expect(processed.count == count, "each file processed exactly once across both daemons")
        #expect(harness.log(first).contains("event=processed") && harness.log(second).contains("event=processed"))
        #expect(harness.names("outbox").count == count)
    }

    @Test func systemdNotificationsReadyWatchdogStopping() throws {
        let harness = try DaemonHarness()
        let socketPath = harness.root + "/notify.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in socketPath.utf8.enumerated() { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        #expect(bound == 0)
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let daemon = try harness.start([], environment: ["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "400000"])
        var received = ""
        func receive(until text: String, seconds: Double) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline && !received.contains(text) {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n > 0 { received += String(decoding: buffer[0..<n], as: UTF8.self) + "\n" }
            }
            return received.contains(text)
        }
        #expect(receive(until: "READY=1", seconds: 20))
        #expect(receive(until: "WATCHDOG=1", seconds: 5))
        #expect(received.contains("STATUS=processed 0"))
        harness.signal(daemon, SIGHUP)
        #expect(receive(until: "RELOADING=1", seconds: 5))
        harness.signal(daemon, SIGTERM)
        #expect(receive(until: "STOPPING=1", seconds: 10))
        #expect(harness.waitExit(daemon) == 0)
    }

    @Test func sighupReloadsConfigurationWithoutLosingWork() throws {
        let harness = try DaemonHarness()
        let config = harness.root + "/painpathd.toml"
        _ = FileManager.default.createFile(atPath: config, contents: Data("[output]\nformat = \"json\"\n".utf8))
        let daemon = try harness.start(["--config", config])
        #expect(harness.waitReady(daemon))
        harness.drop("before.json", smallBundle(1))
        #expect(harness.waitFor { harness.names("outbox").contains("before.careplan.json") })
        _ = FileManager.default.createFile(atPath: config, contents: Data("[output]\nformat = \"xml\"\n".utf8))
        harness.signal(daemon, SIGHUP)
        #expect(harness.waitFor { harness.log(daemon).contains("event=reloaded") })
        harness.drop("after.json", smallBundle(2))
        #expect(harness.waitFor { harness.names("outbox").contains("after.careplan.xml") }, "\(harness.log(daemon))")
        // A broken file on reload keeps the running configuration.
        _ = FileManager.default.createFile(atPath: config, contents: Data("[output]\nformat = \"pdf\"\n".utf8))
        harness.signal(daemon, SIGHUP)
        #expect(harness.waitFor { harness.log(daemon).contains("event=reload-failed") })
        harness.drop("still.json", smallBundle(3))
        #expect(harness.waitFor { harness.names("outbox").contains("still.careplan.xml") })
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
    }

    /// A site's local profiles: loaded at start (a broken one stops it with 78), reloaded on SIGHUP
    /// (a broken one keeps the running terminology); the processed line counts unmatched codes.
    @Test func localProfilesLoadAtStartAndOnReload() throws {
        let harness = try DaemonHarness()
        let local = harness.root + "/profiles.d"
        try FileManager.default.createDirectory(atPath: local, withIntermediateDirectories: true)
        let valueSet = """
            {"resourceType":"ValueSet","id":"local","status":"active",
             "url":"https://painpath.example.org/fhir/ValueSet/radicular-pain",
             "compose":{"include":[{"system":"http://hospital.example.org/dx","concept":[{"code":"RAD-01"}]}]}}
            """
        var fixture = CaseFixture()
        fixture.condition("http://hospital.example.org/dx", "RAD-01", onset: "2026-05-01")
        let bundle = fixture.bundleJSON

        _ = FileManager.default.createFile(atPath: local + "/ValueSet-local.json", contents: Data("{".utf8))
        let broken = try harness.start(["--profiles-local", local])
        #expect(harness.waitExit(broken) == 78)
        #expect(harness.log(broken).contains("ValueSet-local.json"), "\(harness.log(broken))")

        _ = FileManager.default.createFile(atPath: local + "/ValueSet-local.json", contents: Data(valueSet.utf8))
        let daemon = try harness.start(["--profiles-local", local])
        #expect(harness.waitReady(daemon))
        harness.drop("mapped.json", bundle)
        #expect(harness.waitFor { harness.log(daemon).contains("file=mapped.json") })
        #expect(harness.log(daemon).contains("unmatched=0"), "\(harness.log(daemon))")
        // Broken on reload: the running terminology stays, and the local code still counts.
        _ = FileManager.default.createFile(atPath: local + "/ValueSet-local.json", contents: Data("{".utf8))
        harness.signal(daemon, SIGHUP)
        #expect(harness.waitFor { harness.log(daemon).contains("event=reload-failed") })
        harness.drop("again.json", fixture.with { $0.pain(5, on: "2026-11-01") }.bundleJSON)
        #expect(harness.waitFor { harness.log(daemon).contains("file=again.json") })
        let again = harness.log(daemon).split(separator: "\n").first { $0.contains("file=again.json") } ?? ""
        #expect(again.contains("unmatched=0"), "\(again)")
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
    }

    @Test func startupErrorsAreOneLineAndNonZero() throws {
        let harness = try DaemonHarness()
        let config = harness.root + "/bad.toml"
        _ = FileManager.default.createFile(atPath: config, contents: Data("[watch]\nsettle = 3\n".utf8))
        let bad = try harness.start(["--config", config])
        #expect(harness.waitExit(bad) == 78)
        #expect(harness.log(bad).contains("unknown setting watch.settle"))
        // Directories on two filesystems (when /dev/shm is another one than the temporary folder).
        var shm = stat()
        var tmp = stat()
        if stat("/dev/shm", &shm) == 0, stat(harness.root, &tmp) == 0, shm.st_dev != tmp.st_dev {
            let outbox = "/dev/shm/painpath-test-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: outbox) }
            let split = try harness.start(["--outbox", outbox])
            #expect(harness.waitExit(split) == 73)
            #expect(harness.log(split).contains("another filesystem"))
        }
    }

    @Test func aDifferentEarlierResultIsNeverOverwritten() throws {
        let harness = try DaemonHarness()
        let daemon = try harness.start()
        #expect(harness.waitReady(daemon))
        harness.drop("same.json", smallBundle(1))
        #expect(harness.waitFor { harness.names("archive") == ["same.json"] })
        let first = try Data(contentsOf: URL(fileURLWithPath: harness.path("outbox", "same.careplan.json")))
        harness.drop("same.json", smallBundle(2))  // same name, other content
        #expect(
            harness.waitFor { harness.names("outbox").count == 2 && harness.names("archive").count == 2 },
            "\(harness.names("outbox"))")
        #expect(try Data(contentsOf: URL(fileURLWithPath: harness.path("outbox", "same.careplan.json"))) == first)
        harness.signal(daemon, SIGTERM)
        #expect(harness.waitExit(daemon) == 0)
    }
}
