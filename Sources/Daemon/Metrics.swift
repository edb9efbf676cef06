import Foundation

/// The daemon's counters: in STATUS=, in the shutdown log line, and as a Prometheus textfile for
/// node_exporter's textfile collector (written atomically: temporary file, then rename).
public final class Metrics: @unchecked Sendable {  // every field is guarded by `lock`
    private let lock = NSLock()
    private(set) var processed = 0
    private(set) var failed = 0
    private(set) var alreadyDone = 0
    private(set) var faults = 0
    private(set) var inFlight = 0
    private(set) var lastSuccess: TimeInterval = 0
    private(set) var processingSeconds = 0.0
    private(set) var reloads = 0

    public init() {}

    func started() { lock.withLock { inFlight += 1 } }
    func finished(_ result: ProcessingResult, seconds: Double) {
        lock.withLock {
            inFlight -= 1
            processingSeconds += seconds
            switch result {
            case .recommended:
                processed += 1
                lastSuccess = Date().timeIntervalSince1970
            case .rejected: failed += 1
            case .skipped: alreadyDone += 1
            case .fault: faults += 1
            }
        }
    }
    func reloaded() { lock.withLock { reloads += 1 } }

    public struct Snapshot: Sendable {
        public let processed, failed, skipped, faults, inFlight, reloads: Int
        public let lastSuccess: TimeInterval
        public let processingSeconds: Double
    }

    public var snapshot: Snapshot {
        lock.withLock {
            Snapshot(
                processed: processed, failed: failed, skipped: alreadyDone, faults: faults, inFlight: inFlight,
                reloads: reloads,
                lastSuccess: lastSuccess, processingSeconds: processingSeconds)
        }
    }

    public func statusLine(queued: Int) -> String {
        let s = snapshot
        return
            "processed \(s.processed), failed \(s.failed), in flight \(s.inFlight), queued \(queued), faults \(s.faults)"
    }

    func prometheusText(queued: Int) -> String {
        let s = snapshot
        return """
            # HELP painpathd_bundles_processed_total Input bundles that produced a recommendation bundle.
            # TYPE painpathd_bundles_processed_total counter
            painpathd_bundles_processed_total \(s.processed)
            # HELP painpathd_bundles_failed_total Inputs moved to error/ with an OperationOutcome.
            # TYPE painpathd_bundles_failed_total counter
            painpathd_bundles_failed_total \(s.failed)
            # HELP painpathd_faults_total Processing attempts stopped by a system fault (disk full, permissions); the input stays in work/.
            # TYPE painpathd_faults_total counter
            painpathd_faults_total \(s.faults)
            # HELP painpathd_reloads_total Configuration and profile reloads (SIGHUP).
            # TYPE painpathd_reloads_total counter
            painpathd_reloads_total \(s.reloads)
            # HELP painpathd_processing_seconds_total Time spent processing files.
            # TYPE painpathd_processing_seconds_total counter
            painpathd_processing_seconds_total \(String(format: "%.6f", s.processingSeconds))
            # HELP painpathd_in_flight Files being processed now.
            # TYPE painpathd_in_flight gauge
            painpathd_in_flight \(s.inFlight)
            # HELP painpathd_queued Files claimed or waiting for a worker.
            # TYPE painpathd_queued gauge
            painpathd_queued \(queued)
            # HELP painpathd_last_success_timestamp_seconds When the last recommendation was written.
            # TYPE painpathd_last_success_timestamp_seconds gauge
            painpathd_last_success_timestamp_seconds \(Int(s.lastSuccess))

            """
    }

    /// Writes the textfile atomically; errors are returned for the log, never fatal.
    func writeTextfile(_ path: String, queued: Int) -> String? {
        let data = Data(prometheusText(queued: queued).utf8)
        let temporary = path + ".tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            return "cannot write \(temporary)"
        }
        guard rename(temporary, path) == 0 else {
            return "cannot rename \(temporary): \(String(cString: strerror(errno)))"
        }
        return nil
    }
}
