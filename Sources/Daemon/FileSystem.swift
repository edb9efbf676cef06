import CSystemShim
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A failed system call: what was being done, and errno.
public struct SystemError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let code: Int32
    public init(_ operation: String, _ code: Int32 = errno) {
        self.operation = operation
        self.code = code
    }
    public var description: String { "\(operation): \(String(cString: strerror(code)))" }
}

/// An open directory: every file operation is relative to its descriptor (`openat`, `renameat2`),
/// so a directory renamed or replaced under the daemon is noticed rather than followed.
// @unchecked: the descriptor is immutable, and the kernel serializes the *at calls made on it.
public final class DirectoryHandle: @unchecked Sendable {
    public let path: String
    public let fd: Int32
    /// The directory's fsyncs, shared by workers that need one at the same time.
    private let group: GroupSync

    public init(path: String) throws(SystemError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError("open directory \(path)") }
        self.path = path
        self.fd = fd
        group = GroupSync { () throws(SystemError) in
            guard Glibc.fsync(fd) == 0 else { throw SystemError("fsync \(path)") }
        }
    }

    deinit { close(fd) }

    public func stat(_ name: String) -> stat? {
        var info = Glibc.stat()
        return fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 ? info : nil
    }

    /// Makes every rename and unlink done in this directory so far durable: waits for an fsync of the
    /// directory that began after the call (shared with other workers waiting at the same time).
    public func fsync() throws(SystemError) { try group.waitUntilDurable() }

    /// fsyncs of this directory made so far (tests: how many files one served).
    var fsyncCalls: Int { group.fsyncCalls }

    /// The device of the directory itself (all five must share one filesystem).
    public func device() throws(SystemError) -> UInt {
        var info = Glibc.stat()
        guard fstat(fd, &info) == 0 else { throw SystemError("stat \(path)") }
        return UInt(info.st_dev)
    }

    /// Up to `limit` entry names, in directory order, skipping `.`/`..`. Streams the directory, so
    /// a huge inbox costs no more memory than `limit` names.
    public func names(limit: Int, where include: (String) -> Bool = { _ in true }) -> [String] {
        let copy = dup(fd)
        guard copy >= 0, let stream = fdopendir(copy) else { return [] }
        defer { closedir(stream) }
        rewinddir(stream)
        var names: [String] = []
        while names.count < limit, let entry = readdir(stream) {
            // Read d_name in place, up to its NUL: a dirent record can be shorter than the struct
            // (d_reclen), so copying the whole 256-byte field reads past the kernel's buffer
            // (found by AddressSanitizer).
            let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name == "." || name == ".." { continue }
            if include(name) { names.append(name) }
        }
        return names
    }

    public func exists(_ name: String) -> Bool { stat(name) != nil }

    public func remove(_ name: String) throws(SystemError) {
        guard unlinkat(fd, name, 0) == 0 || errno == ENOENT else { throw SystemError("remove \(path)/\(name)") }
    }

    /// Into another directory (or this one), never replacing: false when the target exists.
    /// Local protocol: renameat2(RENAME_NOREPLACE). Shared protocol (a filesystem without it):
    /// link(2), which fails with EEXIST, then unlink of the source (a crash between the two leaves
    /// both names; the redo finds the same file at the target and drops the source).
    public func move(_ name: String, to target: DirectoryHandle, as newName: String, shared: Bool = false)
        throws(SystemError) -> Bool
    {
        if shared {
            if linkat(fd, name, target.fd, newName, 0) == 0 {
                guard unlinkat(fd, name, 0) == 0 || errno == ENOENT else {
                    throw SystemError("unlink \(path)/\(name) after linking it to \(target.path)/\(newName)")
                }
                return true
            }
            if errno == EEXIST { return false }
            throw SystemError("link \(path)/\(name) to \(target.path)/\(newName)")
        }
        if painpath_rename_noreplace(fd, name, target.fd, newName) == 0 { return true }
        if errno == EEXIST { return false }
        throw SystemError("rename \(path)/\(name) to \(target.path)/\(newName)")
    }

    /// A claim under the shared protocol: rename(2) into a name no other instance uses, so that
    /// of two instances racing for one file, the loser finds the source gone (ENOENT, thrown).
    public func claim(_ name: String, to target: DirectoryHandle, as claimName: String) throws(SystemError) {
        guard renameat(fd, name, target.fd, claimName) == 0 else {
            throw SystemError("rename \(path)/\(name) to \(target.path)/\(claimName)")
        }
    }

    /// Reads a file completely.
    public func read(_ name: String) -> [UInt8]? {
        let file = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard file >= 0 else { return nil }
        defer { close(file) }
        return try? readAll(file, limit: Int.max)
    }

    /// Writes `bytes` as `name` atomically: a temporary file, fsync, a rename that never replaces,
    /// and the directory fsynced. Returns `.identical` when `name` already holds these bytes (a redo
    /// after a crash), `.conflict` when it holds other bytes. (Results go the batched way instead:
    /// `writeTemporary` now, `publish` and the directory's fsync in `Processor.finish`.)
    public func writeAtomically(_ name: String, _ bytes: [UInt8], sync: Bool, shared: Bool = false, node: String? = nil)
        throws(SystemError) -> WriteOutcome
    {
        let temporary = try writeTemporary(bytes, startWriteback: false, node: node)
        defer { temporary.discard() }
        if sync { try temporary.makeDurable() }
        let outcome = try publish(temporary, as: name, bytes: bytes, shared: shared)
        if outcome == .written && sync { try fsync() }
        return outcome
    }

    /// `bytes` under a fresh temporary name in this directory, for `publish` to rename later.
    /// `startWriteback`: the kernel starts writing the data out now (sync_file_range), so that the
    /// fdatasync of a batch of them later finds it on its way rather than starting each in turn.
    public func writeTemporary(_ bytes: [UInt8], startWriteback: Bool, node: String? = nil) throws(SystemError)
        -> TemporaryFile
    {
        let name = ".painpath-\(node ?? Self.host)-\(getpid())-\(DirectoryHandle.nextTemporary()).tmp"
        let file = openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o640)
        guard file >= 0 else { throw SystemError("create \(path)/\(name)") }
        let temporary = TemporaryFile(directory: self, name: name, file: OpenFile(file))
        var written = 0
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let n = Glibc.write(file, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                written += n
            }
            return true
        }
        guard ok else {
            let code = errno
            temporary.discard()
            throw SystemError("write \(path)/\(name)", code)
        }
        if startWriteback { painpath_start_writeback(file) }
        return temporary
    }

    /// Renames `temporary` to `name`, never replacing: `.written`; `.identical` when `name` already
    /// holds `bytes` (a redo after a crash), `.conflict` when it holds others — the temporary is kept
    /// then, for another name. Make it durable first: a name must never show a half-written file.
    public func publish(_ temporary: TemporaryFile, as name: String, bytes: [UInt8], shared: Bool = false)
        throws(SystemError) -> WriteOutcome
    {
        if try move(temporary.name, to: self, as: name, shared: shared) {
            temporary.renamed = true
            return .written
        }
        return read(name) == bytes ? .identical : .conflict
    }

    public enum WriteOutcome: Sendable { case written, identical, conflict }

    private static let counter = Counter()
    static func nextTemporary() -> Int { counter.next() }

    /// This machine's name as it appears in temporary file names (several hosts may share a directory).
    static let host = defaultNodeName()

    /// Removes temporary files that earlier runs left behind when killed: those of this host whose
    /// process is gone, and any older than `age` seconds (another host's crashed daemon).
    public func removeStaleTemporaries(olderThan age: TimeInterval, node: String? = nil) {
        let now = Date().timeIntervalSince1970
        let prefix = ".painpath-\(node ?? Self.host)-"
        for name in names(limit: 100_000, where: { $0.hasPrefix(".painpath-") && $0.hasSuffix(".tmp") }) {
            var stale = false
            if name.hasPrefix(prefix), let pid = Int32(name.dropFirst(prefix.count).prefix { $0 != "-" }) {
                stale = pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH
            }
            if !stale, let info = stat(name), now - Double(info.st_mtim.tv_sec) > age { stale = true }
            if stale { unlinkat(fd, name, 0) }
        }
    }
}

