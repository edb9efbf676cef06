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
    /// Input bytes being processed now, and the most at once (bounded by `processing.max_bytes_in_flight`).
    private(set) var bytesInFlight = 0
    private(set) var peakBytesInFlight = 0
    private(set) var lastSuccess: TimeInterval = 0
    private(set) var processingSeconds = 0.0
    private(set) var reloads = 0
    /// Reads of the inbox directory (each from its start): batched, about one per half queue of files.
    private(set) var inboxScans = 0

    public init() {}

    func started(bytes: Int = 0) {
        lock.withLock {
            inFlight += 1
            bytesInFlight += bytes
            peakBytesInFlight = max(peakBytesInFlight, bytesInFlight)
        }
    }
    /// The input's bytes are no longer held (its result is written; the file may still be finishing).
    func released(bytes: Int) { lock.withLock { bytesInFlight -= bytes } }
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
    func scannedInbox() { lock.withLock { inboxScans += 1 } }

    public struct Snapshot: Sendable {
        public let processed, failed, skipped, faults, inFlight, reloads, inboxScans: Int
        public let bytesInFlight, peakBytesInFlight: Int
        public let lastSuccess: TimeInterval
        public let processingSeconds: Double
    }

    public var snapshot: Snapshot {
        lock.withLock {
            Snapshot(
                processed: processed, failed: failed, skipped: alreadyDone, faults: faults, inFlight: inFlight,
                reloads: reloads, inboxScans: inboxScans, bytesInFlight: bytesInFlight,
                peakBytesInFlight: peakBytesInFlight,
                lastSuccess: lastSuccess, processingSeconds: processingSeconds)
        }
    }

    public func statusLine(queued: Int) -> String {
        let s = snapshot
        return
            "processed \(s.processed), failed \(s.failed), in flight \(s.inFlight), queued \(queued), faults \(s.faults)"
    }

    func prometheusText(queued: Int, node: String = "") -> String {
        let s = snapshot
        let label = node.isEmpty ? "" : "{node=\"\(node)\"}"
        return """
            # HELP painpathd_bundles_processed_total Input bundles that produced a recommendation bundle.
            # TYPE painpathd_bundles_processed_total counter
            painpathd_bundles_processed_total\(label) \(s.processed)
            # HELP painpathd_bundles_failed_total Inputs moved to error/ with an OperationOutcome.
            # TYPE painpathd_bundles_failed_total counter
            painpathd_bundles_failed_total\(label) \(s.failed)
            # HELP painpathd_faults_total Processing attempts stopped by a system fault (disk full, permissions); the input stays in work/.
            # TYPE painpathd_faults_total counter
            painpathd_faults_total\(label) \(s.faults)
            # HELP painpathd_reloads_total Configuration and profile reloads (SIGHUP).
            # TYPE painpathd_reloads_total counter
            painpathd_reloads_total\(label) \(s.reloads)
            # HELP painpathd_inbox_scans_total Reads of the inbox directory.
            # TYPE painpathd_inbox_scans_total counter
            painpathd_inbox_scans_total\(label) \(s.inboxScans)
            # HELP painpathd_processing_seconds_total Time spent processing files.
            # TYPE painpathd_processing_seconds_total counter
            painpathd_processing_seconds_total\(label) \(String(format: "%.6f", s.processingSeconds))
            # HELP painpathd_in_flight Files being processed now.
            # TYPE painpathd_in_flight gauge
            painpathd_in_flight\(label) \(s.inFlight)
            # HELP painpathd_input_bytes_in_flight Input bytes being processed now.
            # TYPE painpathd_input_bytes_in_flight gauge
            painpathd_input_bytes_in_flight\(label) \(s.bytesInFlight)
            # HELP painpathd_input_bytes_in_flight_peak The most input bytes processed at once since the start.
            # TYPE painpathd_input_bytes_in_flight_peak gauge
            painpathd_input_bytes_in_flight_peak\(label) \(s.peakBytesInFlight)
            # HELP painpathd_queued Files claimed or waiting for a worker.
            # TYPE painpathd_queued gauge
            painpathd_queued\(label) \(queued)
            # HELP painpathd_last_success_timestamp_seconds When the last recommendation was written.
            # TYPE painpathd_last_success_timestamp_seconds gauge
            painpathd_last_success_timestamp_seconds\(label) \(Int(s.lastSuccess))

            """
    }

    /// Writes the textfile atomically; errors are returned for the log, never fatal.
    func writeTextfile(_ path: String, queued: Int, node: String = "") -> String? {
        let data = Data(prometheusText(queued: queued, node: node).utf8)
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
