import FHIR
import Foundation
import Output
import Pipeline

#if canImport(Glibc)
    import Glibc
#endif

/// The five directories, open.
public final class Directories: Sendable {
    public let inbox, work, outbox, archive, error: DirectoryHandle

    public init(_ configuration: DaemonConfiguration) throws(StartupError) {
        func open(_ role: String, _ path: String) throws(StartupError) -> DirectoryHandle {
            do {
                try Self.retryingSharedFilesystemRaces {
                    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                }
            } catch {
                throw StartupError(
                    "cannot create the \(role) directory \(path): \((error as NSError).localizedDescription)")
            }
            do { return try Self.retryingSharedFilesystemRaces { try DirectoryHandle(path: path) } } catch {
                throw StartupError("cannot open the \(role) directory \(path): \(error)")
            }
        }
        inbox = try open("inbox", configuration.inbox)
        work = try open("work", configuration.work)
        outbox = try open("outbox", configuration.outbox)
        archive = try open("archive", configuration.archive)
        error = try open("error", configuration.error)
        let all = [("inbox", inbox), ("work", work), ("outbox", outbox), ("archive", archive), ("error", error)]
        var devices: [(String, UInt)] = []
        for (role, directory) in all {
            do { devices.append((role, try directory.device())) } catch {
                throw StartupError("cannot stat the \(role) directory: \(error)")
            }
            // The daemon renames into and out of every one of them.
            guard access(directory.path, W_OK | X_OK) == 0 else {
                throw StartupError(
                    "the \(role) directory \(directory.path) is not writable by this user (uid \(getuid()))")
            }
        }
        if let different = devices.first(where: { $0.1 != devices[0].1 }) {
            throw StartupError(
                "the \(different.0) directory is on another filesystem than the inbox; all five must share one (claims and results are atomic renames)"
            )
        }
    }
}

extension Directories {
    /// `body` again while it fails the way two hosts starting at once on a shared filesystem make it fail, a few
    /// times. They create the same tree through two mounts: one mount can hold a handle of a directory the other
    /// just made (ESTALE: GlusterFS OPENDIR … Stale file handle), find that the other made it between its own
    /// check and `mkdir` (EEXIST: "a file with the same name already exists"), or not see for a moment the
    /// directory just made through the other mount (ENOENT). Each made a node fail to start, exit 73, in the
    /// two-host test. Anything else fails at once, as before.
    static func retryingSharedFilesystemRaces<T>(
        attempts: Int = 5, pause: useconds_t = 100_000, _ body: () throws -> T
    ) throws -> T {
        var attempt = 1
        while true {
            do { return try body() } catch  where attempt < attempts && isSharedFilesystemRace(error) {
                usleep(pause * useconds_t(attempt))
                attempt += 1
            }
        }
    }

    /// The errors a concurrent start on a shared filesystem produces (see `retryingSharedFilesystemRaces`).
    static func isSharedFilesystemRace(_ error: any Error) -> Bool {
        let racing: Set<Int32> = [ESTALE, EEXIST, ENOENT]
        if let system = error as? SystemError { return racing.contains(system.code) }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return racing.contains(Int32(ns.code)) }
        // Foundation's createDirectory reports EEXIST as its own "file exists" (and ENOENT as "no such file").
        if ns.domain == NSCocoaErrorDomain,
            ns.code == CocoaError.fileWriteFileExists.rawValue || ns.code == CocoaError.fileNoSuchFile.rawValue
        {
            return true
        }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError {
            return underlying.domain == NSPOSIXErrorDomain && racing.contains(Int32(underlying.code))
        }
        return false
    }
}

public struct StartupError: Error, Sendable, CustomStringConvertible {
    public let description: String
    /// Configuration or profiles (exit 78) rather than directories (exit 73).
    public let isConfiguration: Bool
    public init(_ description: String, isConfiguration: Bool = false) {
        self.description = description
        self.isConfiguration = isConfiguration
    }
}

/// What became of one file.
enum ProcessingResult: Sendable {
    /// Written; `unmatchedCodes` counts the bundle's codes that matched no value set (a number only:
    /// logs never carry codes).
    case recommended(output: String, unmatchedCodes: Int)
    case rejected(reason: String, outcome: String)
    /// Nothing to do here: gone, or another daemon holds it.
    case skipped(reason: String)
    /// A system fault (disk full, permissions): the input stays in work/ and is retried.
    case fault(SystemError)
}

