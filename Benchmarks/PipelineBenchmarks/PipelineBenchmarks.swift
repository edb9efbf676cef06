import Benchmark
import Case
import FHIR
import Foundation
import Guideline
import Output
import Pipeline
import Synth
import Terminology

/// ordo-one/benchmark suites for the pipeline's stages on small, typical (~50 KB) and large (~1 MB)
/// synthetic bundles: JSON parse, XML parse, the case stage, SHA-256, evaluate (case + guideline + output
/// bundle), serialize;
/// with wall clock, throughput and malloc counts (MallocInterposer).
///   PAINPATH_BENCHMARKS=1 swift package benchmark --target PipelineBenchmarks
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        maxDuration: .seconds(3), maxIterations: 200)
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let terminology = try! Terminology.load(from: root.appendingPathComponent("profiles").path)
    let pipeline = Pipeline(terminology: terminology)
    let builder = CaseBuilder(terminology: terminology)
    let engine = GuidelineEngine()
    let output = RecommendationBundleBuilder(profilesDigest: terminology.digest)

    for size in SyntheticBundles.Size.allCases {
        let model = SyntheticBundles(seed: 7, size: size).bundle(0)
        let json = FHIRJSONWriter(pretty: false).write(model)
        let xml = try! FHIRXMLWriter(pretty: false).write(model)
        let facts = try! builder.build(bundle: model)
        let result = engine.evaluate(facts)
        let bundle = output.build(facts: facts, result: result, inputSHA256: SHA256.hex(json))
        let label = "\(size.rawValue) (\(json.count / 1000) KB JSON)"

        Benchmark("JSON parse, \(label)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try? FHIRReader().read(json)) }
        }
        Benchmark("XML parse, \(label)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try? FHIRReader().read(xml)) }
        }
        Benchmark("case stage, \(label)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try? builder.build(bundle: model)) }
        }
        Benchmark("SHA-256, \(label)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(SHA256.hex(json)) }
        }
        Benchmark("evaluate (case, guideline, output), \(label)") { benchmark in
            for _ in benchmark.scaledIterations {
                let facts = try! builder.build(bundle: model)
                let result = engine.evaluate(facts)
                blackHole(output.build(facts: facts, result: result, inputSHA256: "0"))
            }
        }
        Benchmark("serialize JSON, \(label)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(FHIRJSONWriter().write(bundle)) }
        }
        Benchmark("pipeline end to end, \(label)") { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try? pipeline.run(json)) }
        }
    }
}
