import FHIR
import Foundation
import Testing

/// The JSON writer finds the bytes to escape eight bytes at a time and copies the runs between them whole. These
/// tests put each byte that must be escaped (quote, backslash, every control character) at every position of
/// strings up to 24 bytes, alone and in pairs, and next to non-ASCII text, and check the written string against
/// an escaper that goes byte by byte, and that it reads back as the same text.
@Suite("JSON writer: strings escaped a word at a time")
struct JSONWriterEscapeTests {
    /// The JSON of a string as the writer's rules say, byte by byte (the reference).
    private func reference(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case let control where control.value < 0x20: out += String(format: "\\u%04x", control.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The family name of a Patient as written (compact), the bytes between `"family":` and the next `}`.
    private func writtenFamily(_ family: String) -> String {
        let patient = FHIRElement(type: "Patient").with(
            "name", .element(FHIRElement(type: "HumanName").with("family", .string(family))))
        let json = String(decoding: FHIRJSONWriter(pretty: false).write(patient), as: UTF8.self)
        let start = json.range(of: #""family":"#)!.upperBound
        let end = json.range(of: "}]}", options: .backwards)!.lowerBound
        return String(json[start..<end])
    }

    private func readBack(_ family: String) throws -> String? {
        let patient = FHIRElement(type: "Patient").with(
            "name", .element(FHIRElement(type: "HumanName").with("family", .string(family))))
        let read = try FHIRJSONReader().read(FHIRJSONWriter(pretty: false).write(patient)).resource
        return read["name"].first?.element?["family"].first?.primitive?.value
    }

    /// Every byte the writer escapes.
    private let escaped: [Character] = ["\"", "\\"] + (0..<0x20).map { Character(Unicode.Scalar(UInt8($0))) }

    @Test("each byte to escape at every position of strings up to 24 bytes")
    func oneByteAtEveryPosition() throws {
        for length in 1...24 {
            for position in 0..<length {
                for special in escaped {
                    let text =
                        String(repeating: "a", count: position) + String(special)
                        + String(repeating: "b", count: length - position - 1)
                    #expect(writtenFamily(text) == reference(text), "\(text.debugDescription)")
                }
            }
        }
    }

    @Test("two bytes to escape in one word and across words, next to non-ASCII text")
    func pairsAndNonASCII() throws {
        for length in 2...20 {
            for first in 0..<length {
                for second in (first + 1)..<length {
                    var characters = Array(String(repeating: "é", count: length))
                    characters[first] = "\""
                    characters[second] = "\n"
                    let text = String(characters)
                    #expect(writtenFamily(text) == reference(text), "\(text.debugDescription)")
                    #expect(try readBack(text) == text)
                }
            }
        }
    }

    @Test("a long narrative-like string with a few quotes, and strings with nothing to escape")
    func longAndPlain() throws {
        let narrative =
            #"<div xmlns="http://www.w3.org/1999/xhtml"><p>"# + String(repeating: "Low back pain, ", count: 300)
            + #"</p><p class="x">\ done</p></div>"#
        #expect(writtenFamily(narrative) == reference(narrative))
        #expect(try readBack(narrative) == narrative)
        for length in 0...40 {
            let plain = String(repeating: "z", count: length) + "ü"
            #expect(writtenFamily(plain) == reference(plain))
        }
    }

    @Test("pretty output indents each level by two spaces, deeper than the writer's run of spaces")
    func deepIndentation() throws {
        // Extensions nest as deep as we like: 40 levels is 80 spaces, more than one run of 64.
        var element = FHIRElement(type: "Extension").with("url", .uri("u")).with("valueString", .string("v"))
        for _ in 0..<40 {
            element = FHIRElement(type: "Extension").with("url", .uri("u")).with("extension", .element(element))
        }
        let patient = FHIRElement(type: "Patient").with("extension", .element(element))
        let json = String(decoding: FHIRJSONWriter(pretty: true).write(patient), as: UTF8.self)
        let deepest = try #require(json.split(separator: "\n").first { $0.contains("valueString") })
        // The Patient's object is level 1; each Extension adds an array and an object: the 41st's members are at 83.
        #expect(deepest.prefix { $0 == " " }.count == 2 * 83)
        let read = try FHIRJSONReader().read(Array(json.utf8)).resource
        #expect(read == patient)
    }
    /// The writer's buffer starts at 4 KB and grows to fit what is appended at once: a string of 100 KB (and one
    /// with escapes throughout) is written whole, as the byte-by-byte reference writes it, and reads back whole.
    @Test("strings far longer than the writer's first buffer, plain and escaped, written whole")
    func longStringsOutgrowTheBuffer() throws {
        for length in [4_095, 4_096, 4_097, 100_000] {
            let plain = String(repeating: "é", count: length / 2) + String(repeating: "a", count: length % 2)
            #expect(writtenFamily(plain) == reference(plain), "\(length)")
            #expect(try readBack(plain) == plain)
            let escapedText = String(repeating: "x\"y\n", count: length / 4)
            #expect(writtenFamily(escapedText) == reference(escapedText), "\(length)")
            // Read back, the escaped string outgrows the reader's side buffer for unescaped bytes (256 at first).
            #expect(try readBack(escapedText) == escapedText, "\(length)")
        }
    }
}