/// Where a worker leaves a file: finished, or its result written for `Processor.finish` to publish.
enum ProcessingStep: Sendable {
    case finished(ProcessingResult)
    /// The result is in outbox/ under a temporary name, its writeback started; making it durable,
    /// renaming it to its own name, the outbox's fsync and the input's archiving remain — done for a
    /// batch of files at once.
    case written(WrittenResult)

    static func skipped(reason: String) -> ProcessingStep { .finished(.skipped(reason: reason)) }
    static func fault(_ error: SystemError) -> ProcessingStep { .finished(.fault(error)) }
}

/// A result written under a temporary name in outbox/, its input still in work/.
struct WrittenResult: Sendable {
    /// The name in work/.
    let name: String
    let temporary: TemporaryFile
    /// The result's bytes (to tell a redo's identical earlier result from another).
    let bytes: [UInt8]
    let format: FHIRFormat
    /// The input's SHA-256.
    let digest: String
    let unmatchedCodes: Int
    /// The input, open (and locked under the local protocol) until it is archived.
    let input: OpenFile
    /// Its name in outbox/ when the worker published it already (the shared protocol).
    var output: String?
}

/// A descriptor closed when the last reference goes.
final class OpenFile: Sendable {
    let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

/// Processes one claimed file of work/: the defensive open, the pipeline, the result written
/// atomically to outbox/ (or the OperationOutcome to error/, the input beside it). `finish` then
/// makes a batch of published results durable and archives or deletes their inputs.
struct Processor: Sendable {
    let directories: Directories
    let configuration: DaemonConfiguration
    let pipeline: Pipeline

    var shared: Bool { configuration.claimProtocol == .shared }

    /// Processes work/`name` (under the shared protocol a claim name `INPUT@NODE-N`; results and the
    /// archived input take the input's own name).
    func process(_ name: String) -> ProcessingStep {
        let work = directories.work
        guard let before = work.stat(name) else { return .skipped(reason: "gone") }
        let type = before.st_mode & S_IFMT
        // Never open what is not a regular file: a FIFO would block, a device could act.
        guard type == S_IFREG else {
            return .finished(
                reject(name, bytes: nil, reason: Self.describe(type: type) + "; painpathd takes only regular files"))
        }
        let fd = openat(work.fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return .skipped(reason: "gone") }
            if errno == ELOOP {
                return .finished(
                    reject(name, bytes: nil, reason: "a symbolic link; painpathd takes only regular files"))
            }
            return .fault(SystemError("open \(work.path)/\(name)"))
        }
        // Closed when the file is done with: held by the publication until `finish` archived the input,
        // so the flock below keeps a neighbouring daemon's rescan off it until then.
        let open = OpenFile(fd)
        defer { withExtendedLifetime(open) {} }  // (open at least until this function returns, as before)
        // Local protocol: several daemons may share work/ (restart recovery), and the lock decides who
        // processes it. Shared protocol: the claim's name decides (a node taken over after the claim
        // timeout may still hold the file open; it finds its name gone and stops at the end).
        if !shared, flock(open.fd, LOCK_EX | LOCK_NB) != 0 {
            return .skipped(reason: "being processed by another daemon")
        }
        var info = stat()
        guard fstat(open.fd, &info) == 0 else { return .fault(SystemError("stat \(name)")) }
        guard let now = work.stat(name), now.st_ino == info.st_ino, now.st_dev == info.st_dev else {
            return .skipped(reason: "finished by another daemon")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            return .finished(reject(name, bytes: nil, reason: "not a regular file"))
        }
        if info.st_nlink > 1, shared, let archived = directories.archive.stat(ClaimName.parse(name).input),
            archived.st_ino == info.st_ino, archived.st_dev == info.st_dev
        {
            // Shared protocol, a crash between linking the input into archive/ and unlinking it here.
            try? work.remove(name)
            return .skipped(reason: "already archived")
        }
        guard info.st_nlink == 1 else {
            return .finished(
                reject(
                    name, bytes: nil,
                    reason:
                        "a hard-linked file (\(info.st_nlink) links); write a new file into the inbox instead of linking one"
                ))
        }
        guard info.st_size > 0 else { return .finished(reject(name, bytes: nil, reason: "an empty file")) }
        guard Int(info.st_size) <= configuration.maxInputBytes else {
            return .finished(
                reject(
                    name, bytes: nil,
                    reason:
                        "\(info.st_size) bytes, over the limit of \(configuration.maxInputBytes) bytes (processing.max_input_bytes)"
                ))
        }
        let bytes: [UInt8]
        var hasher = SHA256()
        do {
            bytes = try readAll(open.fd, limit: configuration.maxInputBytes) { hasher.update(buffer: $0) }
        } catch { return .fault(error) }
        do {
            // Hashed while read, not in a second pass.
            let recommendation = try pipeline.run(bytes, digest: SHA256.hexString(hasher.finalize()))
            // Written, not published: `finish` makes a batch durable, renames, then archives the inputs.
            let temporary = try directories.outbox.writeTemporary(
                recommendation.bytes, startWriteback: configuration.fsync && !shared, node: configuration.nodeName)
            var result = WrittenResult(
                name: name, temporary: temporary, bytes: recommendation.bytes, format: recommendation.format,
                digest: recommendation.inputSHA256,
                unmatchedCodes: recommendation.evaluation.facts.unmatchedCodes.count, input: open)
            if shared {
                // A shared (network) filesystem makes every call a round trip: the workers make their
                // results durable and publish them side by side, where one finishing thread would do it
                // file after file (GlusterFS, one daemon: 196 → 173 bundles/s); it still batches the
                // directory fsyncs and the archiving.
                defer { temporary.discard() }
                if configuration.fsync { try temporary.makeDurable() }
                result.output = try publish(result)
            }
            return .written(result)
        } catch let failure as PipelineFailure {
            return .finished(
                reject(name, bytes: bytes, outcome: failure.outcomeJSON, reason: failure.error.description))
        } catch let error as SystemError {
            return .fault(error)
        } catch {
            return .fault(SystemError("\(error)", EIO))
        }
    }

