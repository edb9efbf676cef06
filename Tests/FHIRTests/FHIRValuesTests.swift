import FHIR
import Testing

/// A property's values: one stored inline, several in an array; the same collection either way.
@Suite("FHIRValues")
struct FHIRValuesTests {
    let a = FHIRValue.string("a"), b = FHIRValue.string("b"), c = FHIRValue.code("c")

    @Test func behavesAsTheArrayOfItsValues() {
        for values in [[], [a], [a, b], [a, b, c]] as [[FHIRValue]] {
            let stored = FHIRValues(values)
            #expect(Array(stored) == values && stored.count == values.count && stored.first == values.first)
            #expect(stored.map(\.primitive?.value) == values.map(\.primitive?.value))
            var iterated: [FHIRValue] = []
            for value in stored { iterated.append(value) }
            #expect(iterated == values)
        }
    }

    @Test("walked in place: each value with its position, and whether all are primitives")
    func walkedInPlaceWithPositions() {
        let element = FHIRValue.element(FHIRElement(type: "Coding"))
        for values in [[], [a], [element], [a, b, c], [a, element, b], [element, element]] as [[FHIRValue]] {
            var walked: [(Int, FHIRValue)] = []
            FHIRValues(values).forEachValue { walked.append(($0, $1)) }
            #expect(walked.map(\.0) == Array(values.indices) && walked.map(\.1) == values)
            #expect(FHIRValues(values).areAllPrimitives == values.allSatisfy { $0.primitive != nil }, "\(values)")
        }
        // A throwing walk stops at the value that throws.
        struct Stop: Error {}
        var seen = 0
        #expect(throws: Stop.self) {
            try FHIRValues([a, b, c]).forEachValue { (position, _) throws(Stop) in
                seen += 1
                if position == 1 { throw Stop() }
            }
        }
        #expect(seen == 2)
    }

    @Test func appendingGrowsFromNoneToOneToMany() {
        var values = FHIRValues()
        #expect(values.isEmpty)
        values.append(a)
        #expect(values == [a] && values.count == 1)
        values.append(b)
        values.append(c)
        #expect(Array(values) == [a, b, c])
        values[1] = c
        #expect(Array(values) == [a, c, c])
        values.removeLast()
        #expect(Array(values) == [a, c])
        values.removeAll()
        #expect(values.isEmpty && values == FHIRValues())
    }

    @Test func equalAndHashedAsTheSequence() {
        #expect(FHIRValues([a]) == FHIRValues(a))
        #expect(FHIRValues([a, b]) != FHIRValues([b, a]))
        #expect(Set([FHIRValues([a, b]), FHIRValues([a, b]), FHIRValues([a])]).count == 2)
        // Two readings of one resource compare equal whichever way their values were built.
        var built = FHIRValues()
        built.append(a)
        built.append(b)
        #expect(built == FHIRValues([a, b]) && built.hashValue == FHIRValues([a, b]).hashValue)
    }
}

/// A primitive's id and extensions (kept in one box that only primitives carrying them have): equal and
/// hashed by what they hold, however they were set, and gone again when cleared.
@Suite("FHIRPrimitive")
struct FHIRPrimitiveTests {
    let extensionElement = FHIRElement(
        type: "Extension", properties: [FHIRProperty(name: "url", values: [.uri("urn:x")])])

    @Test func idAndExtensionsReadAsSetAndCompareByValue() {
        var built = FHIRPrimitive(type: "date", value: "1970")
        #expect(!built.hasMetadata && built.id == nil && built.extensions.isEmpty)
        built.id = "d1"
        built.extensions = [extensionElement]
        let given = FHIRPrimitive(type: "date", value: "1970", id: "d1", extensions: [extensionElement])
        #expect(built.hasMetadata && built.id == "d1" && built.extensions == [extensionElement])
        #expect(built == given && built.hashValue == given.hashValue)
        #expect(built != FHIRPrimitive(type: "date", value: "1970", id: "d2", extensions: [extensionElement]))
        #expect(built != FHIRPrimitive(type: "date", value: "1970", id: "d1"))
    }

    @Test func clearingBothLeavesAPlainPrimitive() {
        var primitive = FHIRPrimitive(type: "string", value: "x", id: "i", extensions: [extensionElement])
        let copy = primitive
        primitive.id = nil
        #expect(primitive.hasMetadata, "the extension is still there")
        primitive.extensions = []
        #expect(!primitive.hasMetadata)
        #expect(primitive == FHIRPrimitive(type: "string", value: "x"))
        #expect(copy.id == "i" && copy.extensions.count == 1, "a copy keeps its own id and extensions")
    }

