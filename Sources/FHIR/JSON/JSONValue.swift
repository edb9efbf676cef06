/// A parsed JSON document, as the FHIR JSON reader needs it: numbers keep their exact text,
/// object members keep their order and the byte offset of their key (for error positions).
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number's exact text (`12500.00`, `1e400`): never rounded through Double.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// How this value's JSON type is called in error messages.
    var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

struct JSONMember: Sendable {
    let key: String
    let value: JSONValue
    /// Byte offset of the key's opening quote in the input.
    let offset: Int
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
