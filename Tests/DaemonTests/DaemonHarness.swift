import Foundation
import PainPathTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the real `painpathd` binary (built beside the test bundle) on a temporary directory tree.
final class DaemonHarness: @unchecked Sendable {  // used from one test at a time
    static let binary: String? = {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("painpathd").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return ProcessInfo.processInfo.environment["PAINPATHD_BINARY"]
    }()
    static let profiles = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("profiles").path

    let root: String
    var processes: [Process] = []
    var logs: [String] = []

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("painpathd-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    deinit {
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: root)
    }

    func path(_ directory: String, _ name: String = "") -> String {
        name.isEmpty ? "\(root)/var/\(directory)" : "\(root)/var/\(directory)/\(name)"
    }

    /// Starts a daemon; returns its index.
    @discardableResult
    func start(
        _ arguments: [String] = [], environment: [String: String] = [:], wrapper: [String] = [], root: String? = nil
    ) throws -> Int {
        let binary = try #require(Self.binary, "painpathd is not built beside the tests")
        let process = Process()
        let daemonArguments =
            [
                "--root", root ?? "\(self.root)/var", "--profiles", Self.profiles, "--settle-ms", "150",
                "--rescan-seconds", "1",
            ]
            + arguments
        // A wrapper that execs the daemon (prlimit … --) keeps the process id the daemon's.
        process.executableURL = URL(fileURLWithPath: wrapper.first ?? binary)
        process.arguments = wrapper.isEmpty ? daemonArguments : Array(wrapper.dropFirst()) + [binary] + daemonArguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "WATCHDOG_USEC")
        // The allocator's tunable as a fresh start has it (AllocatorTuning), whatever ran the tests.
        env.removeValue(forKey: "GLIBC_TUNABLES")
        env.removeValue(forKey: "PAINPATH_ALLOCATOR_RESTARTED")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let log = "\(self.root)/daemon-\(processes.count)-\(UUID().uuidString.prefix(6)).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        processes.append(process)
        logs.append(log)
        return processes.count - 1
    }

    func signal(_ index: Int, _ signal: Int32) { kill(processes[index].processIdentifier, signal) }

    /// SIGSTOP, then waits until every thread of the daemon is stopped: `kill` returns before the process
    /// stops, and a test that lists the daemon's files at once races with its last rename.
    func freeze(_ index: Int, timeout: TimeInterval = 10) {
        let pid = processes[index].processIdentifier
        kill(pid, SIGSTOP)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline && !Self.allThreadsStopped(pid) { usleep(1_000) }
    }

    /// Every thread in state T (stopped), from /proc/PID/task/*/stat ("TID (name) STATE …").
    private static func allThreadsStopped(_ pid: pid_t) -> Bool {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task"),
            !threads.isEmpty
        else { return false }
        return threads.allSatisfy { thread in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return false }
            return stat[close...].dropFirst(2).first == "T"
        }
    }

    /// Waits for exit; nil on timeout.
    func waitExit(_ index: Int, timeout: TimeInterval = 30) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while processes[index].isRunning && Date() < deadline { usleep(20_000) }
        return processes[index].isRunning ? nil : processes[index].terminationStatus
    }

    func log(_ index: Int) -> String { (try? String(contentsOfFile: logs[index], encoding: .utf8)) ?? "" }
    var allLogs: String { logs.indices.map(log).joined() }

    func names(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path(directory))) ?? []).sorted()
    }

    /// Writes a file the safe way (hidden name, then rename into the inbox).
    func drop(_ name: String, _ bytes: [UInt8]) {
        let hidden = path("inbox", ".\(name).tmp")
        _ = FileManager.default.createFile(atPath: hidden, contents: Data(bytes))
        rename(hidden, path("inbox", name))
    }

    /// Polls until `condition` holds; false on timeout.
    func waitFor(timeout: TimeInterval = 60, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(50_000)
        }
        return condition()
    }

    /// Waits for the daemon's log to say it is ready.
    func waitReady(_ index: Int) -> Bool { waitFor(timeout: 30) { log(index).contains("event=ready") } }
}

/// Small bundles, each distinct (its own timestamp and pain score), for load tests.
func smallBundle(_ n: Int) -> [UInt8] {
    var fixture = CaseFixture()
    fixture.timestamp = "2026-11-21T09:\(String(format: "%02d", n / 60 % 60)):\(String(format: "%02d", n % 60))Z"
    fixture.condition(sct, n % 2 == 0 ? "279039007" : "23056005", onset: "2026-0\(n % 9 + 1)-01")
    fixture.pain(Double(n % 10), on: "2026-11-01")
    return fixture.bundleJSON
}

let daemonAvailable = DaemonHarness.binary != nil
