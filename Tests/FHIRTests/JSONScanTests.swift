import FHIR
import Testing

/// The JSON parser reads strings and runs of spaces eight bytes at a time. These tests put the bytes that matter
/// (quotes, backslashes, control characters, non-ASCII, invalid UTF-8, whitespace) at every position of a word and
/// across word boundaries, so that a mistake in the word arithmetic shows up as a wrong value or a wrong column.
@Suite("JSON strings and whitespace, read a word at a time")
struct JSONScanTests {
    /// A Patient whose family name is written as `literal` (the JSON text between the quotes).
    private func patient(family literal: [UInt8]) -> [UInt8] {
        Array(#"{"resourceType":"Patient","name":[{"family":""#.utf8) + literal + Array(#""}]}"#.utf8)
    }

    /// The family name read back ("(none)" when the reader kept none).
    private func family(_ bytes: [UInt8]) throws -> String {
        let resource = try FHIRJSONReader().read(bytes).resource
        return resource["name"].first?.element?["family"].first?.primitive?.value ?? "(none)"
    }

    /// Where the family name's first byte is: the column of its position `p` is `familyColumn + p`.
    private let familyColumn = #"{"resourceType":"Patient","name":[{"family":""#.utf8.count + 1

    @Test("an escaped quote or backslash at every position of strings up to 20 bytes")
    func escapes() throws {
        for length in 1...20 {
            for position in 0..<length {
                for (escape, meaning) in [("\\\"", "\""), ("\\\\", "\\"), ("\\n", "\n"), ("\\u00e9", "é")] {
                    let literal =
                        String(repeating: "a", count: position) + escape
                        + String(repeating: "b", count: length - position - 1)
                    let expected =
                        String(repeating: "a", count: position) + meaning
                        + String(repeating: "b", count: length - position - 1)
                    #expect(try family(patient(family: Array(literal.utf8))) == expected, "\(literal)")
                }
            }
        }
    }

    /// After a first escape the rest of the string is unescaped into a side buffer, its plain runs found a word at a
    /// time too: a second escape, a control character, non-ASCII text and invalid UTF-8 at every position after it.
    @Test("after an escape: a second escape, a control character, non-ASCII and invalid UTF-8 at every position")
    func afterAnEscape() throws {
        for length in 1...20 {
            for position in 0..<length {
                let before = "\\\"" + String(repeating: "a", count: position)
                let after = String(repeating: "b", count: length - position - 1)
                for (escape, meaning) in [("\\\\", "\\"), ("\\t", "\t"), ("\\ud83d\\ude00", "😀")] {
                    let literal = before + escape + after
                    let expected = "\"" + String(repeating: "a", count: position) + meaning + after
                    #expect(try family(patient(family: Array(literal.utf8))) == expected, "\(literal)")
                }
                #expect(
                    try family(patient(family: Array((before + "é" + after).utf8))) == "\"" + before.dropFirst(2) + "é"
                        + after)
                var control = Array((before + "x" + after).utf8)
                control[2 + position] = 0x0A
                let error = readError { try family(patient(family: control)) }
                #expect(error?.kind == .syntax)
                #expect(error?.column == familyColumn + 2 + position, "length \(length), position \(position)")
                let invalid = Array(before.utf8) + [0xC3, 0x28] + Array(after.utf8)
                #expect(readError { try family(patient(family: invalid)) }?.kind == .syntax, "position \(position)")
                #expect(
                    readError {
                        try family(Array(#"{"resourceType":"Patient","name":[{"family":""#.utf8) + Array(before.utf8))
                    }?.kind == .syntax)
            }
        }
    }

    @Test("a control character at every position is refused at its own column")
    func controlCharacters() {
        for length in 1...20 {
            for position in 0..<length {
                for control: UInt8 in [0x00, 0x01, 0x09, 0x0A, 0x1F] {
                    var literal = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    literal[position] = control
                    let error = readError { try family(patient(family: literal)) }
                    #expect(error?.kind == .syntax)
                    #expect(error?.column == familyColumn + position, "length \(length), position \(position)")
                }
            }
        }
    }

    @Test("non-ASCII text at every position is kept; invalid UTF-8 is refused; DEL and high bytes are not special")
    func utf8() throws {
        for length in 2...20 {
            for position in 0..<(length - 1) {
                let prefix = String(repeating: "a", count: position)
                let suffix = String(repeating: "z", count: length - position - 2)
                #expect(try family(patient(family: Array((prefix + "é" + suffix).utf8))) == prefix + "é" + suffix)
                #expect(
                    try family(patient(family: Array((prefix + "\u{7F}" + suffix).utf8))) == prefix + "\u{7F}" + suffix)
                let invalid = Array(prefix.utf8) + [0xC3, 0x28] + Array(suffix.utf8)
                #expect(readError { try family(patient(family: invalid)) }?.kind == .syntax, "position \(position)")
                // A lone continuation byte, and an overlong encoding of '"' (0xC0 0xA2) that must not end the string.
                #expect(readError { try family(patient(family: Array(prefix.utf8) + [0x80])) }?.kind == .syntax)
                #expect(readError { try family(patient(family: Array(prefix.utf8) + [0xC0, 0xA2])) }?.kind == .syntax)
            }
        }
    }

