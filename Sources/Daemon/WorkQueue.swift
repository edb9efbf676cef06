import Foundation

/// Names of claimed files (in work/) waiting for a worker. Bounded by the caller, who claims only
/// as many files as there is room for, so memory stays flat however many wait in the inbox.
/// Remembers what is queued or in flight, so a rescan of work/ does not queue a file twice.
final class WorkQueue: @unchecked Sendable {  // all state is guarded by `condition`
    private let condition = NSCondition()
    private var items: [String] = []
    private var head = 0
    private var known = Set<String>()
    private var closed = false
    private var busySince: [Int: Date] = [:]
    let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    var room: Int { condition.withLock { closed ? 0 : capacity - (items.count - head) } }
    /// Queued plus in flight.
    var pending: Int { condition.withLock { known.count } }

    func contains(_ name: String) -> Bool { condition.withLock { known.contains(name) } }

    /// False when already queued or in flight, or the queue is closed.
    @discardableResult
    func push(_ name: String) -> Bool {
        condition.withLock {
            guard !closed, known.insert(name).inserted else { return false }
            items.append(name)
            condition.signal()
            return true
        }
    }

    /// The next name for worker `worker`, waiting; nil once closed.
    func pop(worker: Int) -> String? {
        condition.withLock {
            while head == items.count && !closed { condition.wait() }
            guard !closed, head < items.count else { return nil }
            let name = items[head]
            head += 1
            if head > 1024 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            busySince[worker] = Date()
            return name
        }
    }

    /// Busy from now on something other than a popped file (the finishing thread on a batch).
    func markBusy(worker: Int) { condition.withLock { busySince[worker] = Date() } }

    /// The worker is free (its file may still be finishing: the name stays known until `done`).
    func release(worker: Int) { condition.withLock { busySince[worker] = nil } }

    /// The file is finished with: a rescan of work/ may queue the name again.
    func done(_ name: String) { condition.withLock { _ = known.remove(name) } }

    /// Stop handing out work: queued names stay in work/ and are redone at the next start.
    func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }

    /// The longest a worker has been on its current file (for the watchdog).
    func longestBusy(now: Date = Date()) -> TimeInterval {
        condition.withLock { busySince.values.map { now.timeIntervalSince($0) }.max() ?? 0 }
    }

    var inFlight: Int { condition.withLock { busySince.count } }
}
