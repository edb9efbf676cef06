import ArgumentParser
import Daemon
import FHIR
import Foundation

/// painpathd: the inbox daemon. With no arguments it runs on the embedded default (directories
/// under ./var, created on start); `--config` reads a TOML file; flags override the file.
struct PainPathDaemonCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "painpathd",
        abstract: "Turn FHIR bundles dropped into an inbox into recommendation bundles in an outbox.",
        discussion: """
            Producers write inbox/.NAME.tmp and rename it to inbox/NAME (writing in place is also \
            safe: a file is taken once closed and unchanged for the settle time). Each file is claimed \
            into work/, evaluated, and its result written atomically to outbox/STEM.careplan.json (or \
            .xml); the input then moves to archive/. A bad input moves to error/ with \
            STEM.outcome.json saying what is wrong. SIGHUP reloads the configuration and profiles; \
            SIGTERM finishes the files in flight and exits 0.

            Examples:
              painpathd                                   # ./var/{inbox,work,outbox,archive,error}
              painpathd --root /srv/painpath --workers 4
              painpathd --config /etc/painpath/painpathd.toml
            """
    )

    @Option(help: "A TOML configuration file (production: /etc/painpath/painpathd.toml).")
    var config: String?

    @Option(help: "Put all five directories under this directory.")
    var root: String?

    @Option var inbox: String?
    @Option var work: String?
    @Option var outbox: String?
    @Option var archive: String?
    @Option(name: .customLong("error")) var errorDirectory: String?

    @Option(help: "Parallel workers (default: one per core, at least two; four per core on a shared filesystem).")
    var workers: Int?

    @Option(help: "Most input bytes processed at once; a larger file goes alone (default: 32 MiB).")
    var maxBytesInFlight: Int?

    @Option(help: "What happens to an input after its result is written: archive or delete.")
    var afterSuccess: String?

    @Option(help: "Milliseconds a file must stay unchanged (and closed) before it is taken.")
    var settleMs: Int?

    @Option(help: "Seconds between full rescans of the inbox and work/.")
    var rescanSeconds: Double?

    @Flag(help: "Scan only, without inotify (network filesystems).")
    var pollOnly = false

    @Option(help: "Output encoding: same, json or xml.")
    var format: String?

    @Option(help: "The profiles directory.")
    var profiles: String?

    @Option(help: "A site's local profiles directory (ValueSets extending shipped ones, ConceptMaps of local codes).")
    var profilesLocal: String?

    @Option(help: "Write Prometheus counters to this textfile (node_exporter textfile collector).")
    var metricsFile: String?

    @Flag(help: "Do not fsync results (benchmarks on throwaway data only).")
    var noFsync = false

    @Option(help: "This instance's node name (default: the host name); in claims, logs, metrics, Provenance.")
    var nodeName: String?

    @Option(help: "Claim protocol: auto (probe the filesystem), local or shared.")
    var claimProtocol: String?

    @Option(help: "Take over another node's claim untouched this many seconds (default 120).")
    var claimTimeoutSeconds: Double?

    @Option(help: "Seconds between scans when scanning is the only mechanism (default 1).")
    var scanSeconds: Double?

    /// The configuration: defaults, then the file, then these flags.
    func resolve() throws -> DaemonConfiguration {
        var settings = DaemonConfiguration()
        if let config {
            guard let text = try? String(contentsOfFile: config, encoding: .utf8) else {
                throw ConfigurationError("cannot read the configuration file \(config)")
            }
            try settings.apply(toml: text)
        }
        if let root { settings.setRoot(root) }
        if let inbox { settings.inbox = inbox }
        if let work { settings.work = work }
        if let outbox { settings.outbox = outbox }
        if let archive { settings.archive = archive }
        if let errorDirectory { settings.error = errorDirectory }
        if let workers { settings.workers = workers }
        if let maxBytesInFlight { settings.maxBytesInFlight = max(1, maxBytesInFlight) }
        if let afterSuccess {
            guard let value = DaemonConfiguration.AfterSuccess(rawValue: afterSuccess) else {
                throw ConfigurationError("--after-success must be archive or delete")
            }
            settings.afterSuccess = value
        }
        if let settleMs { settings.settleMilliseconds = settleMs }
        if let rescanSeconds { settings.rescanSeconds = max(0.1, rescanSeconds) }
        if pollOnly { settings.pollOnly = true }
        if let format {
            if format == "same" {
                settings.outputFormat = nil
            } else if let value = FHIRFormat(rawValue: format) {
                settings.outputFormat = value
            } else {
                throw ConfigurationError("--format must be same, json or xml")
            }
        }
        if let profiles { settings.profiles = profiles }
        if let profilesLocal { settings.profilesLocal = profilesLocal }
        if let metricsFile { settings.metricsFile = metricsFile }
        if noFsync { settings.fsync = false }
        if let nodeName {
            guard !nodeName.isEmpty, sanitizedNodeName(nodeName) == nodeName else {
                throw ConfigurationError("--node-name may hold only letters, digits and dashes")
            }
            settings.nodeName = nodeName
        }
        if let claimProtocol {
            guard let value = ClaimProtocol(rawValue: claimProtocol) else {
                throw ConfigurationError("--claim-protocol must be auto, local or shared")
            }
            settings.claimProtocol = value
        }
        if let claimTimeoutSeconds { settings.claimTimeoutSeconds = max(1, claimTimeoutSeconds) }
        if let scanSeconds { settings.scanSeconds = max(0.05, scanSeconds) }
        return settings
    }

    func run() throws {
        let settings: DaemonConfiguration
        do { settings = try resolve() } catch {
            FileHandle.standardError.write(Data("painpathd: \(error)\n".utf8))
            throw ExitCode(Daemon.exitConfiguration)
        }
        let command = self
        let daemon = Daemon(
            options: Daemon.Options(configuration: settings, reloadConfiguration: { try command.resolve() }))
        let code = daemon.run()
        if code != 0 { throw ExitCode(code) }
    }
}

AllocatorTuning.startWithThreadCacheTunable()  // first: may start the program again, with glibc's tunable set
AllocatorTuning.disableFastBins()  // before any work: reading XML frees libxml2's trees (see AllocatorTuning)
PainPathDaemonCommand.main()
