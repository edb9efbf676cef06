import Testing

@testable import FHIR

/// The reader makes each distinct long string of a document once: the same bytes give the same String, sharing
/// its storage; different bytes never give a stored one; the table grows and stays bounded.
@Suite("string interner")
struct StringInternerTests {
    private func string(_ interner: inout StringInterner, _ text: String) -> String {
        Array(text.utf8).withUnsafeBufferPointer { interner.string($0) }
    }

    private func storage(_ text: String) -> UnsafePointer<UInt8>? { text.withUTF8Bytes { $0.baseAddress } }

    @Test func repeatedBytesShareOneString() {
        var interner = StringInterner()
        let first = string(&interner, "http://terminology.hl7.org/CodeSystem/observation-category")
        let again = string(&interner, "http://terminology.hl7.org/CodeSystem/observation-category")
        #expect(first == again)
        #expect(storage(first) == storage(again), "the repeat is the stored String, not a copy")
        let other = string(&interner, "http://terminology.hl7.org/CodeSystem/observation-categorY")
        #expect(other == "http://terminology.hl7.org/CodeSystem/observation-categorY")
        #expect(storage(other) != storage(first))
    }

    @Test func everyValueReadsBackExactlyThroughGrowth() {
        var interner = StringInterner()
        // Thousands of distinct values (the table doubles many times), each asked twice, lengths 16–70 so that
        // the hash's last-word path is taken at every offset.
        let values = (0..<5_000).map { n in "urn:uuid:value" + String(repeating: "x", count: n % 55) + "-\(n)-é" }
        var first: [String] = []
        for value in values { first.append(string(&interner, value)) }
        for (index, value) in values.enumerated() {
            let again = string(&interner, value)
            #expect(again == value)
            #expect(storage(again) == storage(first[index]))
        }
    }

    @Test func pastTheBoundStringsAreStillExact() {
        var interner = StringInterner()
        for n in 0..<StringInterner.maxEntries { _ = string(&interner, "value-number-\(n)-of-many") }
        let late = string(&interner, "a value after the table is full")
        #expect(late == "a value after the table is full")
        let lateAgain = string(&interner, "a value after the table is full")
        #expect(lateAgain == late)
        #expect(storage(lateAgain) != storage(late), "not stored: the table is bounded")
        #expect(
            storage(string(&interner, "value-number-7-of-many")) == storage(string(&interner, "value-number-7-of-many"))
        )
    }

    @Test func theReaderSharesRepeatedValuesOfADocument() throws {
        let system = "http://terminology.hl7.org/CodeSystem/observation-category"
        let json = """
            {"resourceType":"Observation","status":"final",
             "category":[{"coding":[{"system":"\(system)","code":"vital-signs"}]},
                         {"coding":[{"system":"\(system)","code":"laboratory"}]}],
             "code":{"text":"x"}}
            """
        let observation = try FHIRJSONReader().read(Array(json.utf8)).resource
        let systems = observation.children("category").compactMap { $0.children("coding").first?.string("system") }
        #expect(systems == [system, system])
        #expect(storage(systems[0]) == storage(systems[1]))
    }

    /// The hash is not keyed: a document can be written whose values all have one hash. Crafted here (24-byte ASCII
    /// strings: the last word chosen to undo the first two), each such value still reads back exactly, and no more
    /// than `maxProbe` of them are stored — the rest are made without a search past the bound, so a hostile document
    /// costs at most `maxProbe` comparisons per string. (Without the bound every one is stored in one run.)
    @Test func valuesCraftedToCollideAreBoundedAndExact() {
        let values = Self.collidingValues(count: 300)
        let hashes = Set(values.map { value in Array(value.utf8).withUnsafeBufferPointer { StringInterner.hash($0) } })
        #expect(values.count == 300 && hashes.count == 1, "the values are distinct and share one hash")
        var interner = StringInterner()
        for value in values { #expect(string(&interner, value) == value) }
        #expect(interner.storedCount <= StringInterner.maxProbe)
        #expect(StringInterner.maxProbe <= 64, "a small bound: 300 colliding values are mostly not stored")
        #expect(interner.storedCount > 0)
        for value in values.prefix(5) { #expect(string(&interner, value) == value) }
    }

    /// Distinct 24-byte ASCII strings with one hash: two random words, then the third solved for a fixed target
    /// (each step of the hash is invertible), kept when it is ASCII too.
    static func collidingValues(count: Int) -> [String] {
        let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
        var inverse = multiplier
        for _ in 0..<6 { inverse = inverse &* (2 &- multiplier &* inverse) }
        func mix(_ value: UInt64) -> UInt64 {
            let product = value &* multiplier
            return product ^ product >> 29
        }
        func unmix(_ value: UInt64) -> UInt64 { (value ^ value >> 29 ^ value >> 58) &* inverse }
        let target: UInt64 = 0x0123_4567_89AB_CDEF
        var generator = SystemRandomNumberGenerator()
        var values = Set<String>()
        while values.count < count {
            let first = generator.next() & 0x3F3F_3F3F_3F3F_3F3F | 0x4040_4040_4040_4040
            let second = generator.next() & 0x3F3F_3F3F_3F3F_3F3F | 0x4040_4040_4040_4040
            let state = mix(mix(UInt64(24) &* multiplier ^ first) ^ second)
            let third = unmix(target) ^ state
            guard third & 0x8080_8080_8080_8080 == 0 else { continue }
            var bytes: [UInt8] = []
            for word in [first, second, third] {
                withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) }
            }
            values.insert(String(decoding: bytes, as: UTF8.self))
        }
        return Array(values)
    }
}
