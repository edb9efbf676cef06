import CLibXML2

#if canImport(Glibc)
    import Glibc
#endif

/// A parsed libxml2 document with exactly one owner: this object frees it on deinit.
/// Nodes reached from `root` are valid only while the document is alive.
///
/// Parsing is safe for hostile input: `XML_PARSE_NONET` only (no entity substitution, no DTD
/// loading, no XInclude, libxml2's default size limits), any DOCTYPE is rejected before libxml2
/// sees the bytes, and the input must be UTF-8.
final class XMLDocumentOwner {
    let document: xmlDocPtr

    var root: xmlNodePtr? { xmlDocGetRootElement(document) }

    init(parsing bytes: UnsafeBufferPointer<UInt8>, limits: FHIRReadLimits) throws(FHIRReadError) {
        guard bytes.count <= limits.maxInputBytes else {
            throw FHIRReadError(
                .limit, "the input is \(bytes.count) bytes, over the limit of \(limits.maxInputBytes) bytes")
        }
        guard bytes.count <= Int(Int32.max) else {
            throw FHIRReadError(.limit, "the input is too large for the XML parser")
        }
        try XMLDocumentOwner.checkProlog(bytes)
        guard let context = painpath_xml_new_parser_context() else {
            throw FHIRReadError(.syntax, "the XML parser could not be created (out of memory)")
        }
        defer { xmlFreeParserCtxt(context) }
        let parsed = bytes.withMemoryRebound(to: CChar.self) { chars in
            xmlCtxtReadMemory(context, chars.baseAddress, Int32(bytes.count), nil, nil, painpath_xml_parse_options)
        }
        let wellFormed = context.pointee.wellFormed != 0
        guard let parsed, wellFormed else {
            if let parsed { xmlFreeDoc(parsed) }
            throw XMLDocumentOwner.lastError(of: context)
        }
        if parsed.pointee.intSubset != nil || parsed.pointee.extSubset != nil {
            xmlFreeDoc(parsed)
            throw FHIRReadError(.forbidden, "a DOCTYPE is not allowed in FHIR XML (entities and DTDs are refused)")
        }
        if let encoding = parsed.pointee.encoding {
            let name = String(cString: encoding).uppercased()
            if name != "UTF-8" && name != "UTF8" {
                xmlFreeDoc(parsed)
                throw FHIRReadError(.syntax, "the XML encoding is \(name); FHIR XML must be UTF-8")
            }
        }
        document = parsed
    }

    deinit { xmlFreeDoc(document) }

    /// Refuses a UTF-16/32 byte order mark and any `<!DOCTYPE` before the root element, before
    /// libxml2 sees the bytes: entity declarations (billion laughs, XXE) never reach the parser.
    private static func checkProlog(_ bytes: UnsafeBufferPointer<UInt8>) throws(FHIRReadError) {
        if bytes.count >= 2, (bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE) {
            throw FHIRReadError(
                .syntax, "the input is UTF-16 (byte order mark); FHIR XML must be UTF-8", line: 1, column: 1)
        }
        if bytes.count >= 4, bytes[0] == 0, bytes[1] == 0x3C || bytes[1] == 0 {
            throw FHIRReadError(.syntax, "the input is UTF-16 or UTF-32; FHIR XML must be UTF-8", line: 1, column: 1)
        }
        if bytes.count >= 2, bytes[0] == 0x3C, bytes[1] == 0 {
            throw FHIRReadError(.syntax, "the input is UTF-16; FHIR XML must be UTF-8", line: 1, column: 1)
        }
        let doctype = Array("<!DOCTYPE".utf8)
        var index = 0
        while index < bytes.count {
            // Skip whitespace, the XML declaration, processing instructions and comments.
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 || byte == 0xEF || byte == 0xBB
                || byte == 0xBF
            {
                index += 1
                continue
            }
            guard byte == UInt8(ascii: "<"), index + 1 < bytes.count else { return }
            let next = bytes[index + 1]
            if next == UInt8(ascii: "?") {
                guard let end = find(bytes, "?>", from: index) else { return }
                index = end + 2
            } else if next == UInt8(ascii: "!") {
                if index + doctype.count <= bytes.count,
                    (0..<doctype.count).allSatisfy({ bytes[index + $0] == doctype[$0] })
                {
                    throw FHIRReadError(
                        .forbidden, "a DOCTYPE is not allowed in FHIR XML (entities and DTDs are refused)",
                        line: lineNumber(bytes, index), column: nil)
                }
                guard let end = find(bytes, "-->", from: index) else { return }
                index = end + 3
            } else {
                return  // the root element: the prolog is over
            }
        }
    }

