/// A property's values. Most properties hold one value: it is stored inline, so reading a resource does
/// not allocate an array per property (an array is made only for two values or more). Behaves as a
/// random-access collection; equal and hashed as the sequence of its values.
public struct FHIRValues: RandomAccessCollection, MutableCollection, RangeReplaceableCollection, Hashable, Sendable,
    ExpressibleByArrayLiteral
{
    // Usable from inlinable code: the hot accessors below are inlined into the readers of other modules. A call
    // that is not inlined is handed its values as a copy out of the property's array (the storage enum copied and
    // destroyed around the call, about 200 instructions), since the compiler cannot prove the array unchanged
    // during the call.
    @usableFromInline
    enum Storage: Sendable {
        case none
        case one(FHIRValue)
        case many([FHIRValue])
    }

    @usableFromInline
    var storage: Storage

    public init() { storage = .none }

    public init(_ values: [FHIRValue]) {
        switch values.count {
        case 0: storage = .none
        case 1: storage = .one(values[0])
        default: storage = .many(values)
        }
    }

    public init(_ value: FHIRValue) { storage = .one(value) }

    public init(arrayLiteral elements: FHIRValue...) { self.init(elements) }

    @inlinable public var startIndex: Int { 0 }

    @inlinable
    public var endIndex: Int {
        switch storage {
        case .none: 0
        case .one: 1
        case .many(let values): values.count
        }
    }

    public subscript(position: Int) -> FHIRValue {
        get {
            switch storage {
            case .one(let value):
                precondition(position == 0, "index out of range")
                return value
            case .many(let values): return values[position]
            case .none: preconditionFailure("index out of range")
            }
        }
        set {
            switch storage {
            case .one:
                precondition(position == 0, "index out of range")
                storage = .one(newValue)
            case .many(var values):
                storage = .none  // leaves the array uniquely referenced
                values[position] = newValue
                storage = .many(values)
            case .none: preconditionFailure("index out of range")
            }
        }
    }

    /// The first value without going through an index (the views' most common question).
    @inlinable
    public var first: FHIRValue? {
        switch storage {
        case .none: nil
        case .one(let value): value
        case .many(let values): values.first
        }
    }

    public mutating func append(_ value: FHIRValue) {
        switch storage {
        case .none: storage = .one(value)
        case .one(let existing): storage = .many([existing, value])
        case .many(var values):
            storage = .none  // leaves the array uniquely referenced for the append
            values.append(value)
            storage = .many(values)
        }
    }

    public var array: [FHIRValue] { Array(self) }

    /// Editing in general (removing, inserting) goes through an array; appending one value does not.
    public mutating func replaceSubrange<C: Collection>(_ subrange: Range<Int>, with newElements: C)
    where C.Element == FHIRValue {
        var values = Array(self)
        values.replaceSubrange(subrange, with: newElements)
        self = FHIRValues(values)
    }

    /// Walks the values without an index lookup per value (sequence algorithms — `compactMap`, `for in` —
    /// use this).
    public struct Iterator: IteratorProtocol {
        fileprivate var single: FHIRValue?
        fileprivate let values: [FHIRValue]
        fileprivate var index = 0

        public mutating func next() -> FHIRValue? {
            if let value = single {
                single = nil
                return value
            }
            guard index < values.count else { return nil }
            defer { index += 1 }
            return values[index]
        }
    }

    public func makeIterator() -> Iterator {
        switch storage {
        case .none: Iterator(single: nil, values: [])
        case .one(let value): Iterator(single: value, values: [])
        case .many(let values): Iterator(single: nil, values: values)
        }
    }

    /// Calls `body` with each `.element` value in place, in order (deferred resources, primitives and XHTML
    /// skipped, as `for case .element(let e) in values` does): no iterator and no copy of the values are made —
    /// the case stage asks this of every coding of every concept it reads.
    @inlinable @inline(__always)
    public func forEachElement(_ body: (FHIRElement) -> Void) {
        switch storage {
        case .none: return
        case .one(.element(let element)): body(element)
        case .one: return
        case .many(let values):
            for index in values.indices {
                if case .element(let element) = values[index] { body(element) }
            }
        }
    }

    /// `body` applied in place to the first value's element (a deferred resource built), nil when the first value
    /// is not an element or there is none: a view asking `period.start` of every encounter copied the period.
    @inlinable
    public func withFirstElement<Result>(_ body: (FHIRElement) -> Result) -> Result? {
        switch first {
        case .element(let element)?: body(element)
        case .deferred(let deferred)?: body(deferred.element)
        case .primitive?, .xhtml?, nil: nil
        }
    }

    /// Calls `body` with each value in place and its position, in order: no iterator and no copy of the values are
    /// made (the writers walk every element-valued property this way; through `enumerated()`, each value was copied
    /// out and released).
    @inlinable @inline(__always)
    public func forEachValue<Failure: Error>(_ body: (Int, FHIRValue) throws(Failure) -> Void) throws(Failure) {
        switch storage {
        case .none: return
        case .one(let value): try body(0, value)
        case .many(let values):
            for index in values.indices { try body(index, values[index]) }
        }
    }

    /// Whether every value is a primitive (true when there are none), asked in place.
    @inlinable
    public var areAllPrimitives: Bool {
        switch storage {
        case .none, .one(.primitive): return true
        case .one: return false
        case .many(let values):
            for index in values.indices {
                guard case .primitive = values[index] else { return false }
            }
            return true
        }
    }

    /// The type and lexical form of the only value, when it is one primitive without an id or extensions — most
    /// properties — bound inside the storage as `firstPrimitiveValue` is: the JSON and XML writers ask this of every
    /// property, and copying the property and its value around it was a fifth of writing.
    var singlePlainPrimitive: (type: String, value: String?)? {
        guard case .one(.primitive(let primitive)) = storage, !primitive.hasMetadata else { return nil }
        return (primitive.type, primitive.value)
    }

    /// The first value's lexical form when it is a primitive with one. The pattern binds the primitive inside the
    /// storage (`.one(.primitive(let p))`), so only its value is copied: through `first`, the whole value was copied
    /// and released around it (case −4 to −5 % instructions; a switch binding the value, `.one(let value)`, measured
    /// slower still, +17 %).
    @inlinable
    public var firstPrimitiveValue: String? {
        switch storage {
        case .one(.primitive(let primitive)): return primitive.value
        case .many(let values):
            guard case .primitive(let primitive)? = values.first else { return nil }
            return primitive.value
        default: return nil
        }
    }

    /// How many values are primitives with a lexical form (`compactMap { $0.primitive?.value }.count`, no array).
    public var lexicalCount: Int {
        switch storage {
        case .none: return 0
        case .one(let value): return value.primitive?.value != nil ? 1 : 0
        case .many(let values):
            var count = 0
            for index in values.indices where values[index].primitive?.value != nil { count += 1 }
            return count
        }
    }

    public static func == (lhs: FHIRValues, rhs: FHIRValues) -> Bool { lhs.elementsEqual(rhs) }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for value in self { hasher.combine(value) }
    }
}
