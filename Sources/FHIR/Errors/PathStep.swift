/// One step of an element path (`entry[2]`), formatted only when a message needs it: readers
/// track the path for every element, so it must cost nothing until then.
struct PathStep {
    /// A step a reader names by a property of the definitions (most steps): held without reference counting,
    /// since the definitions outlive every read (the reader holds its schema), and a step is made for every
    /// property read. (An `Unmanaged`, not an `unowned(unsafe)` optional: stored in a struct of an array, that
    /// form lost the array's elements in debug builds with Swift 6.3 — every read failed its path bookkeeping.)
    private let property: Unmanaged<TypeDefinition.Property>?
    private let otherName: String?
    var index: Int?

    var name: String { property?.takeUnretainedValue().name ?? otherName ?? "" }

    init(_ name: String, index: Int? = nil) {
        property = nil
        otherName = name
        self.index = index
    }

    init(_ property: TypeDefinition.Property, index: Int? = nil) {
        self.property = Unmanaged.passUnretained(property)
        otherName = nil
        self.index = index
    }

    /// `Bundle.entry[2].resource`, or nil for an empty path.
    static func text(_ steps: [PathStep]) -> String? {
        guard !steps.isEmpty else { return nil }
        return steps.map { step in step.index.map { "\(step.name)[\($0)]" } ?? step.name }.joined(separator: ".")
    }
}
