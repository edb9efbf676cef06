/// A growable run of plain values (no references to count) for the readers' and writers' innermost loops: the JSON
/// tape's tokens (one per value of the document) and unescaped bytes, the properties and path of the elements being
/// read from JSON or XML (one per member), the bytes written as JSON, XML or canonical XHTML. An Array checked its
/// uniqueness and capacity through calls on every append, patch and pop — a twentieth of the scan — and popped a
/// range through its general `replaceSubrange`.
///
/// Its owner frees it (`deallocate`) when done with it, on every path: the parser, the tape and tree walkers and the
/// writers do so with `defer` right where they make it.
struct TrivialBuffer<Element: BitwiseCopyable> {
    private(set) var base: UnsafeMutablePointer<Element>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    @inline(__always)
    mutating func append(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Appends the values at once (one copy).
    @inline(__always)
    mutating func append(contentsOf elements: UnsafeBufferPointer<Element>) {
        guard let source = elements.baseAddress else { return }
        if count + elements.count > capacity { grow(toFit: count + elements.count) }
        (base + count).initialize(from: source, count: elements.count)
        count += elements.count
    }

    @inline(never)
    private mutating func grow(toFit needed: Int = 0) {
        var larger = capacity * 2
        while larger < needed { larger *= 2 }
        let moved = UnsafeMutablePointer<Element>.allocate(capacity: larger)
        moved.moveInitialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }

    /// Drops the values from `newCount` on (nothing to deinitialize: they are plain).
    @inline(__always)
    mutating func removeLast(downTo newCount: Int) {
        precondition(newCount >= 0 && newCount <= count, "TrivialBuffer: bad count")
        count = newCount
    }

    /// A value already appended.
    subscript(index: Int) -> Element {
        @inline(__always) get { base[index] }
        @inline(__always) nonmutating set { base[index] = newValue }
    }

    /// The values in `range`, in place (valid until the next append).
    func values(_ range: Range<Int>) -> UnsafeMutableBufferPointer<Element> {
        UnsafeMutableBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// Every value, in place (valid until the next append).
    var all: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }

    func deallocate() { base.deallocate() }
}

extension TrivialBuffer where Element == UInt8 {
    /// Appends a string's UTF-8 bytes (one copy).
    mutating func append(utf8 text: String) {
        // In place: `withUTF8` needs a mutable copy of the string (a retain and a release each). Only a string
        // bridged from another runtime has no contiguous UTF-8 (none on Linux).
        if text.utf8.withContiguousStorageIfAvailable({ append(contentsOf: $0) }) == nil {
            var text = text
            text.withUTF8 { append(contentsOf: $0) }
        }
    }

    /// Appends a literal's UTF-8 bytes (one copy).
    mutating func append(literal: StaticString) {
        literal.withUTF8Buffer { append(contentsOf: $0) }
    }
}
