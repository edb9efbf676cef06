import Foundation

/// A directory of its own under the system's temporary directory, removed with everything in it when
/// the last reference goes. A suite that holds one as a property gets a fresh directory for each test
/// (Swift Testing makes a suite instance per test) and leaves nothing behind.
public final class ScratchDirectory: Sendable {
    public let path: String

    public init(_ prefix: String) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// A path inside the directory.
    public func file(_ name: String) -> String { path + "/" + name }

    /// Writes `text` to a file of the directory, in place: the directory is new and the test's own, so nobody reads
    /// a half-written file (an atomic write's temporary file and rename would buy nothing here).
    @discardableResult
    public func write(_ text: String, to name: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file(name)))
        return file(name)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