    private static func find(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: StaticString, from start: Int) -> Int? {
        let count = needle.utf8CodeUnitCount
        return needle.withUTF8Buffer { pattern -> Int? in
            var index = start
            while index + count <= bytes.count {
                if (0..<count).allSatisfy({ bytes[index + $0] == pattern[$0] }) { return index }
                index += 1
            }
            return nil
        }
    }

    private static func lineNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ offset: Int) -> Int {
        1 + bytes[0..<offset].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }

    private static func lastError(of context: xmlParserCtxtPtr) -> FHIRReadError {
        guard let error = xmlCtxtGetLastError(context) else {
            return FHIRReadError(.syntax, "the XML is not well-formed")
        }
        var message = error.pointee.message.map { String(cString: $0) } ?? "the XML is not well-formed"
        while message.last == "\n" || message.last == " " { message.removeLast() }
        let line = error.pointee.line > 0 ? Int(error.pointee.line) : nil
        let column = error.pointee.int2 > 0 ? Int(error.pointee.int2) : nil
        // XML_ERR_UNDECLARED_ENTITY & co. are syntax for us; libxml2's own limits (depth, text size) are limits.
        let code = xmlParserErrors(rawValue: UInt32(error.pointee.code))
        let kind: FHIRReadError.Kind =
            (code == XML_ERR_INTERNAL_ERROR || message.contains("Huge input") || message.contains("Excessive depth"))
            ? .limit : .syntax
        return FHIRReadError(kind, message, line: line, column: column)
    }
}

// MARK: - small libxml2 helpers

/// The namespaces, as compared in place (`isInNamespace`), and as Strings for messages and the XHTML writer.
let fhirNamespaceURI: StaticString = "http://hl7.org/fhir"
let xhtmlNamespaceURI: StaticString = "http://www.w3.org/1999/xhtml"
let fhirNamespace = fhirNamespaceURI.description
let xhtmlNamespace = xhtmlNamespaceURI.description

extension UnsafeMutablePointer where Pointee == xmlNode {
    var name: String { pointee.name.map { String(cString: $0) } ?? "" }

    /// The element's local name as bytes in libxml2's memory (valid while the document lives): the reader
    /// looks definitions up by these, making no String per element.
    var nameBytes: UnsafeBufferPointer<UInt8> {
        guard let name = pointee.name else { return UnsafeBufferPointer(start: nil, count: 0) }
        var count = 0
        while name[count] != 0 { count += 1 }
        return UnsafeBufferPointer(start: name, count: count)
    }

    /// The element's name is exactly `expected` (compared in place).
    func hasName(_ expected: StaticString) -> Bool {
        guard let name = pointee.name else { return false }
        return isCString(name, expected)
    }

    /// The element's namespace is exactly `uri` (compared in place: a String per element cost more than the
    /// comparison).
    func isInNamespace(_ uri: StaticString) -> Bool {
        guard let href = pointee.ns?.pointee.href else { return false }
        return isCString(href, uri)
    }
    var namespaceURI: String? { pointee.ns?.pointee.href.map { String(cString: $0) } }
    var namespacePrefix: String? { pointee.ns?.pointee.prefix.map { String(cString: $0) } }
    var isElement: Bool { pointee.type == XML_ELEMENT_NODE }
    var line: Int { Int(xmlGetLineNo(self)) }

    /// How many element children the element has (a walk of its child list, nothing made).
    var elementChildCount: Int {
        var count = 0
        var child = pointee.children
        while let node = child {
            if node.pointee.type == XML_ELEMENT_NODE { count += 1 }
            child = node.pointee.next
        }
        return count
    }

