/// One step of an element path (`entry[2]`), formatted only when a message needs it: readers
/// track the path for every element, so it must cost nothing until then.
struct PathStep {
    let name: String
    var index: Int?

    init(_ name: String, index: Int? = nil) {
        self.name = name
        self.index = index
    }

    /// `Bundle.entry[2].resource`, or nil for an empty path.
    static func text(_ steps: [PathStep]) -> String? {
        guard !steps.isEmpty else { return nil }
        return steps.map { step in step.index.map { "\(step.name)[\($0)]" } ?? step.name }.joined(separator: ".")
    }
}
