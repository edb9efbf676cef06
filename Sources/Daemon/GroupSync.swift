import Foundation

/// Directory fsyncs shared by the workers that need them at the same time (group commit).
///
/// A worker that renamed a file into a directory needs an fsync of that directory that *began after*
/// its rename. One fsync covers every rename made before it began, so while one worker's fsync runs,
/// the others queue behind it and the next fsync serves all of them: under load, one directory fsync
/// per batch instead of one per file, and never a rename reported durable before an fsync covered it.
final class GroupSync: @unchecked Sendable {  // all state is guarded by `condition`
    private let condition = NSCondition()
    private let sync: () throws(SystemError) -> Void
    /// Tickets handed out: each is a rename waiting to be made durable.
    private var requested: UInt64 = 0
    /// Every ticket up to this one is durable.
    private var completed: UInt64 = 0
    /// The last failed fsync and the tickets it was meant to cover.
    private var failure: (upTo: UInt64, error: SystemError)?
    private var syncing = false
    /// fsync calls made (tests: how many callers each one served).
    private var syncCount = 0

    init(_ sync: @escaping () throws(SystemError) -> Void) { self.sync = sync }

    /// Returns once an fsync that began after this call has succeeded; throws when the one meant to
    /// cover it failed (and no later one succeeded).
    func waitUntilDurable() throws(SystemError) {
        condition.lock()
        defer { condition.unlock() }
        requested += 1
        let ticket = requested
        while completed < ticket {
            if let failure, failure.upTo >= ticket { throw failure.error }
            if syncing {
                condition.wait()
                continue
            }
            // Lead a round: it covers every ticket handed out so far.
            syncing = true
            let covers = requested
            syncCount += 1
            condition.unlock()
            var error: SystemError?
            do { try sync() } catch let failed { error = failed }
            condition.lock()
            syncing = false
            if let error { failure = (covers, error) } else { completed = covers }
            condition.broadcast()
        }
    }

    var fsyncCalls: Int { condition.withLock { syncCount } }
}
