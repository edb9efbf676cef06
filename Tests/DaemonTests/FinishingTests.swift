import Foundation
import PainPathTestKit
import Pipeline
import Synchronization
import Testing

@testable import Daemon

/// The hand-off from workers to the finishing thread: whatever waits is taken as one batch, the
/// queue is bounded, and a closed queue hands out what is left.
@Suite("batch hand-off")
struct BatchQueueTests {
    @Test func everythingWaitingIsTakenAsOneBatchInOrder() {
        let queue = BatchQueue<Int>(capacity: 100)
        for n in 0..<10 { #expect(queue.submit(n)) }
        #expect(queue.takeBatch() == Array(0..<10))
        #expect(queue.submit(10))
        #expect(queue.takeBatch() == [10])
        #expect(queue.batches == 2)
    }

    @Test func aFullQueueHoldsProducersUntilABatchIsTaken() {
        let queue = BatchQueue<Int>(capacity: 3)
        let accepted = Mutex(0)
        let producer = DispatchGroup()
        producer.enter()
        Thread {
            for n in 0..<5 where queue.submit(n) { accepted.withLock { $0 += 1 } }
            producer.leave()
        }.start()
        usleep(100_000)
        #expect(accepted.withLock { $0 } == 3, "the producer went past a full queue")
        #expect(queue.takeBatch() == [0, 1, 2])
        #expect(producer.wait(timeout: .now() + 10) == .success)
        #expect(queue.takeBatch() == [3, 4])
    }

    @Test func aClosedQueueHandsOutTheRestThenNilAndRefusesMore() {
        let queue = BatchQueue<String>(capacity: 8)
        #expect(queue.submit("a"))
        queue.close()
        #expect(!queue.submit("b"), "accepted after close: nobody would finish it")
        #expect(queue.takeBatch() == ["a"])
        #expect(queue.takeBatch() == nil)
    }
}

/// `Processor.finish` on real directories: workers leave results under temporary names, and a batch
/// is published with one fsync of each directory, not one per file; results come back in order; an
/// input gone from work/ (taken over) is skipped, not moved.
@Suite("finishing written results")
struct FinishTests {
    func directories() throws -> (Directories, DaemonConfiguration, String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("painpath-finish-\(UUID())").path
        var configuration = DaemonConfiguration()
        configuration.setRoot(root)
        return (try Directories(configuration), configuration, root)
    }

