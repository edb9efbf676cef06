import ArgumentParser
import Case
import FHIR
import Foundation
import Terminology

/// The codes of a feed that matched no value set, across bundles: what an integration engineer
/// maps next (into a local profiles directory), most frequent first.
public struct FeedCodeReport: Sendable, Equatable {
    public struct Row: Sendable, Equatable {
        public let system: String
        public let code: String
        public var display: String?
        public var elements: [String]
        /// Bundles that carry it.
        public var bundles: Int
    }
    public private(set) var rows: [Row] = []
    public private(set) var bundlesRead = 0
    public private(set) var notUsable: [String] = []
    private var index: [CodeKey: Int] = [:]

    public init() {}

    mutating func add(_ codes: [UnmatchedCode]) {
        bundlesRead += 1
        for code in codes {
            let key = CodeKey(code.system, code.code)
            if let at = index[key] {
                rows[at].bundles += 1
                if rows[at].display == nil { rows[at].display = code.display }
                if !rows[at].elements.contains(code.element) { rows[at].elements.append(code.element) }
            } else {
                index[key] = rows.count
                rows.append(
                    Row(
                        system: code.system, code: code.code, display: code.display, elements: [code.element],
                        bundles: 1))
            }
        }
    }

    mutating func failed(_ path: String, _ why: String) { notUsable.append("\(path): \(why)") }

    /// Most bundles first; then by system and code, so the order is stable.
    public var sorted: [Row] {
        rows.sorted { ($0.bundles, $1.system, $1.code) > ($1.bundles, $0.system, $0.code) }
    }
}

extension CommandResult {
    /// `painpath codes PATH…`: every bundle of the files and directories (recursively; `.json` and
    /// `.xml`) read and made a case; the unmatched codes counted over the feed. Exit 0, 66 when no
    /// bundle could be read, 78 when the profiles cannot be loaded.
    public static func codes(
        paths: [String], json: Bool, profiles: String?, local: String?, limits: FHIRReadLimits
    ) -> CommandResult {
        let terminology: Terminology
        do { terminology = try Terminology.locateAndLoad(explicit: profiles, local: local) } catch {
            return CommandResult(exitCode: PreparedRun.exitConfig, stdout: [], stderr: "painpath: \(error)\n")
        }
        var report = FeedCodeReport()
        let reader = FHIRReader(limits: limits)
        let builder = CaseBuilder(terminology: terminology)
        for path in files(paths) {
            switch readFile(path, limit: limits.maxInputBytes) {
            case .failure: report.failed(path, "cannot be read")
            case .success(let bytes):
                do {
                    let bundle = try reader.read(bytes).result.resource
                    report.add(try builder.build(bundle: bundle).unmatchedCodes)
                } catch {
                    report.failed(path, "\(error)")
                }
            }
        }
        let stderr = report.notUsable.map { "painpath: \($0)\n" }.joined()
        guard report.bundlesRead > 0 else {
            return CommandResult(exitCode: exitNoInput, stdout: [], stderr: stderr + "painpath: no bundle read\n")
        }
        let text = json ? codesJSON(report) : codesText(report)
        return CommandResult(exitCode: 0, stdout: Array(text.utf8), stderr: stderr)
    }

    static func files(_ paths: [String]) -> [String] {
        var found: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                found.append(path)
                continue
            }
            guard isDirectory.boolValue else {
                found.append(path)
                continue
            }
            let enumerator = FileManager.default.enumerator(atPath: path)
            while let name = enumerator?.nextObject() as? String {
                let last = (name as NSString).lastPathComponent
                if last.hasPrefix(".") { continue }
                if name.hasSuffix(".json") || name.hasSuffix(".xml") { found.append(path + "/" + name) }
            }
        }
        return found.sorted()
    }

    static func codesText(_ report: FeedCodeReport) -> String {
        var lines = [
            "\(report.bundlesRead) bundle(s) read, \(report.notUsable.count) not usable; "
                + "\(report.rows.count) code(s) matched no value set", "",
            "bundles  system|code  display  (where)",
        ]
        for row in report.sorted {
            let display = row.display.map { "  \"\($0)\"" } ?? ""
            lines.append(
                "\(String(row.bundles).leftPadded(7))  \(row.system)|\(row.code)\(display)  "
                    + "(\(row.elements.joined(separator: ", ")))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func codesJSON(_ report: FeedCodeReport) -> String {
        let rows: [[String: Any]] = report.sorted.map {
            [
                "system": $0.system, "code": $0.code, "display": $0.display ?? NSNull(), "elements": $0.elements,
                "bundles": $0.bundles,
            ]
        }
        let object: [String: Any] = [
            "bundlesRead": report.bundlesRead, "notUsable": report.notUsable, "unmatchedCodes": rows,
        ]
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: options)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

struct Codes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Count the codes of a feed that matched no value set: what to map next.",
        discussion: """
            Reads every bundle of the files and directories given (directories recursively, .json and \
            .xml), builds each case, and lists the codes of Conditions, Procedures, ServiceRequests, \
            medicines and Observations that matched no value set, product or local map: system, code, \
            display, where they were found and in how many bundles, most frequent first. Map them in a \
            local profiles directory (profiles.local; --profiles-local here). Exit 0; 66 when no bundle \
            could be read; 78 when the profiles cannot be loaded.

            Examples:
              painpath codes feed-dump/
              painpath codes samples/*.json --json
              painpath codes feed-dump/ --profiles-local /etc/painpath/profiles.d
            """
    )

    @Argument(help: "Bundles, or directories of bundles.")
    var paths: [String]

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Option(name: .long, help: "The profiles directory (default: ./profiles, then the source tree's).")
    var profiles: String?

    @Option(name: .long, help: "A site's local profiles directory (default: PAINPATH_PROFILES_LOCAL).")
    var profilesLocal: String?

    @OptionGroup var options: ReadOptions

    func run() throws {
        try CommandResult.codes(
            paths: paths, json: json, profiles: profiles, local: profilesLocal, limits: options.limits
        ).emit()
    }
}
