/// One value of a parsed JSON document. Objects and arrays are followed on the tape by their
/// members (key token, then value) or items; `next` skips a whole value.
struct JSONToken {
    enum Kind: UInt8 {
        case object, array, string, number, bool, null
    }

    static let asciiFlag: UInt8 = 1
    static let escapedFlag: UInt8 = 2

    var kind: Kind
    /// Strings: ascii / escaped; booleans: 1 for true.
    var flags: UInt8
    /// Byte offset in the input where the value starts (the opening quote or bracket).
    var start: Int32
    /// Strings and numbers: the length of the content in bytes. Containers: the length of the whole value, brackets
    /// included (a deferred resource is read again from these bytes).
    var length: Int32
    /// Containers: the number of members or items. Escaped strings: the offset in `unescaped`.
    var count: Int32
    /// Index of the token after this value (and everything inside it).
    var next: Int32
}

/// A parsed JSON document as one flat array of tokens over the input bytes. Numbers keep their
/// exact text; strings are created only when the reader asks for them.
///
/// Pointers into the parser's arrays, valid inside `JSONParser.withTape`: copying the tape costs nothing
/// (the reader passes it to every method, and a struct of arrays retains and releases each array per call).
struct JSONTape {
    let bytes: UnsafeBufferPointer<UInt8>
    let tokens: UnsafeBufferPointer<JSONToken>
    /// The unescaped content of strings that had escapes.
    let unescaped: UnsafeBufferPointer<UInt8>

    func kindDescription(_ index: Int) -> String {
        switch tokens[index].kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The text of a string or number token (the literal text of true/false/null otherwise).
    func text(_ index: Int) -> String {
        let token = tokens[index]
        if token.kind == .string {
            if token.flags & JSONToken.escapedFlag != 0 {
                return String(
                    decoding: UnsafeBufferPointer(
                        rebasing: unescaped[Int(token.count)..<Int(token.count + token.length)]),
                    as: UTF8.self)
            }
            let start = Int(token.start) + 1
            return String(
                decoding: UnsafeBufferPointer(rebasing: bytes[start..<start + Int(token.length)]), as: UTF8.self)
        }
        return String(
            decoding: UnsafeBufferPointer(rebasing: bytes[Int(token.start)..<Int(token.start + token.length)]),
            as: UTF8.self)
    }

    /// The bytes of a string without escapes, in the input (nil for a string that had escapes: its
    /// content is in `unescaped`, and readers take the `text` path for those few).
    @inline(__always)
    func unescapedBytes(_ index: Int) -> UnsafeBufferPointer<UInt8>? {
        let token = tokens[index]
        guard token.kind == .string, token.flags & JSONToken.escapedFlag == 0 else { return nil }
        let start = Int(token.start) + 1
        return UnsafeBufferPointer(rebasing: bytes[start..<start + Int(token.length)])
    }

    /// The index of the first child token of a container (its first key, or its first item).
    @inline(__always)
    func firstChild(_ index: Int) -> Int { index + 1 }

    /// The indices of an array's items.
    func items(_ index: Int) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(Int(tokens[index].count))
        var child = index + 1
        for _ in 0..<tokens[index].count {
            result.append(child)
            child = Int(tokens[child].next)
        }
        return result
    }
}

/// Maps byte offsets to 1-based line and column, computed only when an error or warning needs one.
struct LineIndex {
    private let lineStarts: [Int]

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") {
            starts.append(index + 1)
        }
        lineStarts = starts
    }

    init(_ bytes: [UInt8]) {
        self = bytes.withUnsafeBufferPointer { LineIndex($0) }
    }

    func position(of offset: Int) -> (line: Int, column: Int) {
        // The last line start ≤ offset (binary search).
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return (low + 1, offset - lineStarts[low] + 1)
    }
}
