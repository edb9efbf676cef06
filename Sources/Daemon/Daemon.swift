import CSystemShim
import FHIR
import Foundation
import Pipeline
import Terminology

#if canImport(Glibc)
    import Glibc
#endif

/// painpathd: watches the inbox, claims files into work/, and has workers run the pipeline on them
/// (DESIGN.md: the inbox protocol, operation). The main thread owns the watching, the claiming,
/// the signals and systemd notification; workers own one file at a time.
public final class Daemon: @unchecked Sendable {  // mutable state is touched by the main thread only, or guarded
    public struct Options: Sendable {
        public var configuration: DaemonConfiguration
        /// Re-reads the configuration on SIGHUP (the file, then the same flags again).
        public var reloadConfiguration: @Sendable () throws -> DaemonConfiguration
        public init(
            configuration: DaemonConfiguration,
            reloadConfiguration: @escaping @Sendable () throws -> DaemonConfiguration
        ) {
            self.configuration = configuration
            self.reloadConfiguration = reloadConfiguration
        }
    }

    public static let exitConfiguration: Int32 = 78  // EX_CONFIG
    public static let exitCannotCreate: Int32 = 73  // EX_CANTCREAT

    let options: Options
    var configuration: DaemonConfiguration
    let log: EventLog
    let notify: SystemdNotify
    let metrics = Metrics()
    private let pipelineLock = NSLock()
    private var currentPipeline: Pipeline?

    public init(options: Options, log: EventLog = EventLog(), notify: SystemdNotify = SystemdNotify()) {
        self.options = options
        configuration = options.configuration
        self.log = log.naming(node: options.configuration.nodeName)
        self.notify = notify
    }

    /// What a worker uses for its next file: the pipeline and settings of the last (re)load.
    var current: (pipeline: Pipeline, configuration: DaemonConfiguration) {
        pipelineLock.withLock { (currentPipeline!, configuration) }
    }

    static func loadPipeline(_ configuration: DaemonConfiguration) throws(StartupError) -> (Pipeline, String) {
        let terminology: Terminology
        do {
            terminology = try Terminology.locateAndLoad(
                explicit: configuration.profiles, local: configuration.profilesLocal)
        } catch {
            throw StartupError(error.description, isConfiguration: true)
        }
        var limits = FHIRReadLimits.default
        limits.maxInputBytes = configuration.maxInputBytes
        return (
            Pipeline(
                terminology: terminology, limits: limits, defaultSetting: configuration.defaultSetting,
                output: configuration.outputOptions),
            terminology.source
        )
    }

