import FHIR
import Foundation
import FuzzSupport
import Output
import Pipeline
import Terminology

/// The pipeline with the repository's profiles, loaded once.
let fuzzPipeline: Pipeline = {
    guard let terminology = try? Terminology.locateAndLoad() else {
        fatalError("fuzz-pipeline needs the profiles (run from the repository root or set PAINPATH_PROFILES)")
    }
    return Pipeline(
        terminology: terminology,
        limits: FHIRReadLimits(maxInputBytes: 1 << 20, maxDepth: 100, maxStringBytes: 1 << 20),
        clock: { Date(timeIntervalSince1970: 1_795_000_000) })
}()
let fuzzChecker: ProfileChecker = {
    guard let checker = try? ProfileChecker.load(directory: fuzzPipeline.terminology.source) else {
        fatalError("fuzz-pipeline needs the profiles")
    }
    return checker
}()

/// libFuzzer entry: bytes → recommendation bundle or OperationOutcome, never a crash; a bundle
/// must conform to PainPath's output profiles, and an OperationOutcome must be readable FHIR.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWholePipeline(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let recommendation = try fuzzPipeline.run(bytes)
        let issues = fuzzChecker.check(recommendation.bundle)
        precondition(issues.isEmpty, "output breaks the profiles: \(issues)")
    } catch {
        precondition(
            (try? FHIRReader().read(error.outcomeJSON))?.result.resource.type == "OperationOutcome",
            "unreadable OperationOutcome")
    }
    return 0
}

#if !FUZZING
    @main
    struct ReplayPipelineInputs {
        static func main() { replayFuzzInputs(fuzzWholePipeline) }
    }
#endif
