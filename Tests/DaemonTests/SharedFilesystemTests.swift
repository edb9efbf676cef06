import Foundation
import PainPathTestKit
import Testing

@testable import Daemon

#if canImport(Glibc)
    import Glibc
#endif

/// Several painpathd on one inbox: each file once, nothing lost, nothing half-written, never two
/// results — with the shared protocol on a local disk (forced), and on a real GlusterFS volume mounted
/// twice (two "hosts") when `.ci/run` has set one up (PAINPATH_SHARED_MOUNTS=MOUNT_A:MOUNT_B).
struct SharedTree {
    let roots: [String]  // the same tree, seen through each mount

    func path(_ mount: Int, _ directory: String, _ name: String = "") -> String {
        name.isEmpty ? "\(roots[mount])/\(directory)" : "\(roots[mount])/\(directory)/\(name)"
    }
    func names(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(0, directory))) ?? []).filter {
            !$0.hasPrefix(".")
        }.sorted()
    }
    func drop(_ name: String, _ bytes: [UInt8], via mount: Int) {
        let hidden = path(mount, "inbox", ".\(name).tmp")
        _ = FileManager.default.createFile(atPath: hidden, contents: Data(bytes))
        rename(hidden, path(mount, "inbox", name))
    }

    /// What must hold when every input is done.
    func check(_ count: Int) {
        let results = names("outbox").filter { $0.hasSuffix(".careplan.json") }
        #expect(results.count == count, "results: \(results.count) of \(count)")
        #expect(Set(results).count == results.count)
        // No result under a digest-named alternative: none was produced twice differently.
        #expect(
            results.allSatisfy { $0.split(separator: ".").count == 3 },
            "\(results.filter { $0.split(separator: ".").count != 3 })")
        var partial = 0
        for name in results {
            guard let data = FileManager.default.contents(atPath: path(0, "outbox", name)),
                (try? JSONSerialization.jsonObject(with: data)) != nil
            else {
                partial += 1
                continue
            }
        }
        #expect(partial == 0, "partial results: \(partial)")
        #expect(names("inbox").isEmpty, "left in inbox: \(names("inbox").prefix(5))")
        #expect(names("work").isEmpty, "left in work: \(names("work").prefix(5))")
        #expect(names("error").isEmpty, "errors: \(names("error").prefix(5))")
        #expect(names("archive").count == count)
    }
}

func sharedMounts() -> [String]? {
    guard let value = ProcessInfo.processInfo.environment["PAINPATH_SHARED_MOUNTS"] else { return nil }
    let mounts = value.split(separator: ":").map(String.init)
    return mounts.count == 2 && mounts.allSatisfy { FileManager.default.fileExists(atPath: $0) } ? mounts : nil
}

@Suite("several painpathd on one inbox", .serialized, .enabled(if: daemonAvailable, "painpathd is not built"))
struct SharedFilesystemTests {
    @Test func claimNamesCarryTheNodeAndKeepTheInputName() {
        let name = ClaimName.make("bundle@home.json", node: "node-a", counter: 42)
        #expect(name == "bundle@home.json@node-a-42")
        #expect(ClaimName.parse(name).input == "bundle@home.json" && ClaimName.parse(name).node == "node-a")
        #expect(ClaimName.parse("plain.json").node == nil)
        #expect(ClaimName.parse("a@b.json").input == "a@b.json", "not a claim suffix")
    }

    @Test func theProbeFindsTheLocalProtocolOnALocalDisk() throws {
        try withExtendedLifetime(ScratchDirectory("probe")) { scratch in
            let handle = try DirectoryHandle(path: scratch.path)
            #expect(ClaimProtocol.probe(handle, node: "n") == .local)
            #expect(FilesystemKind.of(handle) == .local)
            #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path).isEmpty, "the probe cleans up")
        }
    }

    /// Two daemons with the shared protocol on one tree, killed and restarted while 300 (or 1,000)
    /// bundles arrive through both "hosts".
    func runUnderKills(_ tree: SharedTree, count: Int, harness: DaemonHarness, protocol: String = "shared") throws {
        func start(_ mount: Int) throws -> Int {
            let index = try harness.start(
                [
                    "--node-name", mount == 0 ? "node-a" : "node-b", "--claim-protocol", `protocol`, "--scan-seconds",
                    "0.2",
                    "--claim-timeout-seconds", "3", "--workers", "2",
                ], root: tree.roots[mount])
            return index
        }
        var daemons = [try start(0), try start(1)]
        // (The logs on failure: a node that could not start says why in one line.)
        #expect(harness.waitReady(daemons[0]) && harness.waitReady(daemons[1]), "\(harness.allLogs.suffix(3000))")
        for n in 0..<count {
            tree.drop("b\(n).json", smallBundle(n), via: n % 2)
            if n > 0, n % (count / 4) == 0 {
                // Kill one of them mid-flight, and start it again.
                let victim = (n / (count / 4)) % 2
                harness.signal(daemons[victim], SIGKILL)
                _ = harness.waitExit(daemons[victim])
                daemons[victim] = try start(victim)
            }
        }
        let done = harness.waitFor(timeout: 300) { tree.names("archive").count == count && tree.names("work").isEmpty }
        #expect(done, "\(tree.names("archive").count) archived; work: \(tree.names("work").prefix(3))")
        tree.check(count)
        for daemon in daemons { harness.signal(daemon, SIGTERM) }
        for daemon in daemons { _ = harness.waitExit(daemon) }
    }

