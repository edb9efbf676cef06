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
}
