import Case
import FHIR
import Foundation
import Output

/// Everything painpathd can be told, with the embedded defaults (`./var/…`, so that
/// `swift run painpathd` works on a fresh clone). Precedence: defaults, then the TOML file, then flags.
public struct DaemonConfiguration: Sendable, Equatable {
    public enum AfterSuccess: String, Sendable, CaseIterable { case archive, delete }

    public var inbox = "var/inbox"
    public var work = "var/work"
    public var outbox = "var/outbox"
    public var archive = "var/archive"
    public var error = "var/error"
    /// Where the inputs go after a result is written.
    public var afterSuccess = AfterSuccess.archive
    /// Parallel workers; 0 = one per core (at least two) on a local disk, four per core under the shared
    /// protocol. On a local disk a worker waits on no fsync (the finishing thread makes batches durable),
    /// so more workers than cores only interleave pipelines that evict each other's data from the caches:
    /// fc87053, journaled ext4, 2 cores, alternated twice — 1 MB bundles with 2 / 3 / 4 / 8 workers
    /// 160–166 / 149–158 / 144–152 / 138–149 bundles/s (11.4–11.7 ms of CPU each with 2, 12.3–14.8 with 8),
    /// peak RSS 70 / 79–82 / 87–88 / 121–123 MB; typical bursts 1,190–1,219 with 2 and 1,187–1,193 with 8.
    /// Under the shared protocol each worker still waits on its result's fsync and rename, network round
    /// trips, where more workers help. Earlier, when workers waited on three fsyncs per file: 461
    /// bundles/s with 2 workers and 573 with 4 (e29a927, root ext4); 666/658 with 4 and 744/754 with 8 on
    /// a journaled ext4 (3675602).
    public var workers = 0
    /// A file is taken only after it stayed unchanged (and closed) this long.
    public var settleMilliseconds = 500
    /// Full rescans of the inbox, as a safety net for inotify (and the only mechanism with `poll_only`).
    public var rescanSeconds = 30.0
    /// Scan only, no inotify (network filesystems, where inotify sees no remote writes). Also chosen
    /// by itself when the inbox is on a network or FUSE filesystem.
    public var pollOnly = false
    /// Between scans when scanning is the only mechanism (a shared inbox): short, as files written on
    /// another host are seen only by scanning.
    public var scanSeconds = 1.0
    /// This instance's name in claim and temporary names, logs, metrics and each result's
    /// Provenance (default: the host name).
    public var nodeName = defaultNodeName()
    /// How claims and results are made atomic: auto (probe work/ at start), local or shared.
    public var claimProtocol = ClaimProtocol.auto
    /// A claim of another node untouched this long is taken over (its node crashed or hangs); an
    /// instance's own claims are taken over at its restart.
    public var claimTimeoutSeconds = 120.0
    public var maxInputBytes = FHIRReadLimits.default.maxInputBytes
    /// Output encoding: nil = the input's.
    public var outputFormat: FHIRFormat?
    public var bundleType = OutputOptions.BundleType.collection
    public var defaultSetting = ClinicalCase.CareSetting.primary
    /// The profiles directory; nil = located as `painpath` does (PAINPATH_PROFILES, ./profiles, …).
    public var profiles: String?
    /// A site's local profiles (`profiles.local`): ValueSets that extend shipped sets of the same URL
    /// and ConceptMaps from local codes onto shipped ones. Nil: none (or PAINPATH_PROFILES_LOCAL).
    public var profilesLocal: String?
    /// Prometheus textfile for node_exporter's textfile collector; nil = none.
    public var metricsFile: String?
    /// On SIGTERM, how long files in flight may take before the daemon exits anyway (they stay in
    /// work/ and are redone at the next start).
    public var shutdownGraceSeconds = 20.0
    /// Most input bytes processed at once (a worker holds about four times its input while it works);
    /// a file larger than this goes alone. Bounds memory on large bundles as `workers` does on many.
    public var maxBytesInFlight = 32 << 20
    /// Most files waiting in memory for a worker; the rest wait in the inbox (bounded memory).
    public var queueCapacity = 256
    /// fsync outputs and directories (off only for benchmarks on throwaway data).
    public var fsync = true

    public init() {}

    /// All five directories under one root.
    public mutating func setRoot(_ root: String) {
        inbox = root + "/inbox"
        work = root + "/work"
        outbox = root + "/outbox"
        archive = root + "/archive"
        error = root + "/error"
    }

