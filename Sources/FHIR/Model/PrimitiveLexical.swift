/// Checks of a primitive's lexical form against its FHIR R4 type.
///
/// `structuralProblem` finds what would change the JSON shape or meaning of a number or boolean
/// (an error: `12,5` as a decimal cannot be written back as a JSON number). `formatProblem` finds
/// what is merely untidy (a bad date, an id breaking the id pattern): a warning, the value is kept.
/// Which lexical check a primitive type gets; resolved once per schema property, not per value.
public enum LexicalCheck: Sendable {
    case boolean, integer, decimal, id, date, dateTime, instant, base64, string

    public init(fhirType: String) {
        switch fhirType {
        case "boolean": self = .boolean
        case "integer", "positiveInt", "unsignedInt": self = .integer
        case "decimal": self = .decimal
        case "id": self = .id
        case "date": self = .date
        case "dateTime": self = .dateTime
        case "instant": self = .instant
        case "base64Binary": self = .base64
        default: self = .string
        }
    }

    /// Numbers and booleans: a wrong lexical form would change the JSON shape (an error).
    var needsStructuralCheck: Bool {
        switch self {
        case .boolean, .integer, .decimal: true
        default: false
        }
    }
}

enum PrimitiveLexical {
    static func structuralProblem(_ value: String, type: String) -> String? {
        switch type {
        case "boolean":
            return value == "true" || value == "false" ? nil : "'\(clip(value))' is not a boolean (true or false)"
        case "integer", "positiveInt", "unsignedInt":
            guard isInteger(value) else { return "'\(clip(value))' is not an integer" }
            if type == "positiveInt", value.hasPrefix("-") || value.allSatisfy({ $0 == "0" }) {
                return "'\(clip(value))' is not a positive integer"
            }
            if type == "unsignedInt", value.hasPrefix("-") { return "'\(clip(value))' is not an unsigned integer" }
            return nil
        case "decimal":
            return isJSONNumber(value) ? nil : "'\(clip(value))' is not a decimal number"
        default:
            return nil
        }
    }

    static func formatProblem(_ value: String, type: String) -> String? {
        formatProblem(value, check: LexicalCheck(fhirType: type))
    }

    static func formatProblem(_ value: String, check: LexicalCheck) -> String? {
        guard value.withUTF8Bytes({ hasFormatProblem($0, check: check) }) else { return nil }
        switch check {
        case .boolean, .integer, .decimal: return nil
        case .id: return "'\(clip(value))' is not a valid id (1–64 of A–Z, a–z, 0–9, '-', '.')"
        case .date: return "'\(clip(value))' is not a valid date"
        case .dateTime: return "'\(clip(value))' is not a valid dateTime"
        case .instant: return "'\(clip(value))' is not a valid instant"
        case .base64: return "'\(clip(value))' is not valid base64"
        case .string: return "an empty string (FHIR strings must not be empty)"
        }
    }

    /// The check of `formatProblem` on the value's UTF-8 bytes: a reader that does not keep the value (a deferred
    /// resource) makes a String only for the message.
    static func hasFormatProblem(_ bytes: UnsafeBufferPointer<UInt8>, check: LexicalCheck) -> Bool {
        switch check {
        case .boolean, .integer, .decimal:
            return false  // structural; see structuralProblem
        case .id:
            return !((1...64).contains(bytes.count) && allHave(bytes, ByteClass.id))
        case .date:
            return !matchesDate(bytes, allowTime: false)
        case .dateTime:
            return !matchesDate(bytes, allowTime: true)
        case .instant:
            return !(matchesDate(bytes, allowTime: true) && bytes.count > 10)
        case .base64:
            return !allHave(bytes, ByteClass.base64OrSpace)
        case .string:
            return bytes.isEmpty
        }
    }

