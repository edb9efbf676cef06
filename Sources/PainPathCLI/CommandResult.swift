import ArgumentParser
import FHIR

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a command produced: its exit code, the bytes for stdout and the text for stderr.
public struct CommandResult: Sendable, Equatable {
    public static let exitDataError: Int32 = 65  // EX_DATAERR: the input is not readable FHIR
    public static let exitNoInput: Int32 = 66  // EX_NOINPUT: the file cannot be read

    public var exitCode: Int32
    public var stdout: [UInt8]
    public var stderr: String

    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }

    /// Writes stdout and stderr and exits with the code (returns only for code 0).
    func emit() throws {
        writeAll(stdout, to: 1)
        writeAll(Array(stderr.utf8), to: 2)
        if exitCode != 0 { throw ExitCode(exitCode) }
    }

    // MARK: commands

    public static func validate(path: String, limits: FHIRReadLimits) -> CommandResult {
        let bytes: [UInt8]
        switch readFile(path, limit: limits.maxInputBytes) {
        case .success(let read): bytes = read
        case .failure(let failure): return failure.result
        }
        do {
            let (result, format) = try FHIRReader(limits: limits).read(bytes)
            let outcome = OperationOutcomeBuilder.outcome(error: nil, warnings: result.warnings)
            let summary =
                "\(path): readable \(result.resource.type) (\(format.rawValue))"
                + (result.warnings.isEmpty
                    ? "" : ", \(result.warnings.count) warning\(result.warnings.count == 1 ? "" : "s")")
            return CommandResult(exitCode: 0, stdout: FHIRJSONWriter().write(outcome), stderr: summary + "\n")
        } catch {
            return unreadable(path, error)
        }
    }

    public static func convert(path: String, to format: FHIRFormat, pretty: Bool, limits: FHIRReadLimits)
        -> CommandResult
    {
        let bytes: [UInt8]
        switch readFile(path, limit: limits.maxInputBytes) {
        case .success(let read): bytes = read
        case .failure(let failure): return failure.result
        }
        do {
            let (result, _) = try FHIRReader(limits: limits).read(bytes)
            let output = try FHIRWriter(pretty: pretty).write(result.resource, as: format)
            return CommandResult(exitCode: 0, stdout: output, stderr: "")
        } catch {
            return unreadable(path, error)
        }
    }

    /// Exit 65: the OperationOutcome on stdout, one line on stderr.
    static func unreadable(_ path: String, _ error: FHIRReadError) -> CommandResult {
        let outcome = OperationOutcomeBuilder.outcome(error: error)
        return CommandResult(
            exitCode: exitDataError, stdout: FHIRJSONWriter().write(outcome),
            stderr: "\(path): \(error.description)\n")
    }
}

/// write(2) until everything is written (pipes may take less at a time).
func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
    bytes.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}

struct FileReadFailure: Error {
    let result: CommandResult
}

/// Reads a whole file; a missing or unreadable file is exit 66. A file over the limit is read only
/// up to the limit + 1 bytes, so that the reader reports the limit without loading a huge file.
func readFile(_ path: String, limit: Int) -> Result<[UInt8], FileReadFailure> {
    guard let file = fopen(path, "rb") else {
        let reason = String(cString: strerror(errno))
        return .failure(
            FileReadFailure(
                result: CommandResult(
                    exitCode: CommandResult.exitNoInput, stdout: [],
                    stderr: "\(path): cannot read the file: \(reason)\n")))
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while bytes.count <= limit {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if count == 0 { break }
        bytes.append(contentsOf: chunk[0..<count])
    }
    if ferror(file) != 0 {
        let reason = String(cString: strerror(errno))
        return .failure(
            FileReadFailure(
                result: CommandResult(
                    exitCode: CommandResult.exitNoInput, stdout: [],
                    stderr: "\(path): cannot read the file: \(reason)\n")))
    }
    return .success(bytes)
}
