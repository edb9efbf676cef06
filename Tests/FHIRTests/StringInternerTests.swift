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
}