    /// The element children, in document order.
    var elementChildren: [xmlNodePtr] {
        var result: [xmlNodePtr] = []
        var child = pointee.children
        while let node = child {
            if node.pointee.type == XML_ELEMENT_NODE { result.append(node) }
            child = node.pointee.next
        }
        return result
    }

    /// The text of a text or CDATA node.
    var textContent: String { pointee.content.map { String(cString: $0) } ?? "" }

    /// True when a text node holds only XML whitespace (checked on the C string, no copy:
    /// indentation between elements is most of the text nodes libxml2 creates).
    var isWhitespaceText: Bool {
        guard var byte = pointee.content else { return true }
        while byte.pointee != 0 {
            switch byte.pointee {
            case 0x20, 0x0A, 0x0D, 0x09: byte += 1
            default: return false
            }
        }
        return true
    }
}

extension UnsafeMutablePointer where Pointee == xmlAttr {
    var name: String { pointee.name.map { String(cString: $0) } ?? "" }

    /// The attribute's name is exactly `expected` (compared in place).
    func hasName(_ expected: StaticString) -> Bool {
        guard let name = pointee.name else { return false }
        return isCString(name, expected)
    }
    var namespaceURI: String? { pointee.ns?.pointee.href.map { String(cString: $0) } }
    var namespacePrefix: String? { pointee.ns?.pointee.prefix.map { String(cString: $0) } }

    /// The attribute's value as bytes in libxml2's memory (valid while the document lives), when it is one text
    /// node (the usual case; nil otherwise: `value` joins the parts).
    var inPlaceValue: UnsafeBufferPointer<UInt8>? {
        guard let child = pointee.children, child.pointee.next == nil, child.pointee.type == XML_TEXT_NODE else {
            return nil
        }
        guard let content = child.pointee.content else { return UnsafeBufferPointer(start: nil, count: 0) }
        return UnsafeBufferPointer(
            start: content, count: strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self)))
    }

    /// The attribute's value (entity and character references already resolved by the parser).
    var value: String {
        // Fast path: one text child (the usual case), read in place.
        if let bytes = inPlaceValue { return String(decoding: bytes, as: UTF8.self) }
        guard let raw = xmlNodeListGetString(pointee.doc, pointee.children, 1) else { return "" }
        defer { painpath_xml_free(raw) }
        return String(cString: raw)
    }
}

/// A NUL-terminated libxml2 string is exactly `expected`: compared byte by byte, never reading past its end.
func isCString(_ text: UnsafePointer<xmlChar>, _ expected: StaticString) -> Bool {
    let count = expected.utf8CodeUnitCount
    let bytes = expected.utf8Start
    for index in 0..<count where text[index] != bytes[index] { return false }
    return text[count] == 0
}

/// The attributes of an element, in document order: walked through libxml2's list, no array made (every
/// primitive element has its `value` attribute).
func attributes(of node: xmlNodePtr) -> AttributeList { AttributeList(first: node.pointee.properties) }

struct AttributeList: Sequence, IteratorProtocol {
    var first: xmlAttrPtr?

    mutating func next() -> xmlAttrPtr? {
        guard let current = first else { return nil }
        first = current.pointee.next
        return current
    }
}

/// The XML parse alone, for benchmarks: how much of reading XML is libxml2's parse (and freeing its tree), and how
/// much the walk to the model.
public enum XMLScan {
    /// Parses the document as the reader does (the same options and checks) and gives the number of elements.
    public static func elementCount(_ bytes: [UInt8], limits: FHIRReadLimits = FHIRReadLimits()) throws(FHIRReadError)
        -> Int
    {
        let document = try bytes.withUnsafeBufferPointer { (buffer) throws(FHIRReadError) -> XMLDocumentOwner in
            try XMLDocumentOwner(parsing: buffer, limits: limits)
        }
        return withExtendedLifetime(document) { document.root.map(countElements) ?? 0 }
    }

    /// Recursive: libxml2 refuses documents nested deeper than 256 elements without `XML_PARSE_HUGE`, never set.
    private static func countElements(_ node: xmlNodePtr) -> Int {
        var count = 1
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { count += countElements(current) }
            child = current.pointee.next
        }
        return count
    }
}