    /// The in-place readers give what the copying ones give: every `.element` in order (primitives and deferred
    /// resources passed over, as `for case .element(let e) in values` does), the first element (a deferred one
    /// built), the first primitive's lexical form.
    @Test func inPlaceReadersAgreeWithTheCopyingOnes() throws {
        let a = FHIRValue.string("a")
        let coding = FHIRElement(type: "Coding").with("code", .code("x"))
        let other = FHIRElement(type: "Coding").with("code", .code("y"))
        let deferredBundle = try FHIRJSONReader(deferral: .allExcept([])).read(
            Array(
                #"{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","id":"p"}}]}"#
                    .utf8)
        ).resource
        let deferred = try #require(deferredBundle.children("entry").first?["resource"].first)
        guard case .deferred = deferred else {
            Issue.record("expected a deferred resource")
            return
        }
        let cases: [[FHIRValue]] = [
            [], [a], [.element(coding)], [a, .element(coding)], [.element(coding), a, .element(other)],
            [deferred, .element(coding)],
        ]
        for values in cases {
            let stored = FHIRValues(values)
            var visited: [FHIRElement] = []
            stored.forEachElement { visited.append($0) }
            var expected: [FHIRElement] = []
            for case .element(let element) in values { expected.append(element) }
            #expect(visited == expected)
            #expect(stored.withFirstElement { $0 } == values.first?.element)
            #expect(stored.firstPrimitiveValue == values.first?.primitive?.value)
        }
        let period = FHIRElement(type: "Period").with("start", .primitive("dateTime", "2026-01-02"))
        let encounter = FHIRElement(type: "Encounter").with("period", .element(period))
            .with(
                "type", .element(FHIRElement(type: "CodeableConcept").with("coding", .element(coding), .element(other)))
            )
        #expect(encounter.string("period", "start") == encounter.child("period")?.string("start"))
        #expect(encounter.string("period", "end") == nil && encounter.string("location", "start") == nil)
        var codes: [String?] = []
        encounter.child("type")?.forEachElement(of: "coding") { codes.append($0.string("code")) }
        #expect(codes == ["x", "y"])
        encounter.forEachElement(of: "status") { _ in Issue.record("a primitive is not an element") }
        #expect(encounter.has("period") && !encounter.has("status"))
    }
    @Test("setting FHIRValues: one value or many in canonical order, none removes, the same as setting an array")
    func settingValuesKeepsCanonicalOrder() {
        let code = FHIRValue.primitive("code", "x")
        let system = FHIRValue.primitive("uri", "http://example.org")
        var coding = FHIRElement(type: "Coding")
        coding.set("code", FHIRValues(code))
        coding.set("system", FHIRValues(system))
        #expect(coding.properties.map(\.name) == ["system", "code"])
        #expect(coding == FHIRElement(type: "Coding").with("code", code).with("system", system))
        var concept = FHIRElement(type: "CodeableConcept")
        concept.set("text", FHIRValues(.string("pain")))
        concept.set("coding", FHIRValues([.element(coding), .element(coding)]))
        #expect(concept.properties.map(\.name) == ["coding", "text"])
        #expect(concept["coding"].count == 2)
        concept.set("coding", FHIRValues())
        #expect(concept.properties.map(\.name) == ["text"])
        var view = FHIRElement(type: "Reference")
        view.setPrimitive("display", "string", "Dr")
        view.setElement("identifier", FHIRElement(type: "Identifier").with("value", .string("1")))
        view.setPrimitive("reference", "string", "Patient/1")
        #expect(view.properties.map(\.name) == ["reference", "identifier", "display"])
        view.setPrimitive("display", "string", nil)
        view.setElement("identifier", nil)
        #expect(view.properties.map(\.name) == ["reference"])
    }
}

/// What the case stage reads of quantities and numbers, in one pass and without the general parse where it need not.
@Suite("quantities and numbers as the case stage reads them")
struct QuantityAndNumberTests {
    @Test func aNumberIsWhatTheGeneralParseGives() {
        let texts = [
            "0", "1", "-0", "-7", "007", "30", "123456789012345", "1234567890123456", "99999999999999999999", "1.5",
            "0.25", "-2.50", "1e3", "1E-2", "", "-", "--1", "+1", " 1", "1 ", "1a", "0x10", "inf", "nan", "١٢",
        ]
        for text in texts {
            let general = Double(text)
            let read = Double(fhirNumber: text)
            #expect(read == general || (read?.isNaN == true && general?.isNaN == true), "\(text)")
            #expect(read?.sign == general?.sign, "\(text)")
        }
    }

    @Test func aQuantityReadsEachOfItsPropertiesOnce() {
        let element = FHIRElement(type: "Quantity")
            .with("value", .primitive("decimal", "2.50"))
            .with("comparator", .code("<"))
            .with("unit", .string("mg/h"))
            .with("system", .uri("http://unitsofmeasure.org"))
            .with("code", .code("mg/h"))
        let quantity = Quantity(element)
        #expect(
            quantity
                == Quantity(
                    value: "2.50", unit: "mg/h", system: "http://unitsofmeasure.org", code: "mg/h",
                    comparator: "<"))
        #expect(quantity.number == 2.5)
        // A value that carries only an extension has no lexical form; names of other lengths are not mistaken.
        let extended = FHIRElement(type: "Quantity")
            .with("value", .primitive(FHIRPrimitive(type: "decimal", value: nil, id: "v")))
            .with("unit", .string("tablet"))
        #expect(Quantity(extended) == Quantity(value: nil, unit: "tablet"))
        #expect(Quantity(FHIRElement(type: "Quantity")) == Quantity(value: nil))
    }

    @Test func lexicalValuesAreCountedAsTheirStringsAre() {
        let withoutValue = FHIRValue.primitive(FHIRPrimitive(type: "code", value: nil, id: "x"))
        for values in [[], [.code("MORN")], [.code("MORN"), withoutValue, .code("EVE")], [withoutValue]]
            as [[FHIRValue]]
        {
            let element = FHIRElement(type: "Timing.repeat", properties: [FHIRProperty(name: "when", values: values)])
            #expect(element.lexicalValueCount("when") == element.strings("when").count)
            #expect(FHIRValues(values).lexicalCount == values.compactMap { $0.primitive?.value }.count)
        }
        #expect(FHIRElement(type: "Timing.repeat").lexicalValueCount("when") == 0)
    }

    @Test func aChildIsAskedInPlace() {
        let dosage = FHIRElement(type: "Dosage")
            .with("timing", .element(FHIRElement(type: "Timing").with("event", .primitive("dateTime", "2026-01-01"))))
        #expect(dosage.withChild("timing") { $0.string("event") } == "2026-01-01")
        #expect(dosage.withChild("route") { $0.type } == nil)
        #expect(dosage.withChild("timing") { $0.type } == dosage.child("timing")?.type)
    }
}
