import FHIR
import Foundation
import Output
import PainPathTestKit
import Pipeline

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The checker over the repository's published profiles (not the in-memory ones: what is shipped).
let repositoryProfileChecker: ProfileChecker = try! ProfileChecker.load(
    directory: repositoryRoot.appendingPathComponent("profiles").path)

func pipeline(_ output: OutputOptions = OutputOptions()) -> Pipeline {
    Pipeline(terminology: repositoryTerminology, output: output)
}

/// Runs a fixture through the whole pipeline; the output is also kept for the independent
/// validator when PAINPATH_OUTPUT_DIR is set (`.ci/run` validates that folder with fhir.resources).
func recommend(_ fixture: CaseFixture, name: String, options: OutputOptions = OutputOptions()) throws
    -> Pipeline.Recommendation
{
    let recommendation = try pipeline(options).run(fixture.bundleJSON)
    keepForValidation(recommendation.bytes, name: name + "." + recommendation.format.rawValue)
    return recommendation
}

func keepForValidation(_ bytes: [UInt8], name: String) {
    guard let directory = ProcessInfo.processInfo.environment["PAINPATH_OUTPUT_DIR"], !directory.isEmpty else { return }
    try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: directory + "/" + name, contents: Data(bytes))
}

extension FHIRElement {
    /// The entry resources of a bundle of a type.
    func entries(_ type: String) -> [FHIRElement] {
        children("entry").compactMap { $0.child("resource") }.filter { $0.type == type }
    }
}
