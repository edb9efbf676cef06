import ArgumentParser
import Case
import FHIR
import Foundation
import Guideline
import Output
import Pipeline
import Terminology

/// What `explain` and `evaluate` share: profiles located and loaded, `--now` parsed, the file read.
struct PreparedRun {
    static let exitConfig: Int32 = 78  // EX_CONFIG: the profiles cannot be loaded
    static let exitUsage: Int32 = 64  // EX_USAGE: a bad option value

    let pipeline: Pipeline
    let now: Date?
    let bytes: [UInt8]

    static func prepare(
        path: String, now: String?, profiles: String?, limits: FHIRReadLimits,
        output: OutputOptions = OutputOptions()
    ) -> Result<PreparedRun, FileReadFailure> {
        let terminology: Terminology
        do { terminology = try Terminology.locateAndLoad(explicit: profiles) } catch {
            return .failure(
                FileReadFailure(result: CommandResult(exitCode: exitConfig, stdout: [], stderr: "painpath: \(error)\n"))
            )
        }
        var override: Date?
        if let now {
            guard let parsed = ClinicalDate.parse(now) else {
                return .failure(
                    FileReadFailure(
                        result: CommandResult(
                            exitCode: exitUsage, stdout: [],
                            stderr: "painpath: --now \(now) is not an ISO 8601 date or date-time\n")))
            }
            override = parsed
        }
        switch readFile(path, limit: limits.maxInputBytes) {
        case .success(let bytes):
            return .success(
                PreparedRun(
                    pipeline: Pipeline(terminology: terminology, limits: limits, output: output), now: override,
                    bytes: bytes))
        case .failure(let failure):
            return .failure(failure)
        }
    }
}

/// The pipeline as far as the guideline: file → case → result.
struct GuidelineRun {
    let facts: ClinicalCase
    let result: GuidelineResult

    static func run(path: String, now: String?, profiles: String?, limits: FHIRReadLimits) -> Result<
        GuidelineRun, FileReadFailure
    > {
        switch PreparedRun.prepare(path: path, now: now, profiles: profiles, limits: limits) {
        case .failure(let failure): return .failure(failure)
        case .success(let prepared):
            do {
                let evaluation = try prepared.pipeline.evaluate(prepared.bytes, now: prepared.now)
                return .success(GuidelineRun(facts: evaluation.facts, result: evaluation.result))
            } catch {
                return .failure(FileReadFailure(result: CommandResult.unreadable(path, error)))
            }
        }
    }
}

extension CommandResult {
    public static func explain(path: String, now: String?, json: Bool, profiles: String?, limits: FHIRReadLimits)
        -> CommandResult
    {
        switch GuidelineRun.run(path: path, now: now, profiles: profiles, limits: limits) {
        case .failure(let failure):
            return failure.result
        case .success(let run):
            let text = json ? explanationJSON(run) : explanationText(run)
            return CommandResult(exitCode: 0, stdout: Array(text.utf8), stderr: "")
        }
    }

