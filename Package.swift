// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "PainPath",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "FHIR", targets: ["FHIR"]),
        .library(name: "Guideline", targets: ["Guideline"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Synth", targets: ["Synth"]),
        .executable(name: "painpath", targets: ["painpath"]),
        .executable(name: "painpathd", targets: ["painpathd"]),
        // libFuzzer targets (scripts/fuzz builds them with -sanitize=fuzzer -DFUZZING); a normal
        // build makes them replay drivers: `fuzz-json-reader FILE_OR_DIR...`.
        .executable(name: "fuzz-json-reader", targets: ["FuzzJSONReader"]),
        .executable(name: "fuzz-xml-reader", targets: ["FuzzXMLReader"]),
        .executable(name: "fuzz-pipeline", targets: ["FuzzPipeline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2")
    ],
    targets: [
        // libxml2 from the system (Debian: libxml2-dev), reached through a small shim header.
        .systemLibrary(
            name: "CLibXML2",
            pkgConfig: "libxml-2.0",
            providers: [.apt(["libxml2-dev"])]
        ),
        // libcrypto from the system (Debian: libssl-dev) for SHA-256 with the CPU's SHA extensions.
        .systemLibrary(
            name: "CLibCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // Stage 1: bytes ⇄ FHIR resources, JSON and XML, one model for both.
        .target(name: "FHIR", dependencies: ["CLibXML2"]),
        // Terminology: value sets, the RxNorm product map and MME factors, loaded from profiles/.
        .target(name: "Terminology", dependencies: ["FHIR"]),
        // Stage 2: resources → the facts of GUIDELINE.md §1.
        .target(name: "Case", dependencies: ["FHIR", "Terminology"]),
        // Stage 3: facts → recommendations, warnings and the explanation (GUIDELINE.md §2–§4).
        .target(name: "Guideline", dependencies: ["Case", "Terminology"]),
        // Stage 4: recommendations → the output Bundle (CarePlan, requests, DetectedIssues, Provenance)
        // and the knowledge artifacts of profiles/.
        .target(name: "Output", dependencies: ["FHIR", "Case", "Guideline", "CLibCrypto"]),
        // The four stages composed, bytes → bytes; shared by painpath and painpathd.
        .target(name: "Pipeline", dependencies: ["FHIR", "Terminology", "Case", "Guideline", "Output"]),
        // Synthetic case bundles for load and performance tests (painpath synth, benchmarks).
        .target(name: "Synth", dependencies: ["FHIR", "Case"]),
        // Linux calls Swift's Glibc module lacks: renameat2(RENAME_NOREPLACE), leases, signalfd setup.
        .target(name: "CSystemShim"),
        // The inbox daemon: watcher, claim protocol, workers, outbox writer, notify, signals, config.
        .target(name: "Daemon", dependencies: ["CSystemShim", "FHIR", "Terminology", "Case", "Output", "Pipeline"]),
        // The `painpath` command's subcommands, as a library the tests can call.
        .target(
            name: "PainPathCLI",
            dependencies: [
                "FHIR", "Terminology", "Case", "Guideline", "Output", "Pipeline", "Synth",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "painpath", dependencies: ["PainPathCLI", "FHIR"]),
        .executableTarget(
            name: "painpathd",
            dependencies: ["Daemon", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .target(name: "FuzzSupport", path: "Sources/FuzzSupport"),
        .executableTarget(name: "FuzzJSONReader", dependencies: ["FHIR", "FuzzSupport"]),
        .executableTarget(name: "FuzzXMLReader", dependencies: ["FHIR", "FuzzSupport"]),
        .executableTarget(
            name: "FuzzPipeline", dependencies: ["FHIR", "Output", "Pipeline", "Terminology", "FuzzSupport"]),
        // Test support: a FHIR bundle builder for cases, the repository's terminology.
        .target(name: "PainPathTestKit", dependencies: ["FHIR", "Terminology", "Case", "Guideline"]),
        .testTarget(name: "FHIRTests", dependencies: ["FHIR"]),
        .testTarget(
            name: "TerminologyTests",
            dependencies: ["Terminology", "FHIR", "Case", "Guideline", "PainPathCLI", "PainPathTestKit"]),
        .testTarget(name: "PainPathCLITests", dependencies: ["PainPathCLI", "FHIR", "Guideline", "PainPathTestKit"]),
        .testTarget(
            name: "GuidelineTests", dependencies: ["Guideline", "Case", "Terminology", "FHIR", "PainPathTestKit"]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon", "Pipeline", "Output", "FHIR", "PainPathTestKit"]),
        .testTarget(
            name: "OutputTests",
            dependencies: [
                "Output", "Pipeline", "Guideline", "Case", "Terminology", "FHIR", "PainPathTestKit", "Synth",
            ]),
    ],
    swiftLanguageModes: [.v6]
)

// Benchmarks (ordo-one/benchmark with malloc counts) only when asked for, so that the default build
// and CI do not fetch and compile the benchmark package:
//   PAINPATH_BENCHMARKS=1 swift package benchmark --target PipelineBenchmarks
if Context.environment["PAINPATH_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]))
    package.targets.append(
        .executableTarget(
            name: "PipelineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"), "FHIR", "Terminology", "Case", "Guideline", "Output",
                "Pipeline", "Synth",
            ],
            path: "Benchmarks/PipelineBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ))
}
