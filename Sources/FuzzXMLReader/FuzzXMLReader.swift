import FHIR
import FuzzSupport

/// libFuzzer entry: any bytes through the XML reader (libxml2 with NONET only, DOCTYPE refused)
/// must give a model or an error, never a crash; a model must write back as XML and read again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXMLReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = FHIRReadLimits(maxInputBytes: 1 << 20, maxDepth: 100, maxStringBytes: 1 << 20)
    guard let read = try? FHIRXMLReader(limits: limits).read(bytes) else { return 0 }
    // Some models cannot be written as XML (e.g. control characters): a clean error is fine.
    guard let written = try? FHIRXMLWriter().write(read.resource) else { return 0 }
    guard
        let again = try? FHIRXMLReader(
            limits: FHIRReadLimits(maxInputBytes: 64 << 20, maxDepth: 100, maxStringBytes: 64 << 20)
        ).read(written)
    else {
        fatalError("the XML written from a read model does not read back")
    }
    precondition(again.resource == read.resource, "XML round trip changed the model")
    return 0
}

#if !FUZZING
    @main
    struct ReplayXMLInputs {
        static func main() { replayFuzzInputs(fuzzXMLReader) }
    }
#endif
