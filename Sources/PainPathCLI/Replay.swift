import ArgumentParser
import FHIR
import Foundation
import Guideline
import Output
import Pipeline
import Terminology

extension CommandResult {
    /// `painpath replay`: every input of a directory evaluated at its own time and compared by
    /// meaning with its expected output (`EXPECTED/STEM.careplan.EXT`), and with the rules it
    /// declares beside it (`DIR/STEM.rules`, when present). Exit 0 when all match, 1 on any
    /// difference, broken declaration or missing expectation; `update` writes the expectations
    /// instead (a broken declaration still fails).
    public static func replay(
        directory: String, expected: String?, update: Bool, profiles: String?, limits: FHIRReadLimits
    ) -> CommandResult {
        let expectedDirectory = expected ?? directory + "/expected"
        let terminology: Terminology
        do { terminology = try Terminology.locateAndLoad(explicit: profiles) } catch {
            return CommandResult(exitCode: PreparedRun.exitConfig, stdout: [], stderr: "painpath: \(error)\n")
        }
        let pipeline = Pipeline(terminology: terminology, limits: limits)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
                .filter { !$0.hasPrefix(".") && ($0.hasSuffix(".json") || $0.hasSuffix(".xml")) }
        } catch {
            return CommandResult(
                exitCode: exitNoInput, stdout: [], stderr: "painpath: cannot read the directory \(directory)\n")
        }
        if update {
            try? FileManager.default.createDirectory(atPath: expectedDirectory, withIntermediateDirectories: true)
        }
        var lines: [String] = []
        var differing = 0
        var updated = 0
        for name in names {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                lines.append("✘ \(name): cannot read")
                differing += 1
                continue
            }
            let recommendation: Pipeline.Recommendation
            do { recommendation = try pipeline.run([UInt8](data)) } catch {
                lines.append("✘ \(name): not usable: \(error.error.description)")
                differing += 1
                continue
            }
            let expectedName = ResultNames.result(forInput: name, format: recommendation.format)
            let expectedPath = expectedDirectory + "/" + expectedName
            let fired = recommendation.evaluation.result.firedRuleIds
            let declared = declarationProblems(directory: directory, input: name, fired: fired)
            if !declared.isEmpty {
                differing += 1
                lines.append("✘ \(name): breaks its declaration \(declarationName(name))")
                for line in declared { lines.append("    \(line)") }
            }
            let previous = FileManager.default.contents(atPath: expectedPath).flatMap {
                try? FHIRReader().read([UInt8]($0)).result.resource
            }
            let comparison = previous.map { DecisionComparison(expected: $0, actual: recommendation.bundle) }
            if update {
                if previous == nil || comparison?.isSame == false
                    || FileManager.default.contents(atPath: expectedPath).map({ [UInt8]($0) }) != recommendation.bytes
                {
                    _ = FileManager.default.createFile(atPath: expectedPath, contents: Data(recommendation.bytes))
                    updated += 1
                    lines.append(
                        "↻ \(name): expectation \(previous == nil ? "written" : "rewritten") (\(fired.count) rules fire)"
                    )
                    for line in comparison?.report ?? [] { lines.append("    \(line)") }
                } else {
                    lines.append("✔ \(name): unchanged")
                }
                continue
            }
            guard let comparison else {
                lines.append("✘ \(name): no expectation \(expectedName) (run with --update to write it)")
                differing += 1
                continue
            }
            if comparison.isSame {
                lines.append("✔ \(name): \(fired.count) rules fire, as expected")
            } else {
                differing += 1
                lines.append("✘ \(name): differs from \(expectedName)")
                for line in comparison.report { lines.append("    \(line)") }
            }
        }
        let summary =
            update && differing > 0
            ? "\(names.count) case(s), \(updated) expectation(s) written, \(differing) break their declarations"
            : update
                ? "\(names.count) case(s), \(updated) expectation(s) written"
                : "\(names.count) case(s), \(differing) differ"
        return CommandResult(
            exitCode: differing == 0 ? 0 : 1, stdout: Array((lines + [summary]).joined(separator: "\n").utf8) + [10],
            stderr: "")
    }
}

/// `STEM.rules` for an input `STEM.json` or `STEM.xml`.
func declarationName(_ input: String) -> String {
    let stem = input.hasSuffix(".json") ? input.dropLast(5) : input.hasSuffix(".xml") ? input.dropLast(4) : input[...]
    return stem + ".rules"
}

/// The input's declared rules checked against what fired; none when it declares nothing.
func declarationProblems(directory: String, input: String, fired: [RuleID]) -> [String] {
    guard let data = FileManager.default.contents(atPath: directory + "/" + declarationName(input)) else { return [] }
    do {
        return try DeclaredRules(parsing: String(decoding: data, as: UTF8.self)).violations(fired: fired)
    } catch {
        return ["\(declarationName(input)): \(error.description)"]
    }
}

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate every bundle of a directory and compare the decisions with the expected outputs.",
        discussion: """
            Each input (DIR/NAME.json or .xml) is evaluated at its own time (its Bundle.timestamp) and \
            its recommendation bundle compared by meaning with EXPECTED/NAME.careplan.json (or .xml): \
            which rules fire or no longer fire, which resources appear or go, and what changed in each \
            (priority, codes, due dates, reasons, narrative…); ids and fullUrls are not compared. Exit 0 \
            when everything matches, 1 on any difference. Beside an input, NAME.rules may declare the \
            rules the case must fire and must not (lines `fire: ID…` and `quiet: ID…`); a broken \
            declaration fails too, with or without --update. --update writes the expectations from \
            the current engine and prints what changed; review and commit them.

            Examples:
              painpath replay samples
              painpath replay feed-dump/ --expected feed-dump/golden
              painpath replay samples --update
            """
    )

    @Argument(help: "The directory of input bundles.")
    var directory: String

    @Option(name: .long, help: "The directory of expected outputs (default: DIR/expected).")
    var expected: String?

    @Flag(name: .long, help: "Write the expected outputs instead of comparing.")
    var update = false

    @Option(name: .long, help: "The profiles directory (default: ./profiles, then the source tree's).")
    var profiles: String?

    @OptionGroup var options: ReadOptions

    func run() throws {
        try CommandResult.replay(
            directory: directory, expected: expected, update: update, profiles: profiles, limits: options.limits
        ).emit()
    }
}