    /// `{rules: [{rule, fired, reasons, sources, kind, citation}], unmatchedCodes: [{system, code,
    /// display, element, references}]}`, keys sorted, rules in GUIDELINE order.
    static func explanationJSON(_ run: GuidelineRun) -> String {
        let rules: [[String: Any]] = run.result.explanation.map {
            [
                "rule": $0.rule.rawValue, "fired": $0.fired, "reasons": $0.reasons, "sources": $0.sources,
                "kind": $0.kind.rawValue, "citation": $0.citation.map(\.rawValue),
            ]
        }
        let unmatched: [[String: Any]] = run.facts.unmatchedCodes.map {
            [
                "system": $0.system, "code": $0.code, "display": $0.display ?? NSNull(), "element": $0.element,
                "references": $0.references,
            ]
        }
        let object: [String: Any] = [
            "rules": rules, "unmatchedCodes": unmatched, "leftOut": run.facts.leftOut,
            "mme": ["known": run.facts.mme.known, "unknownDose": run.facts.mme.unknownDose.flatMap(\.references)],
        ]
        let options: JSONSerialization.WritingOptions = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: options)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func explanationText(_ run: GuidelineRun) -> String {
        let c = run.facts
        var lines: [String] = []
        let age =
            c.age.map { ", age \($0)" } ?? c.birthDateAfterNow.map { ", born \($0), after now: age unknown" } ?? ""
        lines.append(
            "Case at \(ClinicalDate.dateTime(c.now)) (\(c.nowSource.rawValue)); \(c.patientReference)\(age), "
                + "\(c.setting.value.rawValue) care")
        let phenotypes = c.phenotypes.keys.sorted().map(\.rawValue)
        let duration = c.duration.map { "; \($0.stage.rawValue) (\(Int($0.weeks)) weeks)" } ?? ""
        lines.append("Phenotypes: " + (phenotypes.isEmpty ? "none" : phenotypes.joined(separator: ", ")) + duration)
        if !c.leftOut.isEmpty {
            lines.append("Left out, dated after now: \(c.leftOut.count) (\(c.leftOut.joined(separator: ", ")))")
        }
        for course in c.medications {
            let dose = course.dailyDoseMilligrams.map { ", \(format($0)) mg/day" } ?? ""
            let mme =
                course.isMOUD
                ? ", treatment of opioid use disorder" : course.mmePerDay.map { ", \(format($0)) MME/day" } ?? ""
            let unknown = course.opioidDoseUnknown && !course.isMOUD ? ", dose unknown" : ""
            lines.append("Medicine: \(course.summary) [\(course.isActive ? "current" : "past")\(dose)\(mme)\(unknown)]")
            for note in course.history { lines.append("  \(note)") }
        }
        if !c.mme.unknownDose.isEmpty || c.mme.known > 0 {
            let unknown = c.mme.unknownDose.map(\.label)
            lines.append(
                "MME/day: \(format(c.mme.known)) known"
                    + (unknown.isEmpty ? "" : "; dose unknown: " + unknown.joined(separator: ", ")))
        }
        lines.append("")
        for explanation in run.result.explanation {
            let mark = explanation.fired ? "FIRED " : "  --  "
            let citation = explanation.citation.map(\.rawValue).joined(separator: ", ")
            let sources = explanation.sources.isEmpty ? "" : " (" + explanation.sources.joined(separator: ", ") + ")"
            lines.append(
                "\(mark) \(explanation.rule.rawValue) [\(explanation.kind.rawValue); \(citation)]: "
                    + explanation.reasons.joined(separator: "; ") + sources)
        }
        lines.append("")
        let unmatched = c.unmatchedCodes
        lines.append("Codes that matched no value set: \(unmatched.isEmpty ? "none" : String(unmatched.count))")
        for code in unmatched {
            let display = code.display.map { " \"\($0)\"" } ?? ""
            lines.append(
                "  \(code.system)|\(code.code)\(display) — \(code.element) (\(code.references.joined(separator: ", ")))"
            )
        }
        lines.append("")
        lines.append("\(run.result.recommendations.count) recommendation(s), \(run.result.warnings.count) warning(s)")
        return lines.joined(separator: "\n") + "\n"
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show why each guideline rule fired or not for a bundle.",
        discussion: """
            Reads the bundle (JSON or XML), builds the case (GUIDELINE.md §1) and evaluates every rule. \
            Prints, for every rule id, FIRED or --, the reasons and the resources they come from, then the \
            codes of the bundle that matched no value set (what to map next). With --json: an object \
            {rules: [{rule, fired, reasons, sources, kind, citation}], unmatchedCodes: [{system, code, \
            display, element, references}]}. Exit 0; 65 with \
            an OperationOutcome on stdout when the bundle is not usable; 66 when unreadable.

            Examples:
              painpath explain samples/progressive-foot-drop.json
              painpath explain samples/cauda-equina-syndrome.xml --now 2026-11-21T09:00:00Z --json
            """
    )

    @Argument(help: "The FHIR Bundle, JSON or XML.")
    var file: String

    @Option(name: .long, help: "Evaluate at this time (ISO 8601) instead of the bundle's timestamp.")
    var now: String?

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    @Option(name: .long, help: "The profiles directory (default: ./profiles, then the source tree's).")
    var profiles: String?

    @OptionGroup var options: ReadOptions

    func run() throws {
        try CommandResult.explain(path: file, now: now, json: json, profiles: profiles, limits: options.limits).emit()
    }
}
