/// A strict RFC 8259 JSON parser over UTF-8 bytes, written for speed and for clear errors: each one
/// says what was expected at which line and column.
///
/// It builds a `JSONTape` (one flat array of tokens, no tree of arrays and strings): the FHIR
/// mapping walks the tape and creates strings only for the values it keeps.
///
/// Limits: nesting depth and string length (`FHIRReadLimits`); exceeding one is an error, never a
/// crash. Rejects what FHIR JSON does not allow: comments, trailing commas, unquoted names,
/// invalid UTF-8, lone surrogates, content after the value, a UTF-16/32 byte order mark.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private let limits: FHIRReadLimits
    private var index = 0
    private var tokens: TrivialBuffer<JSONToken>
    /// Escaped strings' unescaped bytes (the tape's side buffer); freed with the tokens.
    private var unescaped = TrivialBuffer<UInt8>(capacity: 256)

    /// Parses a whole document and gives its tape to `body` (valid only inside it). A leading UTF-8 byte
    /// order mark is skipped.
    static func withTape<Result>(
        _ bytes: UnsafeBufferPointer<UInt8>, limits: FHIRReadLimits,
        _ body: (JSONTape) throws(FHIRReadError) -> Result
    ) throws(FHIRReadError) -> Result {
        guard bytes.count < Int(Int32.max) else {
            throw FHIRReadError(.limit, "the input is too large for the JSON parser")
        }
        // About one token per 12 bytes of FHIR JSON; reserving avoids most regrowth.
        var parser = JSONParser(bytes: bytes, limits: limits, expectedTokens: bytes.count / 12 + 16)
        defer {
            parser.tokens.deallocate()
            parser.unescaped.deallocate()
        }
        try parser.parseDocument()
        return try body(JSONTape(bytes: bytes, tokens: parser.tokens.all, unescaped: parser.unescaped.all))
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, limits: FHIRReadLimits, expectedTokens: Int) {
        self.bytes = bytes
        self.limits = limits
        self.tokens = TrivialBuffer(capacity: expectedTokens)
    }

    private mutating func parseDocument() throws(FHIRReadError) {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        if bytes.count >= 2, (bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE) {
            throw error("the input is UTF-16 or UTF-32 (byte order mark); FHIR JSON must be UTF-8", at: 0)
        }
        skipWhitespace()
        guard index < bytes.count else { throw error("the input is empty", at: index) }
        try parseValue(depth: 0)
        skipWhitespace()
        if index < bytes.count {
            throw error("unexpected \(describeByte(at: index)) after the end of the JSON document", at: index)
        }
    }

    private mutating func appendScalar(
        _ kind: JSONToken.Kind, start: Int, length: Int, flags: UInt8 = 0, extra: Int = 0
    ) {
        tokens.append(
            JSONToken(
                kind: kind, flags: flags, start: Int32(start), length: Int32(length),
                count: Int32(extra), next: Int32(tokens.count + 1)))
    }

    // MARK: values

    private mutating func parseValue(depth: Int) throws(FHIRReadError) {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value", at: index) }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "{"): try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): try parseString()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            appendScalar(.bool, start: start, length: 4, flags: 1)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            appendScalar(.bool, start: start, length: 5)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            appendScalar(.null, start: start, length: 4)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            try parseNumber()
            appendScalar(.number, start: start, length: index - start)
        case UInt8(ascii: "/"): throw error("comments are not allowed in JSON", at: index)
        default:
            throw error(
                "unexpected \(describeByte(at: index)), expected a value (string values need double quotes)", at: index)
        }
    }

    /// Appends the container token now; its count and `next` are patched when it closes.
    private mutating func openContainer(_ kind: JSONToken.Kind) -> Int {
        tokens.append(JSONToken(kind: kind, flags: 0, start: Int32(index), length: 0, count: 0, next: 0))
        return tokens.count - 1
    }

    /// Called with `index` just past the closing bracket.
    private mutating func closeContainer(_ token: Int, count: Int) {
        tokens[token].count = Int32(count)
        tokens[token].next = Int32(tokens.count)
        tokens[token].length = Int32(index) - tokens[token].start
    }

    private mutating func parseObject(depth: Int) throws(FHIRReadError) {
        if depth > limits.maxDepth { throw limitError("nesting deeper than \(limits.maxDepth) levels", at: index) }
        let token = openContainer(.object)
        index += 1  // {
        var count = 0
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            index += 1
            closeContainer(token, count: 0)
            return
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input inside an object", at: index) }
            let keyOffset = index
            switch bytes[index] {
            case UInt8(ascii: "\""): break
            case UInt8(ascii: "}"): throw error("extra comma before '}' at the end of an object", at: index)
            case UInt8(ascii: "/"): throw error("comments are not allowed in JSON", at: index)
            default: throw error("property names must be in double quotes, found \(describeByte(at: index))", at: index)
            }
            try parseString()
            skipWhitespace()
            guard peek() == UInt8(ascii: ":") else {
                throw error("expected ':' after a property name", at: keyOffset)
            }
            index += 1
            skipSpaceAfterColon()
            try parseValue(depth: depth)
            count += 1
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input, expected ',' or '}'", at: index) }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                closeContainer(token, count: count)
                return
            case UInt8(ascii: "]"): throw error("unexpected ']', expected '}' to close the object", at: index)
            case UInt8(ascii: "/"): throw error("comments are not allowed in JSON", at: index)
            default: throw error("missing comma: expected ',' or '}' but found \(describeByte(at: index))", at: index)
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(FHIRReadError) {
        if depth > limits.maxDepth { throw limitError("nesting deeper than \(limits.maxDepth) levels", at: index) }
        let token = openContainer(.array)
        index += 1  // [
        var count = 0
        skipWhitespace()
        if peek() == UInt8(ascii: "]") {
            index += 1
            closeContainer(token, count: 0)
            return
        }
        while true {
            skipWhitespace()
            if peek() == UInt8(ascii: "]") { throw error("extra comma before ']' at the end of an array", at: index) }
            try parseValue(depth: depth)
            count += 1
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input, expected ',' or ']'", at: index) }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                closeContainer(token, count: count)
                return
            case UInt8(ascii: "}"): throw error("unexpected '}', expected ']' to close the array", at: index)
            case UInt8(ascii: "/"): throw error("comments are not allowed in JSON", at: index)
            default: throw error("missing comma: expected ',' or ']' but found \(describeByte(at: index))", at: index)
            }
        }
    }

    // MARK: strings

    /// Checks a string and appends its token: the content stays in the input unless it has escapes,
    /// in which case the unescaped bytes go to the tape's side buffer. UTF-8 is validated here.
    private mutating func parseString() throws(FHIRReadError) {
        let start = index
        index += 1  // opening quote
        let contentStart = index
        // Fast path: no escapes. Eight bytes at a time up to the first byte that needs a look (a quote, a backslash
        // or a control character), which is checked below.
        let (plainEnd, plainIsASCII) = plainRun(from: index)
        index = plainEnd
        var ascii = plainIsASCII
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let count = index - contentStart
                if count > limits.maxStringBytes {
                    throw limitError("a string longer than \(limits.maxStringBytes) bytes", at: start)
                }
                if !ascii && !JSONParser.isValidUTF8(UnsafeBufferPointer(rebasing: bytes[contentStart..<index])) {
                    throw error("invalid UTF-8 in a string", at: start)
                }
                appendScalar(.string, start: start, length: count, flags: ascii ? JSONToken.asciiFlag : 0)
                index += 1
                return
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 {
                throw error("a control character (U+\(hex(byte))) must be escaped inside a string", at: index)
            }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        guard index < bytes.count else { throw error("unterminated string", at: start) }
        // Slow path: unescape into the tape's side buffer directly, the runs between escapes copied whole (every
        // narrative of a Synthea or EHR bundle takes this path: `<div xmlns=\"…\">`).
        let unescapedStart = unescaped.count
        unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[contentStart..<index]))
        while index < bytes.count {
            let runStart = index
            let (runEnd, runIsASCII) = plainRun(from: index)
            if runEnd > runStart {
                unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<runEnd]))
                if !runIsASCII { ascii = false }
                index = runEnd
            }
            if unescaped.count - unescapedStart > limits.maxStringBytes {
                throw limitError("a string longer than \(limits.maxStringBytes) bytes", at: start)
            }
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                // Escapes make valid UTF-8 by construction; the raw runs are checked when one was not ASCII.
                if !ascii
                    && !JSONParser.isValidUTF8(UnsafeBufferPointer(rebasing: unescaped.all[unescapedStart...]))
                {
                    throw error("invalid UTF-8 in a string", at: start)
                }
                appendScalar(
                    .string, start: start, length: unescaped.count - unescapedStart, flags: JSONToken.escapedFlag,
                    extra: unescapedStart)
                return
            }
            if byte < 0x20 {
                throw error("a control character (U+\(hex(byte))) must be escaped inside a string", at: index)
            }
            // A backslash.
            index += 1
            guard index < bytes.count else { throw error("unterminated string", at: start) }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): unescaped.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): unescaped.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): unescaped.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): unescaped.append(0x08)
            case UInt8(ascii: "f"): unescaped.append(0x0C)
            case UInt8(ascii: "n"): unescaped.append(0x0A)
            case UInt8(ascii: "r"): unescaped.append(0x0D)
            case UInt8(ascii: "t"): unescaped.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else {
                        throw error("a lone UTF-16 surrogate in a \\u escape", at: index)
                    }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw error("a lone UTF-16 surrogate in a \\u escape", at: index)
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("a lone UTF-16 surrogate in a \\u escape", at: index)
                }
                appendUTF8(scalar, to: &unescaped)
            default:
                throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))' in a string", at: index - 2)
            }
        }
        throw error("unterminated string", at: start)
    }

    /// The end of the run of plain string bytes from `from` (up to a quote, a backslash, a control character or the
    /// end of the input), found eight bytes at a time, and whether the run is ASCII.
    @inline(__always)
    private func plainRun(from: Int) -> (end: Int, ascii: Bool) {
        var end = from
        var high: UInt64 = 0
        if let base = bytes.baseAddress {
            while end + 8 <= bytes.count {
                let word = UInt64(littleEndian: UnsafeRawPointer(base + end).loadUnaligned(as: UInt64.self))
                let special = JSONParser.specialByteMarks(word)
                if special != 0 {
                    let plain = special.trailingZeroBitCount >> 3
                    high |= word & ((1 << (plain << 3)) &- 1)
                    return (end + plain, high & JSONParser.highBits == 0)
                }
                high |= word
                end += 8
            }
        }
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            high |= UInt64(byte)
            end += 1
        }
        return (end, high & JSONParser.highBits == 0)
    }

    private mutating func parseHex4() throws(FHIRReadError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("incomplete \\u escape", at: index) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid hex digit in a \\u escape", at: index)
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private func appendUTF8(_ scalar: UInt32, to buffer: inout TrivialBuffer<UInt8>) {
        switch scalar {
        case 0..<0x80:
            buffer.append(UInt8(scalar))
        case 0x80..<0x800:
            buffer.append(UInt8(0xC0 | (scalar >> 6)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        case 0x800..<0x10000:
            buffer.append(UInt8(0xE0 | (scalar >> 12)))
            buffer.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        default:
            buffer.append(UInt8(0xF0 | (scalar >> 18)))
            buffer.append(UInt8(0x80 | ((scalar >> 12) & 0x3F)))
            buffer.append(UInt8(0x80 | ((scalar >> 6) & 0x3F)))
            buffer.append(UInt8(0x80 | (scalar & 0x3F)))
        }
    }

    // MARK: numbers and literals

    /// Checks the RFC 8259 number grammar (the text stays in the input, kept exactly).
    private mutating func parseNumber() throws(FHIRReadError) {
        let start = index
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), isDigit(first) else {
            throw error("invalid number: a digit must follow '-'", at: start)
        }
        if first == UInt8(ascii: "0") {
            index += 1
            if let next = peek(), isDigit(next) {
                throw error("invalid number: leading zeros are not allowed", at: start)
            }
        } else {
            while let byte = peek(), isDigit(byte) { index += 1 }
        }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let byte = peek(), isDigit(byte) else {
                throw error("invalid number: a digit must follow '.'", at: start)
            }
            while let byte = peek(), isDigit(byte) { index += 1 }
        }
        if let byte = peek(), byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            index += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            guard let byte = peek(), isDigit(byte) else {
                throw error("invalid number: a digit must follow the exponent", at: start)
            }
            while let byte = peek(), isDigit(byte) { index += 1 }
        }
        if index - start > limits.maxStringBytes {
            throw limitError("a number longer than \(limits.maxStringBytes) bytes", at: start)
        }
    }

    /// Strict UTF-8 validation (no overlongs, no surrogates, nothing above U+10FFFF).
    static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b0 = bytes[i]
            if b0 < 0x80 {
                i += 1
                continue
            }
            func continuation(_ k: Int) -> Bool { i + k < n && bytes[i + k] & 0xC0 == 0x80 }
            switch b0 {
            case 0xC2...0xDF:
                guard continuation(1) else { return false }
                i += 2
            case 0xE0...0xEF:
                guard continuation(1), continuation(2) else { return false }
                let b1 = bytes[i + 1]
                if b0 == 0xE0 && b1 < 0xA0 { return false }  // overlong
                if b0 == 0xED && b1 >= 0xA0 { return false }  // surrogates
                i += 3
            case 0xF0...0xF4:
                guard continuation(1), continuation(2), continuation(3) else { return false }
                let b1 = bytes[i + 1]
                if b0 == 0xF0 && b1 < 0x90 { return false }  // overlong
                if b0 == 0xF4 && b1 >= 0x90 { return false }  // above U+10FFFF
                i += 4
            default:
                return false
            }
        }
        return true
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(FHIRReadError) {
        let start = index
        let count = literal.utf8CodeUnitCount
        let matches =
            index + count <= bytes.count
            && literal.withUTF8Buffer { expected in
                (0..<count).allSatisfy { bytes[start + $0] == expected[$0] }
            }
        guard matches else {
            throw error(
                "unexpected \(describeByte(at: index)), expected a value (string values need double quotes)", at: index)
        }
        index += count
        // `trueish` is not `true`.
        if let byte = peek(), isLetterOrDigit(byte) {
            throw error(
                "unexpected \(describeByte(at: index)), expected a value (string values need double quotes)", at: start)
        }
    }

    // MARK: helpers

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Most calls find no whitespace at all (between a value and its comma, after a quote): that answer is inlined,
    /// the skipping is not.
    @inline(__always)
    private mutating func skipWhitespace() {
        if index < bytes.count && bytes[index] > 0x20 { return }
        skipWhitespaceRun()
    }

    /// After a member's colon: pretty-printed JSON (Synthea's, the official examples') has one space there, passed
    /// without a call; anything else is whitespace skipped as anywhere.
    @inline(__always)
    private mutating func skipSpaceAfterColon() {
        if index + 1 < bytes.count && bytes[index] == 0x20 && bytes[index + 1] > 0x20 {
            index += 1
            return
        }
        skipWhitespace()
    }

    @inline(never)
    private mutating func skipWhitespaceRun() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20:
                index += 1
                skipSpaceRun()
            case 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// Indentation (pretty-printed FHIR, as Synthea writes it) is long runs of spaces: skipped eight at a time.
    @inline(__always)
    private mutating func skipSpaceRun() {
        guard let base = bytes.baseAddress else { return }
        while index + 8 <= bytes.count {
            let word = UInt64(littleEndian: UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            let different = word ^ JSONParser.spaces
            if different != 0 {
                index += different.trailingZeroBitCount >> 3  // the spaces before the first other byte
                return
            }
            index += 8
        }
    }

    // MARK: eight bytes at a time (SWAR: the bytes of a little-endian word, first byte lowest)

    private static let lowBits: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let spaces: UInt64 = 0x2020_2020_2020_2020

    /// The high bit of each byte of the word below `limit` (at most 0x80). Exact up to the first such byte: a
    /// borrow can only mark a byte after one that truly is below, so the lowest mark is a true one.
    @inline(__always)
    private static func marks(below limit: UInt8, in word: UInt64) -> UInt64 {
        (word &- lowBits &* UInt64(limit)) & ~word & highBits
    }

    @inline(__always)
    private static func marks(of byte: UInt8, in word: UInt64) -> UInt64 {
        marks(below: 1, in: word ^ (lowBits &* UInt64(byte)))
    }

    /// Marks the quotes, backslashes and control characters of the word: a string's bytes that need a closer
    /// look. Zero when there are none; otherwise the lowest mark is the first such byte.
    @inline(__always)
    static func specialByteMarks(_ word: UInt64) -> UInt64 {
        marks(of: UInt8(ascii: "\""), in: word) | marks(of: UInt8(ascii: "\\"), in: word) | marks(below: 0x20, in: word)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func isLetterOrDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
            || byte == UInt8(ascii: "_")
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "00" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
    }

    private func describeByte(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(hex(byte).dropFirst(2))"
    }

    private func error(_ message: String, at offset: Int) -> FHIRReadError {
        let position = LineIndex(bytes).position(of: offset)
        return FHIRReadError(.syntax, message, line: position.line, column: position.column)
    }

    private func limitError(_ message: String, at offset: Int) -> FHIRReadError {
        let position = LineIndex(bytes).position(of: offset)
        return FHIRReadError(.limit, message, line: position.line, column: position.column)
    }
}

/// The JSON scan alone, for benchmarks: how much of reading is the parse to a tape, and how much the model.
public enum JSONScan {
    /// Parses the document to its tape and gives the number of tokens (the model is not built).
    public static func tokenCount(_ bytes: [UInt8], limits: FHIRReadLimits = FHIRReadLimits()) throws(FHIRReadError)
        -> Int
    {
        try bytes.withUnsafeBufferPointer { (buffer) throws(FHIRReadError) -> Int in
            try JSONParser.withTape(buffer, limits: limits) { $0.tokens.count }
        }
    }
}
