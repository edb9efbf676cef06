import CSystemShim
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How claims and results are made atomic on the directories' filesystem (DESIGN.md "Scale past one
/// machine"). `local`: renameat2(RENAME_NOREPLACE) decides, and a claim keeps its name. `shared`
/// (NFS, SMB, GlusterFS, CephFS, where RENAME_NOREPLACE answers EINVAL): a claim renames the input
/// into a name no other instance uses (`NAME@NODE-N`), so the loser of a race finds the source gone;
/// results and archive moves are `link(2)`, which fails with EEXIST rather than replace, then
/// unlink.
public enum ClaimProtocol: String, Sendable, Equatable, CaseIterable {
    case auto, local, shared
}

/// Where the directories live, from statfs: a network or FUSE filesystem sees no inotify events
/// for writes made on another host.
public enum FilesystemKind: Sendable, Equatable {
    case local
    case network(String)

    static let networkTypes: [Int: String] = [
        0x6969: "nfs", 0x517B: "smb", 0xFF53_4D42: "cifs", 0xFE53_4D42: "smb2", 0x6573_5546: "fuse",
        0x00C3_6400: "ceph", 0x0BD0_0BD0: "lustre", 0x5346_414F: "afs", 0x6B41_4653: "afs",
    ]

    static func of(_ directory: DirectoryHandle) -> FilesystemKind {
        let type = painpath_filesystem_type(directory.fd)
        guard type >= 0, let name = networkTypes[Int(type)] else { return .local }
        return .network(name)
    }

    public var isNetwork: Bool { if case .network = self { true } else { false } }
    public var name: String {
        switch self {
        case .local: "local"
        case .network(let name): name
        }
    }
}

extension ClaimProtocol {
    /// Probes work/: does renameat2(RENAME_NOREPLACE) work there? EINVAL, ENOSYS or EOPNOTSUPP
    /// mean a filesystem without it (GlusterFS and NFS answer EINVAL).
    static func probe(_ work: DirectoryHandle, node: String) -> ClaimProtocol {
        let first = ".painpath-probe-\(node)-\(getpid())"
        let second = first + "-renamed"
        let fd = openat(work.fd, first, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return .shared }
        close(fd)
        defer {
            unlinkat(work.fd, first, 0)
            unlinkat(work.fd, second, 0)
        }
        if painpath_rename_noreplace(work.fd, first, work.fd, second) == 0 { return .local }
        return [EINVAL, ENOSYS, EOPNOTSUPP].contains(errno) ? .shared : .local
    }
}

/// Claim names of the shared protocol: `NAME@NODE-N`; the input's own name is what comes before the
/// last `@`.
public enum ClaimName {
    public static func make(_ input: String, node: String, counter: Int) -> String { "\(input)@\(node)-\(counter)" }

    /// The input name of a work/ file, and the node that claimed it (nil for a local-protocol claim).
    public static func parse(_ name: String) -> (input: String, node: String?) {
        guard let at = name.lastIndex(of: "@") else { return (name, nil) }
        let suffix = name[name.index(after: at)...]
        guard let dash = suffix.lastIndex(of: "-"), !suffix[..<dash].isEmpty,
            Int(suffix[suffix.index(after: dash)...]) != nil
        else { return (name, nil) }
        return (String(name[..<at]), String(suffix[..<dash]))
    }
}

/// This machine's name as the default node name: letters, digits and dashes only.
public func defaultNodeName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    gethostname(&buffer, buffer.count - 1)
    let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return sanitizedNodeName(name)
}

public func sanitizedNodeName(_ name: String) -> String {
    let cleaned = name.filter { $0.isLetter || $0.isNumber || $0 == "-" }
    return cleaned.isEmpty ? "host" : cleaned
}
