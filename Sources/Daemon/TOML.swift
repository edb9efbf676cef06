import Foundation

/// A reader for the part of TOML the daemon's configuration uses: `[table]` headers, `key = value`
/// with basic and literal strings, integers, floats and booleans, arrays of those, and `#` comments.
/// Anything else (dates, inline tables, multi-line strings, dotted keys) is a clear error with its
/// line — a configuration that cannot be read fully is not half-applied. Kept in-house rather than
/// a C++-backed TOML package, to keep the build small; the subset is what `painpathd.toml` needs.
public enum TOMLValue: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case array([TOMLValue])
}

public struct TOMLError: Error, Equatable, Sendable, CustomStringConvertible {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}

public enum TOML {
    /// `table.key` (or `key` at the top) → value.
    public static func parse(_ text: String) throws(TOMLError) -> [String: TOMLValue] {
        var result: [String: TOMLValue] = [:]
        var table = ""
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = stripComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), !line.hasPrefix("[["), line.count > 2 else {
                    throw TOMLError(line: number, message: "a table header is [name]")
                }
                table = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                guard isBareKey(table) else {
                    throw TOMLError(line: number, message: "table name \(table) is not a bare key")
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw TOMLError(line: number, message: "expected key = value")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard isBareKey(key) else {
                throw TOMLError(line: number, message: "\(key) is not a bare key (letters, digits, - and _)")
            }
            let full = table.isEmpty ? key : table + "." + key
            guard result[full] == nil else { throw TOMLError(line: number, message: "\(full) is set twice") }
            var scanner = Scanner(text: Array(line[line.index(after: equals)...].unicodeScalars), line: number)
            let value = try scanner.value()
            scanner.skipSpaces()
            guard scanner.atEnd else {
                throw TOMLError(line: number, message: "unexpected text after the value of \(full)")
            }
            result[full] = value
        }
        return result
    }

    static func isBareKey(_ key: String) -> Bool {
        !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                (("a"..."z").contains($0) || ("A"..."Z").contains($0)
                    || ("0"..."9").contains($0) || $0 == "-" || $0 == "_")
            }
    }

    /// The line without a `#` comment (a `#` inside a string stays).
    static func stripComment(_ line: String) -> String {
        var quote: Character?
        var escaped = false
        for (offset, character) in line.enumerated() {
            if escaped {
                escaped = false
                continue
            }
            if quote == "\"" && character == "\\" {
                escaped = true
                continue
            }
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            if character == "\"" || character == "'" {
                quote = character
                continue
            }
            if character == "#" { return String(line.prefix(offset)) }
        }
        return line
    }

    struct Scanner {
        let text: [Unicode.Scalar]
        let line: Int
        var position = 0

        var atEnd: Bool { position >= text.count }
        mutating func skipSpaces() { while !atEnd, text[position] == " " || text[position] == "\t" { position += 1 } }
        func error(_ message: String) -> TOMLError { TOMLError(line: line, message: message) }

        mutating func value() throws(TOMLError) -> TOMLValue {
            skipSpaces()
            guard !atEnd else { throw error("a value is missing") }
            switch text[position] {
            case "\"": return .string(try basicString())
            case "'": return .string(try literalString())
            case "[": return try array()
            default: return try bare()
            }
        }

        mutating func basicString() throws(TOMLError) -> String {
            position += 1
            var out = String.UnicodeScalarView()
            while !atEnd {
                let scalar = text[position]
                position += 1
                if scalar == "\"" { return String(out) }
                if scalar == "\\" {
                    guard !atEnd else { break }
                    let escape = text[position]
                    position += 1
                    switch escape {
                    case "\"": out.append("\"")
                    case "\\": out.append("\\")
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    default: throw error("unsupported escape \\\(escape)")
                    }
                } else {
                    out.append(scalar)
                }
            }
            throw error("unterminated string")
        }

        mutating func literalString() throws(TOMLError) -> String {
            position += 1
            var out = String.UnicodeScalarView()
            while !atEnd {
                let scalar = text[position]
                position += 1
                if scalar == "'" { return String(out) }
                out.append(scalar)
            }
            throw error("unterminated string")
        }

        mutating func array() throws(TOMLError) -> TOMLValue {
            position += 1
            var values: [TOMLValue] = []
            while true {
                skipSpaces()
                guard !atEnd else { throw error("unterminated array (arrays must be on one line)") }
                if text[position] == "]" {
                    position += 1
                    return .array(values)
                }
                values.append(try value())
                skipSpaces()
                guard !atEnd else { throw error("unterminated array") }
                if text[position] == "," {
                    position += 1
                } else if text[position] != "]" {
                    throw error("expected , or ] in an array")
                }
            }
        }

        mutating func bare() throws(TOMLError) -> TOMLValue {
            let start = position
            while !atEnd, text[position] != ",", text[position] != "]", text[position] != " ", text[position] != "\t" {
                position += 1
            }
            let word = String(String.UnicodeScalarView(text[start..<position])).replacingOccurrences(of: "_", with: "")
            if word == "true" { return .boolean(true) }
            if word == "false" { return .boolean(false) }
            if let integer = Int(word) { return .integer(integer) }
            if word.contains("."), let float = Double(word), float.isFinite { return .float(float) }
            throw error("\(word) is not a string, number or boolean (strings need quotes)")
        }
    }
}