    @Test func twoNodesWithTheSharedProtocolOnOneLocalTree() throws {
        let harness = try DaemonHarness()
        let tree = SharedTree(roots: [harness.root + "/var", harness.root + "/var"])
        try runUnderKills(tree, count: 300, harness: harness)
        #expect(harness.allLogs.contains("protocol=\"shared (claim by unique rename, results by link)\""))
    }

    @Test(
        .enabled(
            if: sharedMounts() != nil, "no shared filesystem mounted twice (PAINPATH_SHARED_MOUNTS, set by .ci/run)"))
    func twoHostsOnGlusterFS() throws {
        let mounts = try #require(sharedMounts())
        let run = "painpath-\(UUID().uuidString.prefix(8))"
        let tree = SharedTree(roots: mounts.map { "\($0)/\(run)" })
        try FileManager.default.createDirectory(atPath: tree.roots[0], withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tree.roots[0]) }
        // GlusterFS answers RENAME_NOREPLACE with EINVAL: the probe chooses the shared protocol.
        #expect(ClaimProtocol.probe(try DirectoryHandle(path: tree.roots[0]), node: "probe") == .shared)
        let harness = try DaemonHarness()
        try runUnderKills(tree, count: 1000, harness: harness, protocol: "auto")
        // Auto-detected: FUSE means scanning, and the shared protocol.
        #expect(harness.allLogs.contains("filesystem=fuse"))
        #expect(harness.allLogs.contains("protocol=\"shared (claim by unique rename, results by link)\""))
    }

    /// A frozen node keeps its claims until the claim timeout; then the other takes them over, and
    /// when the frozen one wakes, its late results are found to be the same input's: no duplicate.
    @Test func aFrozenNodesClaimsAreTakenOverOnlyAfterTheTimeout() throws {
        let harness = try DaemonHarness()
        let mounts = sharedMounts()
        let run = "painpath-\(UUID().uuidString.prefix(8))"
        let tree = SharedTree(
            roots: mounts.map { ["\($0[0])/\(run)", "\($0[1])/\(run)"] } ?? [
                harness.root + "/var", harness.root + "/var",
            ])
        try FileManager.default.createDirectory(atPath: tree.roots[0], withIntermediateDirectories: true)
        defer { if mounts != nil { try? FileManager.default.removeItem(atPath: tree.roots[0]) } }
        let claimTimeout = 10.0
        func start(_ mount: Int, workers: Int = 1) throws -> Int {
            try harness.start(
                [
                    "--node-name", mount == 0 ? "node-a" : "node-b", "--claim-protocol", "shared", "--scan-seconds",
                    "0.2",
                    "--claim-timeout-seconds", String(claimTimeout), "--workers", String(workers), "--settle-ms", "100",
                ], root: tree.roots[mount])
        }
        // Both nodes started and frozen first: b's start-up (seconds on a loaded machine) must not eat
        // into the timed window below, where a's claims are younger than the timeout.
        let a = try start(0)
        let b = try start(1)
        #expect(harness.waitReady(a) && harness.waitReady(b))
        harness.freeze(a)
        harness.freeze(b)
        for n in 0..<60 { tree.drop("f\(n).json", smallBundle(n), via: 0) }
        // Node a claims files, then freezes with claims in work/. Every claim is made after this instant.
        let aResumed = Date()
        harness.signal(a, SIGCONT)
        #expect(harness.waitFor(timeout: 20) { tree.names("work").contains { $0.contains("@node-a-") } })
        harness.freeze(a)
        let frozenClaims = tree.names("work").filter { $0.contains("@node-a-") }
        harness.signal(b, SIGCONT)
        // b scans work/ every 0.2 s (--scan-seconds): a second is five looks at a's claims.
        usleep(1_000_000)
        // Before the timeout: b leaves a's claims alone.
        let stillA = tree.names("work").filter { $0.contains("@node-a-") }
        let oldestClaimAge = Date().timeIntervalSince(aResumed)
        #expect(!frozenClaims.isEmpty, "node a froze with no claim left; the scenario needs some")
        #expect(
            oldestClaimAge < claimTimeout,
            "the machine took \(oldestClaimAge) s to get here: a's claims may be past the timeout already")
        #expect(Set(frozenClaims).isSubset(of: Set(stillA)), "a live claim was taken before the timeout")
        #expect(!harness.log(b).contains("event=claim-taken-over"))
        // After it: b takes them over and finishes.
        #expect(harness.waitFor(timeout: 90) { tree.names("archive").count == 60 }, "\(harness.log(b))")
        harness.signal(a, SIGCONT)
        usleep(1_500_000)
        #expect(harness.waitFor(timeout: 30) { tree.names("work").isEmpty })
        tree.check(60)
        #expect(harness.log(b).contains("event=claim-taken-over"))
        for daemon in [a, b] { harness.signal(daemon, SIGTERM) }
        for daemon in [a, b] { _ = harness.waitExit(daemon) }
    }
}
