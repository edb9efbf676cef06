/// One step of the element path a reader is at, for messages (`Bundle.entry[2].resource`). Plain (no references
/// counted): a step is made for every property read, and the JSON reader keeps its path in a `TrivialBuffer`.
struct PathStep {
    /// Where the step's name comes from. The definitions are held without reference counting: they outlive every
    /// read (the reader holds its schema). (An `Unmanaged`, not an `unowned(unsafe)` optional: stored in a struct
    /// of an array, that form lost the array's elements in debug builds with Swift 6.3 — every read failed its path
    /// bookkeeping.)
    private enum Name {
        case property(Unmanaged<TypeDefinition.Property>)
        case type(Unmanaged<TypeDefinition>)
        case literal(StaticString)
    }

    private let source: Name
    var index: Int?

    var name: String {
        switch source {
        case .property(let property): property._withUnsafeGuaranteedRef { $0.name }
        case .type(let type): type._withUnsafeGuaranteedRef { $0.name }
        case .literal(let literal): literal.description
        }
    }

    /// A property's step (`name`, `given[2]`).
    init(_ property: TypeDefinition.Property, index: Int? = nil) {
        source = .property(Unmanaged.passUnretained(property))
        self.index = index
    }

    /// A resource's step, named by its type (`Patient`).
    init(type: Unmanaged<TypeDefinition>) {
        source = .type(type)
    }

    /// A step the definitions do not name (`extension`, read as the Extension type).
    init(literal: StaticString) {
        source = .literal(literal)
    }

    /// `Bundle.entry[2].resource`, with `child` (a name as written, which may be unknown) after the steps; nil for no
    /// step at all.
    static func text(_ steps: some Sequence<PathStep>, child: String? = nil) -> String? {
        var names = steps.map { step in step.index.map { "\(step.name)[\($0)]" } ?? step.name }
        if let child { names.append(child) }
        return names.isEmpty ? nil : names.joined(separator: ".")
    }
}
