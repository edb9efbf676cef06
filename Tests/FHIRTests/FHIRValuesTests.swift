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
