import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Structured logs: one event per line on stderr, `<priority>` first so journald files it under the
/// right level (SyslogLevelPrefix), then `event=NAME key=value …`. Values are file names, counts and
/// durations only — never anything read from a bundle (no names, ids, codes or values).
public struct EventLog: Sendable {
    public enum Priority: Int, Sendable {
        case error = 3
        case warning = 4
        case notice = 5
        case info = 6
        case debug = 7
    }

    let write: @Sendable (String) -> Void
    /// This instance's node name, on every line (several instances may share one inbox).
    var node: String?

    public init(write: @escaping @Sendable (String) -> Void = EventLog.standardError, node: String? = nil) {
        self.write = write
        self.node = node
    }

    /// The same log, with every line naming `node`.
    public func naming(node: String) -> EventLog { EventLog(write: write, node: node) }

    public static let standardError: @Sendable (String) -> Void = { line in
        let bytes = Array(line.utf8)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }

    public func log(_ priority: Priority, _ event: String, _ fields: KeyValuePairs<String, String> = [:]) {
        var line = "<\(priority.rawValue)>event=\(event)"
        for (key, value) in fields { line += " \(key)=\(Self.quote(value))" }
        if let node { line += " node=\(Self.quote(node))" }
        write(line + "\n")
    }

    /// Bare when safe, else quoted with `"` and `\` escaped; control characters never reach the log.
    static func quote(_ value: String) -> String {
        let safe =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy {
                $0.value > 0x20 && $0.value < 0x7f && $0 != "\"" && $0 != "=" && $0 != "\\"
            }
        if safe { return value }
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
