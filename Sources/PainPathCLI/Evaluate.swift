import ArgumentParser
import FHIR
import Foundation
import Output
import Pipeline

extension CommandResult {
    /// `painpath evaluate`: the recommendation bundle on stdout (exit 0), or the OperationOutcome
    /// of a bad input (exit 65), or 66 when the file cannot be read.
    public static func evaluate(
        path: String, now: String?, output: OutputOptions, profiles: String?, limits: FHIRReadLimits
    ) -> CommandResult {
        switch PreparedRun.prepare(path: path, now: now, profiles: profiles, limits: limits, output: output) {
        case .failure(let failure):
            return failure.result
        case .success(let prepared):
            do {
                let recommendation = try prepared.pipeline.run(prepared.bytes, now: prepared.now)
                let result = recommendation.evaluation.result
                let summary =
                    "\(path): \(result.recommendations.count) recommendation(s), \(result.warnings.count) warning(s); rules fired: "
                    + (result.firedRuleIds.isEmpty
                        ? "none" : result.firedRuleIds.map(\.rawValue).joined(separator: ", "))
                return CommandResult(exitCode: 0, stdout: recommendation.bytes, stderr: summary + "\n")
            } catch {
                return unreadable(path, error.error)
            }
        }
    }
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Evaluate a bundle and print the recommendation bundle painpathd would write.",
        discussion: """
            Reads the bundle (JSON or XML, told from the content), builds the case, applies the \
            guideline and writes the recommendation Bundle to stdout: a CarePlan (draft proposal with \
            a narrative for clinicians), ServiceRequests and MedicationRequests, a DetectedIssue per \
            warning and a Provenance naming the input by its SHA-256. The same file and --now give \
            byte-identical output. A one-line summary of the fired rules goes to stderr.

            Exit 0; 65 with an OperationOutcome on stdout when the input is not usable; 66 when the \
            file cannot be read; 64 for a bad --now; 78 when the profiles cannot be loaded.

            Examples:
              painpath evaluate samples/progressive-foot-drop.json > plan.json
              painpath evaluate samples/cauda-equina-syndrome.xml --now 2026-11-21T09:00:00Z --format json
              painpath evaluate case.json --bundle-type transaction | curl -X POST -H 'Content-Type: application/fhir+json' --data-binary @- $FHIR_BASE
            """
    )

    @Argument(help: "The FHIR Bundle, JSON or XML.")
    var file: String

    @Option(name: .long, help: "Evaluate at this time (ISO 8601) instead of the bundle's timestamp.")
    var now: String?

    @Option(name: .long, help: "Output encoding: json or xml (default: the input's).")
    var format: OutputFormat?

    @Option(name: .long, help: "Bundle type: collection (default) or transaction (entries with POST requests).")
    var bundleType: BundleTypeOption = .collection

    @Flag(name: .long, help: "Write without indentation.")
    var compact = false

    @Option(name: .long, help: "The profiles directory (default: ./profiles, then the source tree's).")
    var profiles: String?

    @OptionGroup var options: ReadOptions

    func run() throws {
        let output = OutputOptions(format: format?.format, bundleType: bundleType.type, pretty: !compact)
        try CommandResult.evaluate(path: file, now: now, output: output, profiles: profiles, limits: options.limits)
            .emit()
    }
}

enum BundleTypeOption: String, ExpressibleByArgument, CaseIterable {
    case collection, transaction
    var type: OutputOptions.BundleType { OutputOptions.BundleType(rawValue: rawValue)! }
}