    /// Runs until SIGTERM/SIGINT; returns the exit code.
    public func run() -> Int32 {
        painpath_ignore_sigpipe()
        let signals = painpath_signalfd_for_shutdown_and_reload()  // before any thread starts
        guard signals >= 0 else {
            log.log(
                .error, "startup-failed",
                ["reason": "cannot set up signal handling: \(String(cString: strerror(errno)))"])
            return 71
        }
        defer { close(signals) }
        let directories: Directories
        do {
            let (pipeline, profiles) = try Self.loadPipeline(configuration)
            currentPipeline = pipeline
            directories = try Directories(configuration)
            // The claim protocol the work/ directory's filesystem allows, and how to watch the inbox.
            if configuration.claimProtocol == .auto {
                configuration.claimProtocol = ClaimProtocol.probe(directories.work, node: configuration.nodeName)
            }
            let filesystem = FilesystemKind.of(directories.inbox)
            if filesystem.isNetwork { configuration.pollOnly = true }
            log.log(
                .info, "starting",
                [
                    "inbox": configuration.inbox, "workers": String(configuration.effectiveWorkers),
                    "profiles": profiles,
                    "watch": configuration.pollOnly ? "scan every \(configuration.scanSeconds) s" : "inotify",
                    "filesystem": filesystem.name,
                    "protocol": configuration.claimProtocol == .shared
                        ? "shared (claim by unique rename, results by link)" : "local (renameat2 RENAME_NOREPLACE)",
                ])
        } catch {
            log.log(.error, "startup-failed", ["reason": error.description])
            FileHandle.standardError.write(Data("painpathd: \(error.description)\n".utf8))
            return error.isConfiguration ? Self.exitConfiguration : Self.exitCannotCreate
        }
        for directory in [directories.outbox, directories.error, directories.archive, directories.work] {
            directory.removeStaleTemporaries(olderThan: 3600, node: configuration.nodeName)
        }
        let shared = configuration.claimProtocol == .shared
        let node = configuration.nodeName
        let claims = Counter()

        let queue = WorkQueue(capacity: configuration.queueCapacity)
        let budget = ByteBudget(limit: configuration.maxBytesInFlight)
        let wake = painpath_eventfd()
        defer { close(wake) }
        // Bounded: a stalled disk stops the workers (the watchdog sees them stuck) instead of letting
        // written results pile up unpublished. Each waiting file holds two descriptors (its input and
        // its temporary result): 128 waiting and a batch of as many being finished hold at most 512
        // (a 30,000-bundle soak peaked at 527 in all), far below the unit's LimitNOFILE=4096 and the
        // usual 1,024 of a shell; batches of more would share no more fsyncs.
        let finishing = BatchQueue<Finishing>(capacity: 128)
        let finished = DispatchGroup()
        for index in 0..<configuration.effectiveWorkers {
            finished.enter()
            let thread = Thread { [self] in
                self.workerLoop(
                    index, queue: queue, budget: budget, finishing: finishing, directories: directories, wake: wake)
                finished.leave()
            }
            thread.name = "painpathd-worker-\(index)"
            thread.start()
        }
        let finisherDone = DispatchGroup()
        finisherDone.enter()
        let finisher = Thread { [self] in
            self.finishLoop(finishing, queue: queue, wake: wake, index: configuration.effectiveWorkers)
            finisherDone.leave()
        }
        finisher.name = "painpathd-finish"
        finisher.start()

        var watcher = configuration.pollOnly ? nil : InboxWatcher(path: configuration.inbox)
        if !configuration.pollOnly && watcher == nil {
            log.log(
                .warning, "inotify-unavailable",
                [
                    "reason": String(cString: strerror(errno)),
                    "fallback": "rescans every \(configuration.rescanSeconds) s",
                ])
        }
        // The inbox may be removed and created again while running: the handle is reopened then.
        var inbox = directories.inbox
        // Recovery: whatever a crash left in work/ is processed again (output is deterministic).
        var recoverWork = true
        // The first recovery takes everything in work/; later ones only files older than 2 s, so a
        // neighbour's fresh claim is left to it (its flock protects it either way).
        var firstRecovery = true
        // The last scan stopped at the queue's room: rescan when workers have freed half the queue.
        // Not at every freed slot: each scan reads the inbox from its start, and in a large inbox
        // that read grows with the files already taken (ext4 keeps their emptied blocks), so one scan
        // per file made bursts quadratic — the main thread spent three quarters of its time in
        // getdents64 on a 4,000-file burst.
        var backlog = false
        let refillRoom = max(1, configuration.queueCapacity / 2)
        var scanInbox = true
        var nextRescan = Date()
        var nextSettle: Date?
        var nextStatus = Date()
        var nextWatchdog = Date()
        var inboxMissing = false
        let stuckLimit = max(60, (notify.watchdogInterval ?? 30) * 4)

        notify.ready(status: metrics.statusLine(queued: 0))
        log.log(.notice, "ready", [:])

        var stopping = false
        while !stopping {
            let now = Date()
            if now >= nextRescan {
                scanInbox = true
                recoverWork = true
                // Scanning only (a shared inbox): often, as other hosts' writes are seen no other way.
                nextRescan = now.addingTimeInterval(
                    configuration.pollOnly
                        ? min(configuration.scanSeconds, configuration.rescanSeconds)
                        : configuration.rescanSeconds)
            }
            if let settle = nextSettle, now >= settle {
                scanInbox = true
                nextSettle = nil
            }

            if recoverWork {
                recoverWork = false
                // Files claimed earlier (this run's queue knows its own), oldest first is not needed:
                // each is locked while processed, so a neighbour's in-flight file is skipped.
                for name in directories.work.names(
                    limit: max(queue.room, 0), where: { !$0.hasPrefix(".") && !queue.contains($0) })
                {
                    guard let info = directories.work.stat(name) else { continue }
                    let age = now.timeIntervalSince1970 - InboxScanner.seconds(info.st_ctim)
                    let owner = ClaimName.parse(name).node
                    if !shared || owner == node {
                        if firstRecovery || age > 2 { queue.push(name) }
                    } else if age > configuration.claimTimeoutSeconds {
                        // Another node's claim untouched past the claim timeout: its node crashed or
                        // hangs. Taken over by a rename to this node's name (of two nodes trying, one wins).
                        let input = ClaimName.parse(name).input
                        let mine = ClaimName.make(input, node: node, counter: claims.next())
                        do {
                            try directories.work.claim(name, to: directories.work, as: mine)
                            log.log(.notice, "claim-taken-over", ["file": input, "from": owner ?? "local"])
                            queue.push(mine)
                        } catch {
                            if error.code != ENOENT {
                                log.log(.warning, "claim-failed", ["file": input, "reason": error.description])
                            }
                        }
                    }
                }
                firstRecovery = false
            }
            if scanInbox {
                scanInbox = false
                if let reopened = Self.reopenIfReplaced(inbox) { inbox = reopened }
                if access(configuration.inbox, F_OK) != 0 {
                    if !inboxMissing { log.log(.error, "inbox-missing", ["inbox": configuration.inbox]) }
                    inboxMissing = true
                } else {
                    if inboxMissing {
                        log.log(.notice, "inbox-back", ["inbox": configuration.inbox])
                        inboxMissing = false
                    }
                    let scanner = InboxScanner(inbox: inbox, settle: Double(configuration.settleMilliseconds) / 1000)
                    let room = queue.room
                    let scan = scanner.scan(limit: room)
                    if room > 0 { metrics.scannedInbox() }
                    for name in scan.ready {
                        do {
                            if shared {
                                // A name no other instance uses: the loser of a race finds the source gone.
                                let claim = ClaimName.make(name, node: node, counter: claims.next())
                                try inbox.claim(name, to: directories.work, as: claim)
                                queue.push(claim)
                            } else if try inbox.move(name, to: directories.work, as: name) {
                                queue.push(name)
                            }
                        } catch {
                            if error.code != ENOENT {
                                log.log(.warning, "claim-failed", ["file": name, "reason": error.description])
                            }
                        }
                    }
                    if let settle = scan.nextSettle { nextSettle = min(nextSettle ?? settle, settle) }
                    if scan.more { scanInbox = queue.room > 0 }
                    backlog = scan.more
                }
            }

            if now >= nextWatchdog, let interval = notify.watchdogInterval {
                // Only while the processing loop is healthy: no worker stuck on one file.
                if queue.longestBusy(now: now) < stuckLimit { notify.watchdog() }
                nextWatchdog = now.addingTimeInterval(interval)
            }
            if now >= nextStatus {
                notify.status(metrics.statusLine(queued: queue.pending))
                if let path = configuration.metricsFile,
                    let problem = metrics.writeTextfile(path, queued: queue.pending, node: node)
                {
                    log.log(.warning, "metrics-write-failed", ["reason": problem])
                }
                nextStatus = now.addingTimeInterval(2)
            }

            // Sleep until something happens: a signal, an inbox event, a free worker, or a deadline.
            var deadline = nextRescan
            for candidate in [nextSettle, notify.watchdogInterval != nil ? nextWatchdog : nil, nextStatus].compactMap({
                $0
            }) {
                deadline = min(deadline, candidate)
            }
            if scanInbox { deadline = now }
            let timeout = max(0, Int32(min(deadline.timeIntervalSinceNow, 60) * 1000))
            var fds = [
                pollfd(fd: signals, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
            ]
            if let watcher { fds.append(pollfd(fd: watcher.fd, events: Int16(POLLIN), revents: 0)) }
            _ = poll(&fds, nfds_t(fds.count), timeout)

            if fds[1].revents != 0 {
                var value: UInt64 = 0
                _ = read(wake, &value, 8)
                if backlog && queue.room >= refillRoom { scanInbox = true }
            }
            if let current = watcher, fds.count > 2, fds[2].revents != 0 {
                let events = current.drain()
                // While backlogged the refill scan will find new arrivals too.
                if events.contains(.arrived) && !(backlog && queue.room < refillRoom) { scanInbox = true }
                if events.contains(.overflow) {
                    log.log(.warning, "inotify-overflow", ["action": "full rescan"])
                    scanInbox = true
                    recoverWork = true
                }
                if events.contains(.inboxGone) {
                    log.log(.warning, "inbox-replaced", ["inbox": configuration.inbox])
                    watcher = nil
                }
            }
            if watcher == nil && !configuration.pollOnly && access(configuration.inbox, F_OK) == 0 {
                watcher = InboxWatcher(path: configuration.inbox)
                if watcher != nil { scanInbox = true }
            }
            if fds[0].revents != 0 {
                while true {
                    let signal = painpath_read_signal(signals)
                    if signal <= 0 { break }
                    if signal == SIGHUP {
                        reload()
                    } else {
                        log.log(
                            .notice, "stopping",
                            ["signal": signal == SIGTERM ? "SIGTERM" : "SIGINT", "in_flight": String(queue.inFlight)])
                        stopping = true
                    }
                }
            }
        }

        notify.stopping()
        queue.close()
        let grace = DispatchTime.now() + configuration.shutdownGraceSeconds
        let workersDone = finished.wait(timeout: grace)
        // What the workers wrote is finished before exit (their last files, within the grace time).
        finishing.close()
        if workersDone == .timedOut || finisherDone.wait(timeout: grace) == .timedOut {
            log.log(
                .warning, "shutdown-timeout",
                ["in_flight": String(metrics.snapshot.inFlight), "note": "left in work/, redone at the next start"])
        }
        let s = metrics.snapshot
        log.log(
            .notice, "stopped",
            ["processed": String(s.processed), "failed": String(s.failed), "faults": String(s.faults)])
        if let path = configuration.metricsFile { _ = metrics.writeTextfile(path, queued: 0) }
        return 0
    }

    /// A new handle when the directory at the handle's path is no longer the one it has open.
    static func reopenIfReplaced(_ handle: DirectoryHandle) -> DirectoryHandle? {
        var open = stat()
        var atPath = stat()
        guard fstat(handle.fd, &open) == 0 else { return nil }
        guard stat(handle.path, &atPath) == 0 else { return nil }
        guard open.st_ino != atPath.st_ino || open.st_dev != atPath.st_dev else { return nil }
        return try? DirectoryHandle(path: handle.path)
    }

    /// One log line when a fault starts (or changes), one when it clears — not one per file.
    private let faultLock = NSLock()
    private var currentFault: String?

    func faultStarted(_ description: String) -> Bool {
        faultLock.withLock {
            defer { currentFault = description }
            return currentFault != description
        }
    }

    func faultCleared() -> Bool {
        faultLock.withLock {
            defer { currentFault = nil }
            return currentFault != nil
        }
    }

    /// A file whose result is written, waiting for `Processor.finish`.
    struct Finishing: Sendable {
        let result: WrittenResult
        let processor: Processor
        let started: Date
    }

    func workerLoop(
        _ index: Int, queue: WorkQueue, budget: ByteBudget, finishing: BatchQueue<Finishing>,
        directories: Directories, wake: Int32
    ) {
        while let name = queue.pop(worker: index) {
            let (pipeline, settings) = current
            let processor = Processor(directories: directories, configuration: settings, pipeline: pipeline)
            // Memory follows bytes: wait until this file's bytes fit beside those in flight.
            let charge = budget.acquire(Int(directories.work.stat(name)?.st_size ?? 0))
            metrics.started(bytes: charge)
            let start = Date()
            let step = processor.process(name)
            // The input's bytes and model are gone once its result is written: its charge is free.
            metrics.released(bytes: charge)
            budget.release(charge)
            switch step {
            case .finished(let result):
                report(result, for: name, started: start, queue: queue, wake: wake)
                queue.release(worker: index)
            case .written(let result):
                let item = Finishing(result: result, processor: processor, started: start)
                // Closed (shutting down past the grace time): finished here, alone.
                if !finishing.submit(item) { finish([item], queue: queue, wake: wake) }
                // Only now: a worker blocked on a full finishing queue counts as busy for the watchdog.
                queue.release(worker: index)
            }
        }
    }

    /// The finishing thread: batches of written results made durable and published, their inputs archived
    /// (`Processor.finish`), until the workers are done and the queue is closed.
    func finishLoop(_ finishing: BatchQueue<Finishing>, queue: WorkQueue, wake: Int32, index: Int) {
        while let batch = finishing.takeBatch() {
            // Busy like a worker: an fsync that never returns stops the watchdog pings.
            queue.markBusy(worker: index)
            finish(batch, queue: queue, wake: wake)
            queue.release(worker: index)
        }
    }

    func finish(_ batch: [Finishing], queue: WorkQueue, wake: Int32) {
        let results = Processor.finish(batch.map { ($0.result, $0.processor) })
        for (item, result) in zip(batch, results) {
            report(result, for: item.result.name, started: item.started, queue: queue, wake: wake)
        }
    }

    /// A file is done with: counted, logged, and forgotten by the queue (a rescan of work/ may queue
    /// it again only now — after a fault it is still there, to be retried).
    func report(_ result: ProcessingResult, for name: String, started: Date, queue: WorkQueue, wake: Int32) {
        let seconds = Date().timeIntervalSince(started)
        metrics.finished(result, seconds: seconds)
        queue.done(name)
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
        switch result {
        case .recommended(let output, let unmatched):
            if faultCleared() { log.log(.notice, "fault-cleared", ["file": name]) }
            log.log(
                .info, "processed",
                [
                    "file": name, "result": output, "ms": String(Int(seconds * 1000)),
                    "unmatched": String(unmatched),
                ])
        case .rejected(let reason, let outcome):
            if faultCleared() { log.log(.notice, "fault-cleared", ["file": name]) }
            log.log(.warning, "rejected", ["file": name, "reason": reason, "outcome": outcome])
        case .skipped(let reason):
            log.log(.debug, "skipped", ["file": name, "reason": reason])
        case .fault(let error):
            // One line per fault, not per file: the file stays in work/ and the next rescan retries it.
            if faultStarted("errno \(error.code)") {
                log.log(
                    .error, "fault",
                    [
                        "file": name, "reason": error.description,
                        "action": "kept in work/, retried at the next rescan",
                    ])
            }
        }
    }

    /// SIGHUP: configuration and profiles again; on any error the running ones stay.
    func reload() {
        notify.reloading()
        do {
            let fresh = try options.reloadConfiguration()
            let (pipeline, profiles) = try Self.loadPipeline(fresh)
            let needRestart = [
                fresh.inbox != configuration.inbox || fresh.work != configuration.work
                    || fresh.outbox != configuration.outbox
                    || fresh.archive != configuration.archive || fresh.error != configuration.error
                    ? "directories" : nil,
                // (The setting, not the count: a default depends on the protocol probed at start.)
                fresh.workers != options.configuration.workers ? "workers" : nil,
                fresh.queueCapacity != configuration.queueCapacity ? "queue_capacity" : nil,
                fresh.maxBytesInFlight != configuration.maxBytesInFlight ? "max_bytes_in_flight" : nil,
                fresh.pollOnly != options.configuration.pollOnly ? "poll_only" : nil,
                fresh.nodeName != configuration.nodeName ? "node_name" : nil,
                fresh.claimProtocol != options.configuration.claimProtocol ? "claim_protocol" : nil,
            ].compactMap { $0 }
            var applied = fresh
            applied.inbox = configuration.inbox
            applied.work = configuration.work
            applied.outbox = configuration.outbox
            applied.archive = configuration.archive
            applied.error = configuration.error
            applied.workers = configuration.workers
            applied.queueCapacity = configuration.queueCapacity
            applied.maxBytesInFlight = configuration.maxBytesInFlight
            applied.pollOnly = configuration.pollOnly
            applied.nodeName = configuration.nodeName
            applied.claimProtocol = configuration.claimProtocol
            pipelineLock.withLock {
                currentPipeline = pipeline
                configuration = applied
            }
            metrics.reloaded()
            log.log(
                .notice, "reloaded",
                [
                    "profiles": profiles,
                    "restart_needed_for": needRestart.isEmpty ? "nothing" : needRestart.joined(separator: ","),
                ])
        } catch {
            log.log(.error, "reload-failed", ["reason": "\(error)", "action": "keeping the running configuration"])
        }
        notify.ready(status: metrics.statusLine(queued: 0))
    }
}