/// A file written under a temporary name, open until the last reference goes. `discard` unlinks it
/// unless it was renamed to its own name.
public final class TemporaryFile: @unchecked Sendable {  // `renamed` is set by one thread at a time
    let directory: DirectoryHandle
    let name: String
    let file: OpenFile
    var renamed = false

    init(directory: DirectoryHandle, name: String, file: OpenFile) {
        self.directory = directory
        self.name = name
        self.file = file
    }

    /// fdatasync: its data (and size) on disk.
    func makeDurable() throws(SystemError) {
        guard fdatasync(file.fd) == 0 else { throw SystemError("fsync \(directory.path)/\(name)") }
    }

    /// Unlinks the temporary name unless the file was renamed to its own.
    func discard() {
        if !renamed { unlinkat(directory.fd, name, 0) }
    }
}

final class Counter: @unchecked Sendable {
    private var value = 0
    private let lock = NSLock()
    func next() -> Int {
        lock.withLock {
            value += 1
            return value
        }
    }
}

/// Reads a descriptor to its end, failing beyond `limit` bytes; each chunk is also given to
/// `consume` as it arrives (the daemon hashes the input while reading it).
func readAll(_ fd: Int32, limit: Int, consume: (UnsafeRawBufferPointer) -> Void = { _ in }) throws(SystemError)
    -> [UInt8]
{
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n < 0 { throw SystemError("read") }
        if n == 0 { return bytes }
        chunk.withUnsafeBytes { consume(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        bytes.append(contentsOf: chunk[0..<n])
        if bytes.count > limit { return bytes }
    }
}
