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
        var writer = CarePlanNarrative.Writer()
        writer.text("no special characters at all")
        writer.text("")
        #expect(writer.result == "no special characters at all")
    }
}
