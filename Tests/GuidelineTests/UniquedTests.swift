import Case
import Testing

/// `uniqued` keeps the first of each value in order: short lists are scanned, longer ones hashed; both agree.
@Suite("uniqued: each value once, in order")
struct UniquedTests {
    /// The reference: each value kept when it was not seen before.
    private func reference(_ values: [String]) -> [String] {
        var kept: [String] = []
        for value in values where !kept.contains(value) { kept.append(value) }
        return kept
    }

    @Test("lists of every length up to 40, with repeats near and far, scanned or hashed")
    func agreesWithTheReference() {
        for length in 0...40 {
            let values = (0..<length).map { "Observation/\(($0 * 7) % max(1, length / 2 + 1))" }
            #expect(values.uniqued() == reference(values), "length \(length)")
        }
        #expect(["b", "a", "b", "c", "a"].uniqued() == ["b", "a", "c"])
        #expect([String]().uniqued().isEmpty)
    }
}