    @Test(arguments: [DaemonConfiguration.AfterSuccess.archive, .delete])
    func aBatchIsOneFsyncPerDirectoryAndArchivesEveryInput(afterSuccess: DaemonConfiguration.AfterSuccess) throws {
        var (directories, configuration, root) = try directories()
        defer { try? FileManager.default.removeItem(atPath: root) }
        configuration.afterSuccess = afterSuccess
        let processor = Processor(
            directories: directories, configuration: configuration,
            pipeline: Pipeline(terminology: repositoryTerminology))
        var written: [(result: WrittenResult, processor: Processor)] = []
        for n in 0..<6 {
            try Data(smallBundle(n)).write(to: URL(fileURLWithPath: "\(root)/work/b\(n).json"))
            guard case .written(let result) = processor.process("b\(n).json") else {
                Issue.record("b\(n).json was not written")
                return
            }
            written.append((result, processor))
        }
        // Written, not published: six temporaries and no result under its own name; every input in work/.
        let outboxBefore = try FileManager.default.contentsOfDirectory(atPath: "\(root)/outbox")
        #expect(outboxBefore.filter { $0.hasSuffix(".tmp") }.count == 6)
        #expect(!outboxBefore.contains { $0.hasSuffix(".careplan.json") }, "\(outboxBefore)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: "\(root)/work")).count == 6)
        let before = (directories.outbox.fsyncCalls, directories.work.fsyncCalls, directories.archive.fsyncCalls)
        #expect(before == (0, 0, 0), "a worker fsynced a directory: \(before)")
        // One input is gone before finishing (another node took it over); b1's name holds another result
        // (kept: b1's goes under its digest-named alternative); b2's holds the same bytes (a redo).
        try FileManager.default.removeItem(atPath: "\(root)/work/b3.json")
        try Data("another result".utf8).write(to: URL(fileURLWithPath: "\(root)/outbox/b1.careplan.json"))
        try Data(written[2].result.bytes).write(to: URL(fileURLWithPath: "\(root)/outbox/b2.careplan.json"))
        let b1Alternative = "b1.\(written[1].result.digest.prefix(12)).careplan.json"
        let results = Processor.finish(written)
        #expect(results.count == 6)
        for (n, result) in results.enumerated() {
            switch result {
            case .recommended(let output, _):
                #expect(n != 3 && output == (n == 1 ? b1Alternative : "b\(n).careplan.json"))
            case .skipped: #expect(n == 3)
            default: Issue.record("b\(n).json: \(result)")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/work").isEmpty)
        // Every result under its own name (b3's too: published before its input was found gone), no temporary.
        let outbox = try FileManager.default.contentsOfDirectory(atPath: "\(root)/outbox")
        #expect(Set(outbox) == Set((0..<6).map { "b\($0).careplan.json" } + [b1Alternative]), "\(outbox)")
        #expect(FileManager.default.contents(atPath: "\(root)/outbox/b1.careplan.json") == Data("another result".utf8))
        let archived = try FileManager.default.contentsOfDirectory(atPath: "\(root)/archive")
        #expect(Set(archived) == (afterSuccess == .archive ? Set([0, 1, 2, 4, 5].map { "b\($0).json" }) : []))
        #expect(directories.outbox.fsyncCalls == 1)
        #expect(directories.work.fsyncCalls == 1)
        #expect(directories.archive.fsyncCalls == (afterSuccess == .archive ? 1 : 0))
    }
}

extension FinishTests {
    /// On a shared (network) filesystem the worker publishes its own result (each call a round trip:
    /// side by side in the workers, not file after file in the finishing thread); `finish` archives.
    @Test func underTheSharedProtocolTheWorkerPublishesAndFinishArchives() throws {
        var (directories, configuration, root) = try directories()
        defer { try? FileManager.default.removeItem(atPath: root) }
        configuration.claimProtocol = .shared
        let processor = Processor(
            directories: directories, configuration: configuration,
            pipeline: Pipeline(terminology: repositoryTerminology))
        try Data(smallBundle(7)).write(to: URL(fileURLWithPath: "\(root)/work/s.json@node-1"))
        guard case .written(let result) = processor.process("s.json@node-1") else {
            Issue.record("not written")
            return
        }
        #expect(result.output == "s.careplan.json")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/outbox") == ["s.careplan.json"])
        let results = Processor.finish([(result, processor)])
        guard case .recommended(let output, _) = results.first else {
            Issue.record("\(results)")
            return
        }
        #expect(output == "s.careplan.json")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/archive") == ["s.json"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/work").isEmpty)
    }
}

/// Starting two hosts at once on a shared filesystem: a stale handle while the other mount creates the
/// same tree is tried again; other errors are not.
@Suite("directories on a shared filesystem")
struct StaleHandleTests {
    final class Calls: @unchecked Sendable {
        var count = 0
    }

    @Test func aStaleHandleIsTriedAgainThenSucceeds() throws {
        let calls = Calls()
        let value = try Directories.retryingSharedFilesystemRaces(pause: 1_000) { () throws -> Int in
            calls.count += 1
            if calls.count < 3 { throw SystemError("open directory x", ESTALE) }
            return 7
        }
        #expect(value == 7 && calls.count == 3)
    }

    @Test func otherErrorsAndAPersistentStaleHandleFailAsBefore() {
        let calls = Calls()
        #expect(throws: SystemError.self) {
            try Directories.retryingSharedFilesystemRaces(pause: 1_000) { () throws -> Int in
                calls.count += 1
                throw SystemError("open directory x", EACCES)
            }
        }
        #expect(calls.count == 1)
        calls.count = 0
        #expect(throws: SystemError.self) {
            try Directories.retryingSharedFilesystemRaces(attempts: 4, pause: 1_000) { () throws -> Int in
                calls.count += 1
                throw SystemError("open directory x", ESTALE)
            }
        }
        #expect(calls.count == 4)
        let foundation = NSError(
            domain: NSCocoaErrorDomain, code: 512,
            userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ESTALE))])
        #expect(Directories.isSharedFilesystemRace(foundation))
    }

    /// The other two races of a concurrent start: the directory made by the other mount between this one's check
    /// and its `mkdir` (Foundation: "a file with the same name already exists"), and a directory just made not yet
    /// visible through this mount. Both are tried again; a permission error is not.
    @Test func aDirectoryMadeOrNotYetSeenThroughTheOtherMountIsTriedAgain() throws {
        let races: [any Error] = [
            SystemError("open directory x", ENOENT), SystemError("mkdir x", EEXIST),
            CocoaError(.fileWriteFileExists), NSError(domain: NSPOSIXErrorDomain, code: Int(EEXIST)),
            NSError(
                domain: NSCocoaErrorDomain, code: 4,
                userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOENT))]),
        ]
        for race in races {
            #expect(Directories.isSharedFilesystemRace(race), "\(race)")
            let calls = Calls()
            let value = try Directories.retryingSharedFilesystemRaces(pause: 1_000) { () throws -> Int in
                calls.count += 1
                if calls.count < 2 { throw race }
                return 3
            }
            #expect(value == 3 && calls.count == 2)
        }
        #expect(!Directories.isSharedFilesystemRace(CocoaError(.fileWriteNoPermission)))
        #expect(!Directories.isSharedFilesystemRace(SystemError("open directory x", EACCES)))
    }

    /// Two starts racing on one real directory tree: whichever makes each directory, both open all five.
    @Test func twoStartsAtOnceOnOneTreeBothOpenIt() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("race-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let configuration = {
            var configuration = DaemonConfiguration()
            configuration.inbox = root + "/inbox"
            configuration.work = root + "/work"
            configuration.outbox = root + "/outbox"
            configuration.archive = root + "/archive"
            configuration.error = root + "/error"
            return configuration
        }()
        for _ in 0..<20 {
            try? FileManager.default.removeItem(atPath: root)
            async let first = Task.detached { try Directories(configuration) }.value
            async let second = Task.detached { try Directories(configuration) }.value
            let (a, b) = try await (first, second)
            #expect(a.work.path == b.work.path)
        }
    }
}
