import FHIR
import FuzzSupport

/// libFuzzer entry: any bytes through the JSON reader must give a model or an error, never a crash;
/// a model must write back as JSON and read again to the same model. Read again deferring every inner resource, the
/// same bytes must give the same error, or the same warnings and (built on use) the same model.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = FHIRReadLimits(maxInputBytes: 1 << 20, maxDepth: 100, maxStringBytes: 1 << 20)
    let deferring = Result { () throws(FHIRReadError) in
        try FHIRJSONReader(limits: limits, deferral: .allExcept([])).read(bytes)
    }
    let read: FHIRReadResult
    do {
        read = try FHIRJSONReader(limits: limits).read(bytes)
    } catch {
        guard case .failure(let deferredError) = deferring, deferredError == error else {
            fatalError("deferring resources changed the outcome: \(deferring) ≠ \(error)")
        }
        return 0
    }
    switch deferring {
    case .failure(let error): fatalError("deferring resources refused what the reader accepts: \(error)")
    case .success(let deferred):
        precondition(deferred.warnings == read.warnings, "deferring resources changed the warnings")
        precondition(FHIRJSONWriter().write(deferred.resource) == FHIRJSONWriter().write(read.resource))
        precondition(deferred.resource == read.resource, "a deferred resource built differently")
    }
    let written = FHIRJSONWriter().write(read.resource)
    guard
        let again = try? FHIRJSONReader(
            limits: FHIRReadLimits(maxInputBytes: 64 << 20, maxDepth: 100, maxStringBytes: 64 << 20)
        ).read(written)
    else {
        fatalError("the JSON written from a read model does not read back")
    }
    precondition(again.resource == read.resource, "JSON round trip changed the model")
    return 0
}

#if !FUZZING
    /// Without libFuzzer: replays the files given (crash inputs, a corpus) through the same function.
    @main
    struct ReplayJSONInputs {
        static func main() { replayFuzzInputs(fuzzJSONReader) }
    }
#endif
