import Testing

@testable import FHIR

#if canImport(Glibc)
    import Glibc
#endif

/// The parse-only stages `painpath bench` times beside the readers: they parse exactly what the readers parse, with
/// the same checks, and count what they found.
@Suite("parse-only benchmark stages")
struct ScanStageTests {
    @Test("the JSON scan counts every token of the tape, and refuses what the reader refuses")
    func jsonTokens() throws {
        // The object, its two keys, the string, the array and its two numbers.
        #expect(try JSONScan.tokenCount(Array(#"{"a":"x","b":[1,2]}"#.utf8)) == 7)
        #expect(throws: FHIRReadError.self) { try JSONScan.tokenCount(Array(#"{"a":}"#.utf8)) }
    }

    @Test("the XML parse counts every element, and refuses a DOCTYPE as the reader does")
    func xmlElements() throws {
        let patient = #"<Patient xmlns="http://hl7.org/fhir"><id value="p"/><name><family value="F"/></name></Patient>"#
        #expect(try XMLScan.elementCount(Array(patient.utf8)) == 4)
        let doctype = #"<!DOCTYPE Patient [<!ENTITY x "y">]><Patient xmlns="http://hl7.org/fhir"/>"#
        #expect(throws: FHIRReadError.self) { try XMLScan.elementCount(Array(doctype.utf8)) }
        #expect(throws: FHIRReadError.self) { try XMLScan.elementCount(Array("<Patient>".utf8)) }
    }
}

@Suite("allocator tuning")
struct AllocatorTuningTests {
    /// Under AddressSanitizer (`scripts/asan-tests`) the allocator is ASan's, whose `mallopt` takes nothing.
    private var allocatorIsReplaced: Bool { dlsym(nil, "__asan_init") != nil }

    @Test("the thread cache's count is added to GLIBC_TUNABLES, and a count the caller set is kept")
    func threadCacheTunable() {
        let tunable = AllocatorTuning.threadCacheTunable
        #expect(tunable == "glibc.malloc.tcache_count=32")
        #expect(AllocatorTuning.tunables(adding: tunable, to: nil) == tunable)
        #expect(AllocatorTuning.tunables(adding: tunable, to: "") == tunable)
        #expect(
            AllocatorTuning.tunables(adding: tunable, to: "glibc.malloc.trim_threshold=131072")
                == "glibc.malloc.trim_threshold=131072:" + tunable)
        #expect(AllocatorTuning.tunables(adding: tunable, to: "glibc.malloc.tcache_count=7") == nil)
        #expect(
            AllocatorTuning.tunables(adding: tunable, to: "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=0") == nil
        )
        // Another name that begins the same is not the count.
        #expect(
            AllocatorTuning.tunables(adding: tunable, to: "glibc.malloc.tcache_count_x=1")
                == "glibc.malloc.tcache_count_x=1:" + tunable)
    }

    @Test("glibc takes the setting that turns its fast bins off (the commands ask it first thing)")
    func fastBinsOff() {
        #if canImport(Glibc)
            #expect(AllocatorTuning.disableFastBins() == !allocatorIsReplaced)
        #else
            #expect(!AllocatorTuning.disableFastBins())
        #endif
    }
}
