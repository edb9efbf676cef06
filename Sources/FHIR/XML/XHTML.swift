import CLibXML2

/// The narrative `div` in one canonical text form, so that a narrative read from JSON (a string)
/// and from XML (an element) compare equal and can be written to either encoding.
///
/// Canonical form: `<div xmlns="http://www.w3.org/1999/xhtml">…</div>`; attributes in document
/// order with double quotes; empty elements as `<br/>`; text and attribute values escaped the same
/// way every time; comments and processing instructions dropped; whitespace kept as written.
public enum XHTML {
    public struct Problem: Error, Sendable {
        public let message: String
    }

    /// Parses XHTML text (as JSON carries the div) with the same safe settings as FHIR XML, and
    /// returns its canonical form.
    public static func canonicalize(_ text: String, limits: FHIRReadLimits = .default) throws(Problem) -> String {
        // Most narratives from EHRs are simple and already canonical; checking that is far cheaper
        // than a libxml2 parse (a 1 MB bundle can carry a thousand divs). Anything else takes the parser.
        if isSimpleCanonical(text, maxDepth: limits.maxDepth) { return text }
        var bytes = Array(text.utf8)
        let document: XMLDocumentOwner
        do {
            document = try bytes.withUnsafeMutableBufferPointer { (buffer) throws(FHIRReadError) -> XMLDocumentOwner in
                try XMLDocumentOwner(parsing: UnsafeBufferPointer(buffer), limits: limits)
            }
        } catch {
            throw Problem(message: error.message + (error.line.map { " (line \($0) of the div)" } ?? ""))
        }
        guard let root = document.root, root.name == "div" else {
            throw Problem(message: "the narrative must be a single <div> element")
        }
        if let namespace = root.namespaceURI, namespace != xhtmlNamespace {
            throw Problem(message: "the div must be in the XHTML namespace, not \(namespace)")
        }
        return canonical(root)
    }

