import Foundation

/// Items handed from many producers to one consumer that takes them in batches: everything waiting
/// when it looks. The daemon's workers hand it files whose result is published, and the finishing
/// thread makes a whole batch durable with one fsync per directory (`Processor.finish`), so a worker
/// goes on to its next file instead of waiting for those fsyncs.
///
/// Bounded: a producer waits while `capacity` items are waiting, so a stalled disk stops the workers
/// (and the watchdog sees them stuck) rather than letting published-but-not-durable results pile up.
final class BatchQueue<Item: Sendable>: @unchecked Sendable {  // all state is guarded by `condition`
    private let condition = NSCondition()
    private var items: [Item] = []
    private var closed = false
    let capacity: Int
    /// Batches handed out (tests and metrics: how many items each one carried).
    private(set) var batchesTaken = 0

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Waits while the queue is full. False once closed: the caller finishes the item itself.
    func submit(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Everything waiting, at least one item; waits for one. Nil once closed and empty.
    func takeBatch() -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        let batch = items
        items.removeAll(keepingCapacity: true)
        batchesTaken += 1
        condition.broadcast()
        return batch
    }

    /// No more submissions; `takeBatch` hands out what is left, then nil.
    func close() {
        condition.withLock {
            closed = true
            condition.broadcast()
        }
    }

    var batches: Int { condition.withLock { batchesTaken } }
}
