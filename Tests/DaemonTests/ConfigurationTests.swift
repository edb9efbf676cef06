import Daemon
import FHIR
import Foundation
import Output
import Testing

@Suite("configuration and its TOML")
struct ConfigurationTests {
    @Test func readsTheExampleFileShippedInSystemd() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("systemd/painpathd.toml").path
        var configuration = DaemonConfiguration()
        try configuration.apply(toml: try String(contentsOfFile: path, encoding: .utf8))
        #expect(configuration.inbox == "/var/lib/painpath/inbox" && configuration.error == "/var/lib/painpath/error")
        #expect(
            configuration.settleMilliseconds == 500 && configuration.rescanSeconds == 30
                && configuration.queueCapacity == 256 && configuration.maxBytesInFlight == 32 << 20)
        #expect(
            configuration.outputFormat == nil && configuration.bundleType == .collection
                && configuration.afterSuccess == .archive)
        #expect(configuration.profiles == "/usr/share/painpath/profiles" && configuration.metricsFile == nil)
    }

    @Test func valuesAndOverrides() throws {
        var configuration = DaemonConfiguration()
        try configuration.apply(
            toml: """
                # comment
                [directories]
                root = '/srv/pp'   # literal string
                outbox = "/srv/out#1"
                [processing]
                workers = 3
                max_bytes_in_flight = 1048576
                after_success = "delete"
                shutdown_grace_seconds = 2.5
                [watch]
                poll_only = true
                [output]
                format = "xml"
                bundle_type = "transaction"
                """)
        #expect(configuration.inbox == "/srv/pp/inbox" && configuration.outbox == "/srv/out#1")
        #expect(
            configuration.workers == 3 && configuration.effectiveWorkers == 3 && configuration.afterSuccess == .delete)
        #expect(configuration.shutdownGraceSeconds == 2.5 && configuration.pollOnly)
        #expect(configuration.maxBytesInFlight == 1 << 20)
        #expect(configuration.outputFormat == .xml && configuration.bundleType == .transaction)
    }

    @Test func mistakesAreErrorsWithTheirLine() {
        func error(_ text: String) -> String? {
            var configuration = DaemonConfiguration()
            do { try configuration.apply(toml: text) } catch { return error.description }
            return nil
        }
        #expect(error("[watch]\nsettle = 3") == "configuration: unknown setting watch.settle")
        #expect(error("[processing]\nworkers = \"two\"")?.contains("workers must be a non-negative integer") == true)
        #expect(error("[output]\nformat = \"pdf\"")?.contains("same, json or xml") == true)
        #expect(error("[watch]\npoll_only = yes")?.contains("line 2") == true)
        #expect(error("[directories]\nroot = \"/a\"\nroot = \"/b\"")?.contains("line 3") == true)
        #expect(error("[directories\nroot = 1")?.contains("line 1") == true)
        #expect(error("[output]\nformat = \"json")?.contains("unterminated") == true)
    }

    @Test func clusterAndScanSettings() throws {
        var configuration = DaemonConfiguration()
        #expect(configuration.nodeName == defaultNodeName() && configuration.claimProtocol == .auto)
        try configuration.apply(
            toml: """
                [watch]
                scan_seconds = 0.01
                [cluster]
                node_name = "painpath-2"
                claim_protocol = "shared"
                claim_timeout_seconds = 45
                """)
        // A scan interval below 50 ms would spin on a network filesystem: it is raised to 50 ms.
        #expect(configuration.scanSeconds == 0.05)
        #expect(configuration.nodeName == "painpath-2" && configuration.claimProtocol == .shared)
        #expect(configuration.claimTimeoutSeconds == 45)
        #expect(configuration.outputOptions.node == "painpath-2")

        func error(_ text: String) -> String? {
            var configuration = DaemonConfiguration()
            do { try configuration.apply(toml: text) } catch { return error.description }
            return nil
        }
        // The node name is part of claim file names (`NAME@NODE-N`): no dots, @ or slashes.
        #expect(error("[cluster]\nnode_name = \"node.example.org\"")?.contains("letters, digits and dashes") == true)
        #expect(error("[cluster]\nnode_name = \"a@b\"")?.contains("letters, digits and dashes") == true)
        #expect(error("[cluster]\nnode_name = \"\"")?.contains("letters, digits and dashes") == true)
        #expect(error("[cluster]\nclaim_protocol = \"nfs\"")?.contains("auto, local or shared") == true)
    }

    @Test func tomlArraysAndNumbers() throws {
        let values = try TOML.parse("a = [1, 2.5, \"x\", true]\nb = 1_000\nc = -3")
        #expect(values["a"] == .array([.integer(1), .float(2.5), .string("x"), .boolean(true)]))
        #expect(values["b"] == .integer(1000) && values["c"] == .integer(-3))
    }
}

@Suite("structured logs")
struct EventLogTests {
    final class Lines: @unchecked Sendable {
        var lines: [String] = []
        let lock = NSLock()
        func add(_ line: String) { lock.withLock { lines.append(line) } }
    }

    @Test func oneEventPerLineWithPriorityAndQuotedValues() {
        let sink = Lines()
        let log = EventLog { sink.add($0) }
        log.log(.warning, "rejected", ["file": "a b.json", "reason": "say \"no\"\nnow"])
        #expect(sink.lines == ["<4>event=rejected file=\"a b.json\" reason=\"say \\\"no\\\"?now\"\n"])
    }
}

@Suite("result file names")
struct ResultNameTests {
    @Test func namesFollowTheInputStem() {
        #expect(ResultNames.result(forInput: "abc.json", format: .json) == "abc.careplan.json")
        #expect(ResultNames.result(forInput: "a.b.xml", format: .xml) == "a.b.careplan.xml")
        #expect(
            ResultNames.result(forInput: "noext", format: .json, digest: "0123456789abcdef")
                == "noext.0123456789ab.careplan.json")
        #expect(ResultNames.outcome(forInput: ".hidden") == ".hidden.outcome.json")
    }

    /// One per core on a local disk (workers wait on no fsync there), four per core under the shared
    /// protocol (each waits on network round trips); a setting wins over either.
    @Test func defaultWorkersFollowTheClaimProtocol() {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var configuration = DaemonConfiguration()
        #expect(configuration.effectiveWorkers == max(2, cores))
        configuration.claimProtocol = .local
        #expect(configuration.effectiveWorkers == max(2, cores))
        configuration.claimProtocol = .shared
        #expect(configuration.effectiveWorkers == max(4, 4 * cores))
        configuration.workers = 3
        #expect(configuration.effectiveWorkers == 3)
    }
}