    /// Renames a written result to `STEM.careplan.EXT`; a different earlier result under that name is
    /// kept, and this one gets the input digest in its name (the same input redone after a crash finds
    /// its own file). A result for the same input published by another node (its Provenance names the
    /// same input digest) counts as this one. Returns the name.
    func publish(_ result: WrittenResult) throws(SystemError) -> String {
        let input = ClaimName.parse(result.name).input
        for candidate in [
            ResultNames.result(forInput: input, format: result.format),
            ResultNames.result(forInput: input, format: result.format, digest: result.digest),
        ] {
            switch try directories.outbox.publish(result.temporary, as: candidate, bytes: result.bytes, shared: shared)
            {
            case .written, .identical: return candidate
            case .conflict:
                if let existing = directories.outbox.read(candidate),
                    String(decoding: existing, as: UTF8.self).contains(result.digest)
                {
                    return candidate
                }
                continue
            }
        }
        throw SystemError(
            "write result for \(input): both \(ResultNames.stem(input)).careplan and its digest-named alternative hold other results",
            EEXIST)
    }

    /// Written results made durable (each one's data, its writeback started when it was written),
    /// renamed to their own names, then their inputs archived (or deleted), for a batch at once: one
    /// fsync of outbox/ before any input moves (a result is durable under its name before its input
    /// leaves work/), then one of archive/ and one of work/. Results in the order given.
    static func finish(_ batch: [(result: WrittenResult, processor: Processor)]) -> [ProcessingResult] {
        guard let first = batch.first?.processor else { return [] }
        let sync = batch.contains { $0.processor.configuration.fsync }
        // Durable, then renamed: a result's name never shows a half-written file.
        var outputs: [Result<String, SystemError>] = batch.map { item in
            let (result, processor) = item
            if let output = result.output { return .success(output) }
            defer { result.temporary.discard() }  // (unless renamed: identical, conflict or failed)
            do throws(SystemError) {
                if processor.configuration.fsync { try result.temporary.makeDurable() }
                return .success(try processor.publish(result))
            } catch {
                return .failure(error)
            }
        }
        if sync && outputs.contains(where: { if case .success = $0 { true } else { false } }) {
            do throws(SystemError) { try first.directories.outbox.fsync() } catch {
                // Inputs stay in work/ and are redone at the next rescan, finding their results.
                outputs = outputs.map { _ in .failure(error) }
            }
        }
        var results: [ProcessingResult] = zip(batch, outputs).map { item, output in
            let (result, processor) = item
            let published: String
            switch output {
            case .success(let name): published = name
            case .failure(let error): return .fault(error)
            }
            guard processor.directories.work.exists(result.name) else {
                // Taken over by another node while this one stalled: it publishes (or has published) the
                // same input's result, found as the same digest; nothing more to do here.
                return .skipped(reason: "taken over by another node")
            }
            do throws(SystemError) {
                try processor.finishInput(result.name, digest: result.digest)
            } catch {
                return .fault(error)
            }
            return .recommended(output: published, unmatchedCodes: result.unmatchedCodes)
        }
        if sync && results.contains(where: { if case .recommended = $0 { true } else { false } }) {
            do throws(SystemError) {
                if batch.contains(where: { $0.processor.configuration.afterSuccess == .archive }) {
                    try first.directories.archive.fsync()
                }
                try first.directories.work.fsync()
            } catch {
                for index in results.indices {
                    if case .recommended = results[index] { results[index] = .fault(error) }
                }
            }
        }
        return results
    }

