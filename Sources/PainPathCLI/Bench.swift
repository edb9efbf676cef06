import ArgumentParser
import FHIR
import Foundation

/// `painpath bench`: per-stage timings of what exists so far (reading and writing FHIR), after a
/// warm-up, in one process. Foundation's JSONSerialization is timed on the same bytes as a
/// reference point. Later stages (case, guideline, output) join as they are built.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time reading and writing FHIR files (MB/s, files/s), after a warm-up.",
        discussion: """
            Use a release build for meaningful figures.

            Example:
              swift build -c release && .build/release/painpath bench big-bundle.json --iterations 20
            """
    )

    @Argument(help: "FHIR JSON or XML files.")
    var files: [String]

    @Option(name: .long, help: "Timed repetitions per file (after one warm-up).")
    var iterations = 10

    func run() throws {
        for path in files {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ValidationError("cannot read \(path)")
            }
            let bytes = [UInt8](data)
            let (first, format) = try FHIRReader().read(bytes)
            let resource = first.resource
            let megabytes = Double(bytes.count) / 1_000_000
            print("\(path): \(format.rawValue), \(bytes.count) bytes, \(iterations) iterations")
            report("read (parse + model)", megabytes) { _ = try? FHIRReader().read(bytes) }
            report("write json", megabytes) { _ = FHIRJSONWriter().write(resource) }
            report("write xml", megabytes) { _ = try? FHIRXMLWriter().write(resource) }
            if format == .json {
                report("reference: Foundation JSONSerialization (parse only)", megabytes) {
                    _ = try? JSONSerialization.jsonObject(with: data)
                }
            }
        }
    }

    private func report(_ stage: String, _ megabytes: Double, _ body: () -> Void) {
        body()  // warm-up
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000_000)
        var total = Duration.zero
        for _ in 0..<max(iterations, 1) {
            let elapsed = clock.measure(body)
            best = min(best, elapsed)
            total += elapsed
        }
        let mean = seconds(total) / Double(max(iterations, 1))
        let line = "  \(stage): mean \(format(mean * 1000)) ms, \(format(megabytes / mean)) MB/s, \(format(1 / mean)) files/s"
            + " (best \(format(seconds(best) * 1000)) ms)"
        print(line)
    }

    private func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private func format(_ value: Double) -> String { String(format: "%.1f", value) }
}
