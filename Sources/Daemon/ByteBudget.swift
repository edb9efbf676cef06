import Foundation

/// Bounds the input bytes being processed at once. A worker holds about four times its input in memory
/// while it works (bytes, token tape, model, case), so the daemon's memory follows bytes in flight, not
/// the number of files: eight workers on 20 MB bundles would hold 640 MB where eight on 50 KB hold 2 MB.
/// A file larger than the whole budget waits until nothing else is in flight, then goes alone.
final class ByteBudget: @unchecked Sendable {  // all state is guarded by `condition`
    private let condition = NSCondition()
    let limit: Int
    private var inUse = 0

    init(limit: Int) { self.limit = max(1, limit) }

    /// Waits until `bytes` fit, takes them, and returns the charge to give back to `release`.
    func acquire(_ bytes: Int) -> Int {
        let charge = min(max(bytes, 1), limit)
        condition.lock()
        defer { condition.unlock() }
        while inUse + charge > limit { condition.wait() }
        inUse += charge
        return charge
    }

    func release(_ charge: Int) {
        condition.withLock {
            inUse -= charge
            condition.broadcast()
        }
    }

    /// (The metrics keep the current and peak figures; this is for tests.)
    var bytesInFlight: Int { condition.withLock { inUse } }
}
