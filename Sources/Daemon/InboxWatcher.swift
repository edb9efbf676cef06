import CSystemShim
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// inotify on the inbox (IN_CLOSE_WRITE, IN_MOVED_TO, IN_CREATE): tells the loop that something
/// arrived, that the queue overflowed (rescan everything), or that the inbox itself went away.
final class InboxWatcher {
    enum Event { case arrived, overflow, inboxGone }

    let fd: Int32
    private var watch: Int32 = -1
    let path: String

    init?(path: String) {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.path = path
        guard rewatch() else {
            close(fd)
            return nil
        }
    }

    deinit { close(fd) }

    /// (Re)adds the watch, e.g. after the inbox was removed and created again.
    @discardableResult
    func rewatch() -> Bool {
        if watch >= 0 { inotify_rm_watch(fd, watch) }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE_SELF | IN_MOVE_SELF)
        watch = inotify_add_watch(fd, path, mask)
        return watch >= 0
    }

    /// Reads every pending event; names are not kept (the scan decides what to take).
    func drain() -> Set<Event> {
        var events = Set<Event>()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= n {
                let (mask, length) = buffer.withUnsafeBytes { raw -> (UInt32, UInt32) in
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    return (event.mask, event.len)
                }
                if mask & UInt32(IN_Q_OVERFLOW) != 0 { events.insert(.overflow) }
                if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED) != 0 { events.insert(.inboxGone) }
                if mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) != 0 { events.insert(.arrived) }
                offset += MemoryLayout<inotify_event>.size + Int(length)
            }
        }
        return events
    }
}

/// Finds files in the inbox that are ready to take: not hidden, not directories, unchanged for the
/// settle time, and (where the kernel lets us ask) not open for writing.
struct InboxScanner {
    let inbox: DirectoryHandle
    let settle: TimeInterval

    struct Scan {
        var ready: [String] = []
        /// The earliest time a seen-but-unsettled file could be ready.
        var nextSettle: Date?
        /// The scan stopped at its limit: there may be more.
        var more = false
    }

    func scan(limit: Int, now: Date = Date()) -> Scan {
        var result = Scan()
        guard limit > 0 else {
            result.more = true
            return result
        }
        // Read a few more names than we need, as some will not be ready yet.
        let names = inbox.names(limit: limit * 4 + 16) { !$0.hasPrefix(".") }
        result.more = names.count == limit * 4 + 16
        for name in names {
            guard result.ready.count < limit else {
                result.more = true
                break
            }
            guard let info = inbox.stat(name) else { continue }
            if info.st_mode & S_IFMT == S_IFDIR { continue }  // directories are left alone
            let changed = max(Self.seconds(info.st_mtim), Self.seconds(info.st_ctim))
            let age = now.timeIntervalSince1970 - changed
            if age < settle {
                let ready = Date(timeIntervalSince1970: changed + settle)
                result.nextSettle = min(result.nextSettle ?? ready, ready)
                continue
            }
            if info.st_mode & S_IFMT == S_IFREG, openForWriting(name) {
                let retry = now.addingTimeInterval(settle)
                result.nextSettle = min(result.nextSettle ?? retry, retry)
                continue
            }
            result.ready.append(name)
        }
        return result
    }

    /// A writer still has the file open (a read lease is refused). Unknown (no permission for
    /// leases) counts as closed: the settle time alone decides then.
    func openForWriting(_ name: String) -> Bool {
        let fd = openat(inbox.fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        return painpath_open_for_writing(fd) == 1
    }

    static func seconds(_ time: timespec) -> Double { Double(time.tv_sec) + Double(time.tv_nsec) / 1e9 }
}