    /// True when `text` is a well-formed div in canonical form that uses only the simplest XHTML:
    /// the canonical root tag, lowercase element names without attributes, non-empty elements
    /// written as `<x>…</x>` and empty ones as `<x/>`, text with only `&amp;`, `&lt;` and `&gt;`
    /// escapes, no CR or other control characters, no U+FFFE/U+FFFF. For such text the parser's
    /// canonical form is the text itself (a test checks this against libxml2).
    static func isSimpleCanonical(_ text: String, maxDepth: Int) -> Bool {
        let prefix = "<div xmlns=\"http://www.w3.org/1999/xhtml\">"
        return text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard bytes.count > prefix.utf8.count + 6, bytes.starts(with: prefix.utf8),
                bytes.suffix(6).elementsEqual("</div>".utf8)
            else { return false }
            // The open elements as (start, end) of their names in `bytes`, in room on the call stack: a bundle
            // can carry a thousand short divs, and an array per div cost more than checking its text. Deeper
            // than the room (rare) is left to the parser, as anything unusual is.
            // The root is always there (as the parser sees it); elements inside it open while the depth is below
            // both the limit and the room — a limit of 0 or 1 (`--max-depth`) allows a text-only div.
            let deepest = min(maxDepth, simpleDepthRoom)
            return withUnsafeTemporaryAllocation(of: (start: Int, end: Int).self, capacity: simpleDepthRoom) { stack in
                stack[0] = (1, 4)  // "div" in the prefix
                var depth = 1
                var i = prefix.utf8.count
                var justOpened = true
                let end = bytes.count
                func isNameByte(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39) }
                while i < end {
                    // Plain text (most of a narrative) a byte-class lookup at a time.
                    if XHTMLByteClass.isPlainText(bytes[i]) {
                        i += 1
                        while i < end, XHTMLByteClass.isPlainText(bytes[i]) { i += 1 }
                        justOpened = false
                        continue
                    }
                    switch bytes[i] {
                    case UInt8(ascii: "<"):
                        guard i + 1 < end else { return false }
                        if bytes[i + 1] == UInt8(ascii: "/") {
                            var j = i + 2
                            while j < end, isNameByte(bytes[j]) { j += 1 }
                            guard j < end, bytes[j] == UInt8(ascii: ">"), !justOpened else { return false }
                            let open = stack[depth - 1]
                            guard bytes[open.start..<open.end].elementsEqual(bytes[(i + 2)..<j]) else { return false }
                            depth -= 1
                            i = j + 1
                            if depth == 0 { return i == end }
                            justOpened = false
                        } else {
                            var j = i + 1
                            guard j < end, bytes[j] >= 0x61 && bytes[j] <= 0x7A else { return false }
                            while j < end, isNameByte(bytes[j]) { j += 1 }
                            guard j < end else { return false }
                            if bytes[j] == UInt8(ascii: ">") {
                                guard depth < deepest else { return false }
                                stack[depth] = (i + 1, j)
                                depth += 1
                                justOpened = true
                                i = j + 1
                            } else if bytes[j] == UInt8(ascii: "/"), j + 1 < end, bytes[j + 1] == UInt8(ascii: ">") {
                                justOpened = false
                                i = j + 2
                            } else {
                                return false  // attributes, whitespace in a tag: the parser decides
                            }
                        }
                    case UInt8(ascii: "&"):
                        let rest = bytes[i...]
                        if rest.starts(with: "&amp;".utf8) {
                            i += 5
                        } else if rest.starts(with: "&lt;".utf8) || rest.starts(with: "&gt;".utf8) {
                            i += 4
                        } else {
                            return false
                        }
                        justOpened = false
                    case 0xEF:
                        // U+FFFE and U+FFFF are not XML characters; other U+Fxxx are text.
                        guard i + 2 >= end || bytes[i + 1] != 0xBF || (bytes[i + 2] != 0xBE && bytes[i + 2] != 0xBF)
                        else { return false }
                        justOpened = false
                        i += 1
                    default:
                        return false  // `>`, CR, other control characters
                    }
                }
                return false
            }
        } ?? false
    }

    /// How many open elements the fast path follows (the call stack's room; deeper goes to the parser).
    static let simpleDepthRoom = 64

    /// The canonical text of a `div` element of a parsed document.
    static func canonical(_ div: xmlNodePtr) -> String {
        var output = TrivialBuffer<UInt8>(capacity: 256)
        defer { output.deallocate() }
        write(div, isRoot: true, parentNamespace: nil, into: &output)
        return String(decoding: output.all, as: UTF8.self)
    }

    private static func write(
        _ node: xmlNodePtr, isRoot: Bool, parentNamespace: String?, into output: inout TrivialBuffer<UInt8>
    ) {
        let namespace = isRoot ? xhtmlNamespace : (node.namespaceURI ?? parentNamespace)
        let prefix = node.namespacePrefix
        let qualifiedName = prefix.map { "\($0):\(node.name)" } ?? node.name
        output.append(UInt8(ascii: "<"))
        output.append(utf8: qualifiedName)
        if isRoot {
            output.append(literal: " xmlns=\"")
            output.append(utf8: xhtmlNamespace)
            output.append(UInt8(ascii: "\""))
        } else if prefix == nil, let namespace, namespace != parentNamespace {
            output.append(literal: " xmlns=\"")
            appendEscaped(namespace, attribute: true, into: &output)
            output.append(UInt8(ascii: "\""))
        }
        // Prefixed namespace declarations as written (e.g. xmlns:xlink).
        var definition = node.pointee.nsDef
        while let current = definition {
            if let declaredPrefix = current.pointee.prefix, let href = current.pointee.href {
                output.append(literal: " xmlns:")
                output.append(utf8: String(cString: declaredPrefix))
                output.append(literal: "=\"")
                appendEscaped(String(cString: href), attribute: true, into: &output)
                output.append(UInt8(ascii: "\""))
            }
            definition = current.pointee.next
        }
        for attribute in attributes(of: node) {
            output.append(UInt8(ascii: " "))
            if let attributePrefix = attribute.namespacePrefix {
                output.append(utf8: attributePrefix)
                output.append(UInt8(ascii: ":"))
            }
            output.append(utf8: attribute.name)
            output.append(literal: "=\"")
            appendEscaped(attribute.value, attribute: true, into: &output)
            output.append(UInt8(ascii: "\""))
        }
        guard node.pointee.children != nil else {
            output.append(literal: "/>")
            return
        }
        output.append(UInt8(ascii: ">"))
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                write(current, isRoot: false, parentNamespace: namespace, into: &output)
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                appendEscaped(current.textContent, attribute: false, into: &output)
            default:
                break  // comments, processing instructions
            }
            child = current.pointee.next
        }
        output.append(literal: "</")
        output.append(utf8: qualifiedName)
        output.append(UInt8(ascii: ">"))
    }

    static func appendEscaped(_ text: String, attribute: Bool, into output: inout TrivialBuffer<UInt8>) {
        // Fast path: nothing to escape, append in one go.
        let clean = PrimitiveLexical.allBytes(text) { byte in
            byte != UInt8(ascii: "&") && byte != UInt8(ascii: "<") && byte != UInt8(ascii: ">") && byte != 0x0D
                && !(attribute && (byte == UInt8(ascii: "\"") || byte == 0x09 || byte == 0x0A))
        }
        if clean {
            output.append(utf8: text)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output.append(literal: "&amp;")
            case UInt8(ascii: "<"): output.append(literal: "&lt;")
            case UInt8(ascii: ">"): output.append(literal: "&gt;")
            case UInt8(ascii: "\"") where attribute: output.append(literal: "&quot;")
            case 0x09 where attribute: output.append(literal: "&#9;")
            case 0x0A where attribute: output.append(literal: "&#10;")
            case 0x0D: output.append(literal: "&#13;")
            default: output.append(byte)
            }
        }
    }
}

/// The bytes of a simple narrative's text that need no look: everything but markup (`<`, `>`, `&`), CR and other
/// control characters (tab and LF are text), and 0xEF (which starts U+FFFE and U+FFFF).
enum XHTMLByteClass {
    /// Bit n set: byte n (below 64) is plain text — tab, LF, and 0x20–0x3F but for `&`, `<` and `>`.
    /// (A literal, so that the hot loop reads a constant; a test derives it again.)
    static let plainBelow64: UInt64 = 0xAFFF_FFBF_0000_0600

    @inline(__always)
    static func isPlainText(_ byte: UInt8) -> Bool {
        byte < 64 ? (plainBelow64 >> UInt64(byte)) & 1 != 0 : byte != 0xEF
    }
}