    /// After the result: the input to archive/ (or deleted). A same-named earlier input in archive/
    /// is kept; this one gets its digest appended. Not fsynced: `finish` does it once for a batch.
    func finishInput(_ name: String, digest: String) throws(SystemError) {
        switch configuration.afterSuccess {
        case .delete: try directories.work.remove(name)
        case .archive: try move(name, from: directories.work, to: directories.archive, digest: digest, sync: false)
        }
    }

    /// work/`name` to `target` under the input's own name (or with its digest appended when that is
    /// taken by another file), never replacing.
    func move(_ name: String, from source: DirectoryHandle, to target: DirectoryHandle, digest: String, sync: Bool)
        throws(SystemError)
    {
        let input = ClaimName.parse(name).input
        for candidate in [input, "\(input).\(digest.prefix(12))"] {
            if try source.move(name, to: target, as: candidate, shared: shared) {
                if sync {
                    try target.fsync()
                    try source.fsync()
                }
                return
            }
            if target.read(candidate).map({ SHA256.hex($0) == digest }) == true {
                // The same input is already there (a redo after a crash): drop this copy.
                try source.remove(name)
                return
            }
        }
        throw SystemError("move \(input) to \(target.path): both names taken by other files", EEXIST)
    }

    /// The input to error/ with `STEM.outcome.json` beside it (the outcome first: a crash between
    /// the two leaves the input in work/, and the redo finds the same outcome).
    func reject(_ name: String, bytes: [UInt8]?, outcome: [UInt8]? = nil, reason: String) -> ProcessingResult {
        let input = ClaimName.parse(name).input
        let digest = bytes.map { SHA256.hex($0) } ?? SHA256.hex(Array(input.utf8))
        let document =
            outcome
            ?? FHIRJSONWriter().write(
                OperationOutcomeBuilder.outcome(error: FHIRReadError(.forbidden, "\(input) is \(reason)")))
        do throws(SystemError) {
            var written: String?
            for candidate in [
                ResultNames.outcome(forInput: input), ResultNames.outcome(forInput: input, digest: digest),
            ] {
                switch try directories.error.writeAtomically(
                    candidate, document, sync: configuration.fsync, shared: shared, node: configuration.nodeName)
                {
                case .written, .identical: written = candidate
                case .conflict: continue
                }
                break
            }
            guard let written else { throw SystemError("write outcome for \(input)", EEXIST) }
            try move(name, from: directories.work, to: directories.error, digest: digest, sync: configuration.fsync)
            return .rejected(reason: reason, outcome: written)
        } catch {
            return .fault(error)
        }
    }

    static func describe(type: mode_t) -> String {
        switch type {
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a FIFO"
        case S_IFDIR: "a directory"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        default: "not a regular file"
        }
    }
}