    @Test("strings of every length up to 40 bytes end at their closing quote")
    func lengths() throws {
        for length in 1...40 {
            let text = String((0..<length).map { Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
            #expect(try family(patient(family: Array(text.utf8))) == text)
        }
    }

    @Test("runs of whitespace of every length, mixed or not, read as the compact text")
    func whitespace() throws {
        let compact = try FHIRJSONReader().read(patient(family: Array("Chalmers".utf8))).resource
        for length in 0...24 {
            for pattern in [" ", "\n", " \n", "\t ", "\r\n  ", "\n      ", "   \n\t"] {
                let run = String(String(repeating: pattern, count: length).prefix(length))
                let text = """
                    {\(run)"resourceType"\(run):\(run)"Patient"\(run),\(run)"name"\(run):\(run)[\(run){\(run)"family"\
                    \(run):\(run)"Chalmers"\(run)}\(run)]\(run)}\(run)
                    """
                #expect(try FHIRJSONReader().read(Array(text.utf8)).resource == compact, "\(length) of \(pattern)")
            }
        }
        // Spaces running up to the end of the input, and a non-whitespace byte right after a run.
        let trailing = Array(#"{"resourceType":"Patient"}"#.utf8) + [UInt8](repeating: 0x20, count: 19)
        #expect(try FHIRJSONReader().read(trailing).resource.type == "Patient")
        let junk = Array(#"{"resourceType":"Patient"}"#.utf8) + [UInt8](repeating: 0x20, count: 11) + [0x78]
        let error = readError { try FHIRJSONReader().read(junk) }
        #expect(error?.kind == .syntax)
        #expect(error?.column == #"{"resourceType":"Patient"}"#.utf8.count + 12)
        // A control character inside a run of line breaks and indentation, at every position: refused at its column.
        let prefix = Array(#"{"resourceType":"Patient","#.utf8)
        for position in 0..<20 {
            var run = Array(String(repeating: "\n    ", count: 4).utf8)
            run[position] = 0x01
            let error = readError { try FHIRJSONReader().read(prefix + run + Array(#""id":"x"}"#.utf8)) }
            #expect(error?.kind == .syntax, "position \(position)")
            let column = run[..<position].lastIndex(of: 0x0A).map { position - $0 } ?? prefix.count + position + 1
            #expect(error?.column == column, "position \(position)")
        }
    }

    /// One space after a member's colon (pretty-printed JSON) is passed without the whitespace loop: what follows the
    /// space must still be read — a value, more whitespace, a control character, or nothing.
    @Test("one space after a colon, then a value, more whitespace, a control character or the end of the input")
    func spaceAfterColon() throws {
        let compact = try FHIRJSONReader().read(Array(#"{"resourceType":"Patient","id":"x"}"#.utf8)).resource
        for after in [" ", "  ", " \n", " \t ", "\n "] {
            let text = #"{"resourceType":"# + after + #""Patient","id":"# + after + #""x"}"#
            #expect(try FHIRJSONReader().read(Array(text.utf8)).resource == compact, "\(Array(after.utf8))")
        }
        let prefix = Array(#"{"resourceType":"Patient","id":"#.utf8)
        let control = readError { try FHIRJSONReader().read(prefix + [0x20, 0x01] + Array(#""x"}"#.utf8)) }
        #expect(control?.kind == .syntax)
        #expect(control?.column == prefix.count + 2)
        for end in [[], [0x20]] as [[UInt8]] {
            let truncated = readError { try FHIRJSONReader().read(prefix + end) }
            #expect(truncated?.kind == .syntax, "\(end)")
            #expect(truncated?.message.contains("end of input") == true, "\(truncated?.message ?? "")")
        }
    }
    /// The tape's buffer is sized for one token per 12 bytes and doubles when a document has more: short values
    /// (`[0,0,…]`, one-letter names) overflow it many times over, and every token must survive the moves.
    @Test("documents of short values, many more tokens than the tape reserves, read whole")
    func tapeGrowsPastItsEstimate() throws {
        for count in [0, 1, 15, 16, 17, 100, 10_000] {
            let items = [String](repeating: "0", count: count).joined(separator: ",")
            #expect(try JSONScan.tokenCount(Array("[\(items)]".utf8)) == count + 1, "\(count)")
        }
        let given = (0..<5_000).map { String(UnicodeScalar(UInt8(ascii: "a") + UInt8($0 % 26))) }
        let text =
            #"{"resourceType":"Patient","name":[{"given":["# + given.map { "\"\($0)\"" }.joined(separator: ",")
            + "]}]}"
        let read = try FHIRJSONReader().read(Array(text.utf8)).resource
        let values = read["name"].first?.element?["given"].map { $0.primitive?.value ?? "" }
        #expect(values == given)
    }
    /// The walker keeps the path and the pending properties of every open element in buffers sized for ordinary
    /// nesting (32 steps, 64 properties) that double past it: an extension nested 45 deep overflows both, and its
    /// innermost value and an error's path there must come out whole.
    @Test("extensions nested 45 deep: the innermost value read, an error there named by its whole path")
    func deepNestingOutgrowsTheWalkersBuffers() throws {
        func nested(_ depth: Int, innermost: String) -> String {
            depth == 0
                ? innermost
                : #"{"url":"http://example.org/\#(depth)","extension":["# + nested(depth - 1, innermost: innermost)
                    + "]}"
        }
        let innermost = #"{"url":"http://example.org/0","valueString":"deep"}"#
        let text = #"{"resourceType":"Patient","extension":["# + nested(45, innermost: innermost) + "]}"
        var element = try FHIRJSONReader().read(Array(text.utf8)).resource
        var urls: [String] = []
        while let child = element["extension"].first?.element {
            urls.append(child.string("url") ?? "")
            element = child
        }
        #expect(urls == (0...45).reversed().map { "http://example.org/\($0)" })
        #expect(element.string("valueString") == "deep")
        let wrong =
            #"{"resourceType":"Patient","extension":["# + nested(45, innermost: #"{"url":"u","valueString":5}"#) + "]}"
        let error = readError { try FHIRJSONReader().read(Array(wrong.utf8)) }
        #expect(error?.path == "Patient" + String(repeating: ".extension[0]", count: 46) + ".valueString")
    }
}
