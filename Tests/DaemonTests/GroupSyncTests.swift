import Foundation
import Testing

@testable import Daemon

/// Group commit of directory fsyncs: one fsync serves the workers waiting together, and none returns
/// before an fsync that began after its call has succeeded.
@Suite("group commit of directory fsyncs")
struct GroupSyncTests {
    /// What happened, in order: a caller asked (`request`), an fsync began or ended, a caller returned.
    final class Log: @unchecked Sendable {
        enum Event: Equatable {
            case request(Int)
            case syncStart, syncEnd
            case returned(Int)
            case threw(Int)
        }
        private let lock = NSLock()
        private(set) var events: [Event] = []
        func add(_ event: Event) { lock.withLock { events.append(event) } }
        var snapshot: [Event] { lock.withLock { events } }
    }

    /// One thread per caller (as the daemon's workers are), arriving spread over the first fsync.
    func runCallers(_ count: Int, group: GroupSync, log: Log) {
        let finished = DispatchGroup()
        for caller in 0..<count {
            finished.enter()
            Thread {
                usleep(UInt32(caller % 4) * 2_000)
                log.add(.request(caller))
                do {
                    try group.waitUntilDurable()
                    log.add(.returned(caller))
                } catch {
                    log.add(.threw(caller))
                }
                finished.leave()
            }.start()
        }
        finished.wait()
    }

    @Test func concurrentCallersShareFsyncsAndEachWaitsForOneThatBeganAfterIt() {
        let log = Log()
        let group = GroupSync { () throws(SystemError) in
            log.add(.syncStart)
            usleep(20_000)
            log.add(.syncEnd)
        }
        runCallers(16, group: group, log: log)
        let events = log.snapshot
        for caller in 0..<16 {
            let asked = events.firstIndex(of: .request(caller))!
            let returned = try! #require(events.firstIndex(of: .returned(caller)))
            // An fsync began after the request and ended before the return.
            let covered = events.indices.contains { start in
                start > asked && events[start] == .syncStart
                    && events[(start + 1)...].firstIndex(of: .syncEnd).map { $0 < returned } == true
            }
            #expect(covered, "caller \(caller) returned without an fsync begun after its request")
        }
        #expect(group.fsyncCalls < 16, "no fsync was shared: \(group.fsyncCalls) for 16 callers")
        #expect(group.fsyncCalls >= 1)
    }

    @Test func aFailedFsyncFailsTheCallersItCovered() {
        let log = Log()
        let group = GroupSync { () throws(SystemError) in
            log.add(.syncStart)
            usleep(5_000)
            throw SystemError("fsync test", EIO)
        }
        runCallers(6, group: group, log: log)
        let events = log.snapshot
        #expect(!events.contains { if case .returned = $0 { true } else { false } }, "\(events)")
        #expect(events.filter { if case .threw = $0 { true } else { false } }.count == 6)
    }
}

/// The input-byte budget: what is in flight never exceeds it; a file larger than all of it goes alone.
@Suite("bytes in flight")
struct ByteBudgetTests {
    final class Peak: @unchecked Sendable {
        private let lock = NSLock()
        private var now = 0
        private(set) var peak = 0
        func add(_ bytes: Int) {
            lock.withLock {
                now += bytes
                peak = max(peak, now)
            }
        }
    }

    @Test func inFlightNeverExceedsTheBudgetAndOversizeGoesAlone() {
        let budget = ByteBudget(limit: 100)
        let observed = Peak()
        let sizes = [60, 60, 30, 500, 10, 90, 40, 40, 1_000, 20]
        let finished = DispatchGroup()
        for size in sizes {
            finished.enter()
            Thread {
                let charge = budget.acquire(size)
                #expect(charge == min(size, 100))
                observed.add(charge)
                usleep(3_000)
                observed.add(-charge)
                budget.release(charge)
                finished.leave()
            }.start()
        }
        finished.wait()
        #expect(observed.peak <= 100)
        #expect(budget.bytesInFlight == 0)
    }
}
