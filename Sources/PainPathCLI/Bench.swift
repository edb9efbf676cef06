import ArgumentParser
import Case
import FHIR
import Foundation
import Guideline
import Output
import Pipeline
import Terminology

/// `painpath bench`: per-stage timings of the whole pipeline in one process, after a warm-up:
/// read (parse + model), case, guideline, output bundle, serialization — each with MB/s of input
/// and bundles/s — and the full pipeline end to end.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time each stage of the pipeline (read, case, guideline, output, serialize) on files.",
        discussion: """
            Use a release build for meaningful figures. Each stage runs once as a warm-up, then \
            --iterations times; the mean, MB/s of input and bundles/s are printed, then the totals \
            over all files. Foundation's JSONSerialization (parse only) is timed on the same bytes as \
            a reference point.

            Example:
              swift build -c release && .build/release/painpath bench samples/*.json --iterations 20
              painpath synth --count 5 --size large --out /tmp/large && painpath bench /tmp/large/*.json
            """
    )

    @Argument(help: "FHIR bundles, JSON or XML.")
    var files: [String]

    @Option(name: .long, help: "Timed repetitions per file and stage (after one warm-up).")
    var iterations = 10

    @Option(name: .long, help: "The profiles directory (default: ./profiles, then the source tree's).")
    var profiles: String?

    @Option(
        name: .long,
        help: "Time only the stages whose names contain this text (e.g. 'case'), for a profiler's sake.")
    var only: String?

    @Flag(help: "Print the totals as JSON (seconds per pass over all files, per stage) for scripts.")
    var json = false

    func run() throws {
        let terminology = try Terminology.locateAndLoad(explicit: profiles)
        let builder = CaseBuilder(terminology: terminology)
        let engine = GuidelineEngine()
        let output = RecommendationBundleBuilder(profilesDigest: terminology.digest)
        let pipeline = Pipeline(terminology: terminology)
        var totals: [String: Double] = [:]
        var totalBytes = 0
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read \(path)")
            }
            let bytes = [UInt8](data)
            totalBytes += bytes.count
            // Read as the pipeline reads, so that the case stage below does the pipeline's work on the same model.
            let (read, format) = try FHIRReader(deferral: Pipeline.deferral).read(bytes)
            let megabytes = Double(bytes.count) / 1_000_000
            // A file the pipeline cannot evaluate (a single resource of the official corpus) is timed
            // for reading and hashing only.
            let evaluated = try? { () throws -> (ClinicalCase, GuidelineResult, FHIRElement) in
                let facts = try builder.build(bundle: read.resource)
                let result = engine.evaluate(facts)
                return (facts, result, output.build(facts: facts, result: result, inputSHA256: SHA256.hex(bytes)))
            }()
            if !json {
                print(
                    "\(path): \(format.rawValue), \(bytes.count) bytes, \(iterations) iterations"
                        + (evaluated == nil ? " (not a case bundle: read and SHA-256 only)" : ""))
            }
            func stage(_ name: String, _ body: () -> Void) {
                if let only, !name.contains(only) { return }
                let mean = measure(body)
                totals[name, default: 0] += mean
                if !json {
                    print(
                        "  \(name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(fmt(mean * 1000, 3)) ms  \(fmt(megabytes / mean, 1)) MB/s  \(fmt(1 / mean, 1)) bundles/s"
                    )
                }
            }
            stage("read (parse + model)") { _ = try? FHIRReader().read(bytes) }
            // As the pipeline reads: resources of types the case stage does not read checked, built on first use.
            stage("read, deferring") { _ = try? FHIRReader(deferral: Pipeline.deferral).read(bytes) }
            if format == .json {
                // The part of reading that is the JSON scan to a tape (no strings, no model).
                stage("json scan (tape only)") { _ = try? JSONScan.tokenCount(bytes) }
            } else {
                // The part of reading that is libxml2's parse to its tree, and freeing it (no model).
                stage("xml parse (libxml2)") { _ = try? XMLScan.elementCount(bytes) }
            }
            stage("sha-256 of input") { _ = SHA256.hex(bytes) }
            if let (facts, result, bundle) = evaluated {
                let digest = SHA256.hex(bytes)
                stage("case") { _ = try? builder.build(bundle: read.resource) }
                stage("guideline") { _ = engine.evaluate(facts) }
                stage("output bundle") { _ = output.build(facts: facts, result: result, inputSHA256: digest) }
                stage("serialize (\(format.rawValue))") { _ = try? FHIRWriter().write(bundle, as: format) }
                stage("pipeline end to end") { _ = try? pipeline.run(bytes) }
            }
            if format == .json {
                stage("ref: JSONSerialization") { _ = try? JSONSerialization.jsonObject(with: data) }
            }
        }
        // The allocator's settings are part of what was measured (AllocatorTuning): printed with the figures.
        let tunables = ProcessInfo.processInfo.environment["GLIBC_TUNABLES"] ?? ""
        if json {
            let stages = totals.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ")
            let quotedTunables = String(decoding: try JSONEncoder().encode(tunables), as: UTF8.self)
            print(
                "{\"files\": \(files.count), \"bytes\": \(totalBytes), \"glibcTunables\": \(quotedTunables), "
                    + "\"seconds\": {\(stages)}}")
            return
        }
        guard files.count > 1 else { return }
        let megabytes = Double(totalBytes) / 1_000_000
        print("all \(files.count) files, \(totalBytes) bytes (GLIBC_TUNABLES=\(tunables)):")
        for (name, seconds) in totals.sorted(by: { $0.value > $1.value }) {
            print(
                "  \(name.padding(toLength: 22, withPad: " ", startingAt: 0)) \(fmt(seconds * 1000, 3)) ms  \(fmt(megabytes / seconds, 1)) MB/s  \(fmt(Double(files.count) / seconds, 1)) bundles/s"
            )
        }
    }

    /// Mean seconds per run, after one warm-up run.
    private func measure(_ body: () -> Void) -> Double {
        body()
        let clock = ContinuousClock()
        var total = Duration.zero
        for _ in 0..<max(iterations, 1) { total += clock.measure(body) }
        return (Double(total.components.seconds) + Double(total.components.attoseconds) / 1e18)
            / Double(max(iterations, 1))
    }

    private func fmt(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}