    public var effectiveWorkers: Int {
        if workers > 0 { return workers }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        return claimProtocol == .shared ? max(4, 4 * cores) : max(2, cores)
    }

    public var outputOptions: OutputOptions {
        OutputOptions(format: outputFormat, bundleType: bundleType, node: nodeName)
    }

    /// Applies a TOML file's settings. Unknown keys are errors: a typo must not silently fall back.
    public mutating func apply(toml text: String) throws(ConfigurationError) {
        let values: [String: TOMLValue]
        do { values = try TOML.parse(text) } catch { throw ConfigurationError("configuration: \(error)") }
        // `root` first, so that a directory set one by one overrides it wherever it is written.
        for (key, value) in values.sorted(by: {
            ($0.key == "directories.root" ? 0 : 1, $0.key) < ($1.key == "directories.root" ? 0 : 1, $1.key)
        }) {
            try apply(key: key, value: value)
        }
    }

    mutating func apply(key: String, value: TOMLValue) throws(ConfigurationError) {
        func string() throws(ConfigurationError) -> String {
            guard case .string(let text) = value else {
                throw ConfigurationError("configuration: \(key) must be a string")
            }
            return text
        }
        func number() throws(ConfigurationError) -> Double {
            switch value {
            case .integer(let n): return Double(n)
            case .float(let x): return x
            default: throw ConfigurationError("configuration: \(key) must be a number")
            }
        }
        func integer() throws(ConfigurationError) -> Int {
            guard case .integer(let n) = value, n >= 0 else {
                throw ConfigurationError("configuration: \(key) must be a non-negative integer")
            }
            return n
        }
        func boolean() throws(ConfigurationError) -> Bool {
            guard case .boolean(let b) = value else {
                throw ConfigurationError("configuration: \(key) must be true or false")
            }
            return b
        }
        switch key {
        case "directories.root": setRoot(try string())
        case "directories.inbox": inbox = try string()
        case "directories.work": work = try string()
        case "directories.outbox": outbox = try string()
        case "directories.archive": archive = try string()
        case "directories.error": error = try string()
        case "processing.after_success":
            guard let parsed = AfterSuccess(rawValue: try string()) else {
                throw ConfigurationError("configuration: \(key) must be archive or delete")
            }
            afterSuccess = parsed
        case "processing.workers": workers = try integer()
        case "processing.max_input_bytes": maxInputBytes = try integer()
        case "processing.queue_capacity": queueCapacity = max(1, try integer())
        case "processing.max_bytes_in_flight": maxBytesInFlight = max(1, try integer())
        case "processing.fsync": fsync = try boolean()
        case "processing.shutdown_grace_seconds": shutdownGraceSeconds = try number()
        case "processing.default_setting":
            guard let parsed = ClinicalCase.CareSetting(rawValue: try string()) else {
                throw ConfigurationError("configuration: \(key) must be primary or specialist")
            }
            defaultSetting = parsed
        case "watch.settle_milliseconds": settleMilliseconds = try integer()
        case "watch.rescan_seconds": rescanSeconds = max(0.1, try number())
        case "watch.poll_only": pollOnly = try boolean()
        case "watch.scan_seconds": scanSeconds = max(0.05, try number())
        case "cluster.node_name":
            let name = try string()
            guard !name.isEmpty, sanitizedNodeName(name) == name else {
                throw ConfigurationError("configuration: \(key) may hold only letters, digits and dashes")
            }
            nodeName = name
        case "cluster.claim_protocol":
            guard let parsed = ClaimProtocol(rawValue: try string()) else {
                throw ConfigurationError("configuration: \(key) must be auto, local or shared")
            }
            claimProtocol = parsed
        case "cluster.claim_timeout_seconds": claimTimeoutSeconds = max(1, try number())
        case "output.format":
            let text = try string()
            if text == "same" {
                outputFormat = nil
            } else if let format = FHIRFormat(rawValue: text) {
                outputFormat = format
            } else {
                throw ConfigurationError("configuration: \(key) must be same, json or xml")
            }
        case "output.bundle_type":
            guard let parsed = OutputOptions.BundleType(rawValue: try string()) else {
                throw ConfigurationError("configuration: \(key) must be collection or transaction")
            }
            bundleType = parsed
        case "profiles.directory": profiles = try string()
        case "profiles.local": profilesLocal = try string()
        case "metrics.textfile": metricsFile = try string()
        default: throw ConfigurationError("configuration: unknown setting \(key)")
        }
    }
}

public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
