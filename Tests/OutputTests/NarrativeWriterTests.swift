import Testing

@testable import Output

/// The CarePlan narrative is written piece by piece: markup as it is, text with `&`, `<` and `>` escaped, the runs
/// between them copied whole. Checked against the plain definition at every position of short texts.
@Suite("CarePlan narrative writer")
struct NarrativeWriterTests {
    private func reference(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    @Test("the eight-byte scan marks the first `&`, `<` or `>` of a word exactly, and nothing in a word without one")
    func wordScanFindsTheFirstMarkupByte() {
        for byte in UInt8(0)...UInt8(255) {
            for position in 0..<8 {
                var word = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                word[position] = byte
                // Every byte value below it too: a borrow from a lower byte must not hide or move the first mark.
                if position > 0 { word[position - 1] = byte &- 1 }
                let value = word.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
                let marks = CarePlanNarrative.Writer.markupMarks(value)
                let first = word.firstIndex { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E }
                #expect((marks == 0 ? nil : marks.trailingZeroBitCount >> 3) == first, "\(word)")
            }
        }
    }

    @Test("each special character at every position, alone, in pairs and between non-ASCII text")
    func textIsEscapedExactly() {
        for special in ["&", "<", ">", "&&", "<>", "a&b"] {
            for length in 0...12 {
                for position in 0...length {
                    let plain = Array("Schmerz é ✓ xy".prefix(length))
                    let text = String(plain[..<position]) + special + String(plain[position...])
                    var writer = CarePlanNarrative.Writer()
                    writer.raw("<p>")
                    writer.text(text)
                    writer.raw("</p>")
                    #expect(writer.result == "<p>" + reference(text) + "</p>", "\(text)")
                }
            }
        }
        // Texts longer than the eight-byte words the writer scans, with the special character in every byte of a word.
        let long = "Radicular pain — L5, with numbness (weeks 6–12) and a straight-leg raise"
        for special in ["&", "<", ">", "<&>"] {
            for position in 0...long.utf8.count {
                let bytes = Array(long.utf8)
                let text = String(
                    decoding: bytes[..<position] + Array(special.utf8) + bytes[position...], as: UTF8.self)
                var writer = CarePlanNarrative.Writer()
                writer.text(text)
                #expect(writer.result == reference(text), "\(text)")
            }
        }
        var writer = CarePlanNarrative.Writer()
        writer.text("no special characters at all")
        writer.text("")
        #expect(writer.result == "no special characters at all")
    }
}
