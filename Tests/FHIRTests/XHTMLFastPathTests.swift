import Testing

@testable import FHIR

/// The fast path for simple canonical narratives must agree with the libxml2 path exactly.
@Suite("XHTML fast path")
struct XHTMLFastPathTests {
    static let root = "<div xmlns=\"http://www.w3.org/1999/xhtml\">"

    /// The libxml2 canonical form (bypassing the fast path by a leading space, which it refuses).
    func slow(_ text: String) -> String? {
        guard let canonical = try? XHTML.canonicalize(" " + text) else { return nil }
        return canonical
    }

    @Test(arguments: [
        "<p>Visit on 2026-11-02. Pain worse in the morning.</p>", "<p>a &amp; b &lt; c &gt; d</p>",
        "<h2>Plan</h2><ul><li>one</li><li>two</li></ul>",
        "text <b>bold</b> and <i>italic</i><br/>line", "<p>Ünïcode — ✓ 中文</p>", "<div><p>nested</p></div>",
        "\n  <p>\tindented</p>\n",
    ])
    func simpleCanonicalTextIsTakenAsIsAndMatchesTheParser(_ body: String) throws {
        let text = Self.root + body + "</div>"
        #expect(XHTML.isSimpleCanonical(text, maxDepth: 100))
        #expect(slow(text) == text)
        #expect(try XHTML.canonicalize(text) == text)
    }

    @Test(arguments: [
        "<p class=\"x\">attr</p>", "<p></p>", "<p>a > b</p>", "<p>&nbsp;</p>", "<p>&#160;</p>", "<P>upper</P>",
        "<p>unclosed", "<p>a</q>",
        "<p>cr\r</p>", "<!-- c --><p>x</p>", "<p>x</p></div><div>", "<br />", "<p>\u{FFFE}</p>",
    ])
    func anythingElseGoesToTheParser(_ body: String) throws {
        let text = Self.root + body + "</div>"
        #expect(!XHTML.isSimpleCanonical(text, maxDepth: 100))
        // Whatever the parser says stands (an error or its canonical form).
        let viaParser = slow(text)
        let viaPublic = try? XHTML.canonicalize(text)
        #expect(viaParser == viaPublic)
    }

    @Test func depthIsLimited() {
        let deep =
            Self.root + String(repeating: "<b>", count: 120) + "x" + String(repeating: "</b>", count: 120) + "</div>"
        #expect(!XHTML.isSimpleCanonical(deep, maxDepth: 100))
    }

    /// Nesting deeper than the fast path's room (but within the limit) is the parser's to canonicalize: the same
    /// text comes back.
    @Test func nestingPastTheFastPathsRoomGoesToTheParser() throws {
        let levels = XHTML.simpleDepthRoom + 5
        let text =
            Self.root + String(repeating: "<b>", count: levels) + "x" + String(repeating: "</b>", count: levels)
            + "</div>"
        #expect(!XHTML.isSimpleCanonical(text, maxDepth: 200))
        #expect(try XHTML.canonicalize(text, limits: FHIRReadLimits(maxDepth: 200)) == text)
        let shallow = Self.root + String(repeating: "<b>", count: 10) + "x" + String(repeating: "</b>", count: 10)
        #expect(XHTML.isSimpleCanonical(shallow + "</div>", maxDepth: 200))
    }

    /// A depth limit of 0 or 1 (`painpath --max-depth`) lets only a text-only div through the fast path, as the
    /// root is always open; nothing is written past the fast path's room whatever the limit.
    @Test func tinyDepthLimitsAllowOnlyTheRoot() {
        for limit in [-1, 0, 1] {
            #expect(XHTML.isSimpleCanonical(Self.root + "plain text</div>", maxDepth: limit), "limit \(limit)")
            #expect(!XHTML.isSimpleCanonical(Self.root + "<p>x</p></div>", maxDepth: limit), "limit \(limit)")
        }
        #expect(XHTML.isSimpleCanonical(Self.root + "<p>x</p></div>", maxDepth: 2))
    }

    /// The text bytes the fast path passes over without a look: its constant is the byte class it says.
    @Test func plainTextBytesAreAllButMarkupControlsAndTheNoncharacterLead() {
        for byte in 0...255 {
            let plain = XHTMLByteClass.isPlainText(UInt8(byte))
            let expected =
                byte == 0x09 || byte == 0x0A
                || (byte >= 0x20 && byte != 0x26 && byte != 0x3C && byte != 0x3E && byte != 0xEF)
            #expect(plain == expected, "byte \(byte)")
        }
    }

    /// U+FFFE and U+FFFF (0xEF 0xBF 0xBE/0xBF) anywhere in the text send it to the parser; other 0xEF characters
    /// are text.
    @Test(arguments: ["\u{FFFE}", "\u{FFFF}", "a\u{FFFF}", "\u{FFFE}b"])
    func nonCharactersAreNotTakenAsText(_ body: String) {
        #expect(!XHTML.isSimpleCanonical(Self.root + "<p>" + body + "</p></div>", maxDepth: 100))
    }

    @Test func otherCharactersStartingWithEFAreText() {
        #expect(XHTML.isSimpleCanonical(Self.root + "<p>\u{FF01}\u{FFFD}\u{F900}</p></div>", maxDepth: 100))
    }
}