    static func isInteger(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
        return !bytes.isEmpty && bytes.count <= 12 && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// The JSON number grammar, which FHIR decimals share.
    static func isJSONNumber(_ text: String) -> Bool { text.withUTF8Bytes(isJSONNumber) }

    private static func isJSONNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        func digits() -> Int {
            let start = i
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 { i += 1 }
            return i - start
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        let intDigits = digits()
        guard intDigits > 0, !(intDigits > 1 && bytes[intStart] == 0x30) else { return false }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return false }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return false }
        }
        return i == bytes.count
    }

    /// YYYY, YYYY-MM, YYYY-MM-DD, and with `allowTime` THH:MM:SS(.fff)(Z|±HH:MM).
    static func matchesDate(_ text: String, allowTime: Bool) -> Bool {
        // On the bytes in place: the readers check every date they read, and an array per date cost about 5 % of
        // reading a Synthea bundle.
        text.withUTF8Bytes { matchesDate($0, allowTime: allowTime) }
    }

    private static func matchesDate(_ b: UnsafeBufferPointer<UInt8>, allowTime: Bool) -> Bool {
        func digit(_ i: Int) -> Bool { i < b.count && b[i] >= 0x30 && b[i] <= 0x39 }
        func digits(_ i: Int, _ n: Int) -> Bool { (i..<i + n).allSatisfy(digit) }
        guard b.count >= 4, digits(0, 4) else { return false }
        if b.count == 4 { return true }
        guard b.count >= 7, b[4] == UInt8(ascii: "-"), digits(5, 2) else { return false }
        if b.count == 7 { return true }
        guard b.count >= 10, b[7] == UInt8(ascii: "-"), digits(8, 2) else { return false }
        if b.count == 10 { return true }
        guard allowTime, b[10] == UInt8(ascii: "T"), b.count >= 19, digits(11, 2), b[13] == UInt8(ascii: ":"),
            digits(14, 2), b[16] == UInt8(ascii: ":"), digits(17, 2)
        else { return false }
        var i = 19
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while digit(i) { i += 1 }
            guard i > start else { return false }
        }
        if i < b.count, b[i] == UInt8(ascii: "Z") { return i + 1 == b.count }
        guard i + 6 == b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"),
            digits(i + 1, 2), b[i + 3] == UInt8(ascii: ":"), digits(i + 4, 2)
        else { return false }
        return true
    }

    /// `allSatisfy` over the UTF-8 bytes in place.
    @inline(__always)
    static func allBytes(_ text: String, _ predicate: (UInt8) -> Bool) -> Bool {
        text.withUTF8Bytes { $0.allSatisfy(predicate) }
    }

    /// The classes of a byte, one table lookup per byte: base64 attachments are the longest values of a resource
    /// (an official example carries kilobytes of them), and a chain of range tests per byte cost more than the
    /// rest of reading them.
    private enum ByteClass {
        static let id: UInt8 = 1
        static let base64OrSpace: UInt8 = 2
        static let table: [UInt8] = (0..<256).map { value in
            let byte = UInt8(value)
            return (isIdByte(byte) ? id : 0)
                | (isBase64Byte(byte) || byte == 0x20 || byte == 0x0A || byte == 0x0D ? base64OrSpace : 0)
        }
    }

    private static func allHave(_ bytes: UnsafeBufferPointer<UInt8>, _ byteClass: UInt8) -> Bool {
        ByteClass.table.withUnsafeBufferPointer { table in
            // Classes of eight bytes combined before one test: no early exit per byte.
            var index = 0
            while index + 8 <= bytes.count {
                var all: UInt8 = byteClass
                for offset in 0..<8 { all &= table[Int(bytes[index + offset])] }
                if all == 0 { return false }
                index += 8
            }
            while index < bytes.count {
                if table[Int(bytes[index])] & byteClass == 0 { return false }
                index += 1
            }
            return true
        }
    }

    private static func isIdByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A) || byte == 0x2D || byte == 0x2E
    }

    private static func isBase64Byte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
            || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
    }

    /// A value quoted in a message, shortened so that a huge hostile string does not flood the log.
    static func clip(_ value: String) -> String {
        value.count <= 60 ? value : String(value.prefix(57)) + "..."
    }
}
