/// Writes the model as FHIR R4 XML: the FHIR namespace on the root, canonical order, `value`
/// attributes for primitives, `id`/`url` attributes where the definitions say so, contained
/// resources wrapped in their element, the narrative `div` as XHTML.
///
/// Throws `.encoding` when a value holds a character XML 1.0 cannot carry (a control character
/// other than tab, newline and carriage return, which JSON can escape but XML cannot).
public struct FHIRXMLWriter: Sendable {
    public var schema: FHIRSchema
    public var pretty: Bool

    public init(schema: FHIRSchema = .r4, pretty: Bool = true) {
        self.schema = schema
        self.pretty = pretty
    }

    public func write(_ resource: FHIRElement) throws(FHIRReadError) -> [UInt8] {
        var output = XMLOutput(pretty: pretty)
        defer { output.bytes.deallocate() }
        output.bytes.append(literal: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        try writeElement(resource.type, resource, namespace: true, into: &output)
        output.bytes.append(0x0A)
        return Array(output.bytes.all)
    }

    public func string(_ resource: FHIRElement) throws(FHIRReadError) -> String {
        String(decoding: try write(resource), as: UTF8.self)
    }

    private func writeElement(_ name: String, _ element: FHIRElement, namespace: Bool, into output: inout XMLOutput)
        throws(FHIRReadError)
    {
        // The definition is read without a retain, for every element and property written: `schema` holds it.
        let type = schema.unretainedType(named: element.type)
        func placement(_ name: String) -> (isAttribute: Bool, holdsResource: Bool)? {
            type?._withUnsafeGuaranteedRef { $0.xmlPlacement(name) }
        }
        // The properties are read in place, by index: each pass copied every property and its values.
        let properties = element.properties
        output.path.append(name)
        defer { output.path.removeLast() }
        output.newline()
        output.bytes.append(UInt8(ascii: "<"))
        output.bytes.append(utf8: name)
        if namespace { output.bytes.append(literal: " xmlns=\"http://hl7.org/fhir\"") }
        // Attributes first (`id`, `url`), then the child elements: two passes over the properties, no array.
        var hasChildren = false
        for index in properties.indices {
            let name = properties[index].name
            if placement(name)?.isAttribute == true, let value = properties[index].values.firstPrimitiveValue {
                try output.attribute(name, value)
            } else {
                hasChildren = true
            }
        }
        if !hasChildren {
            output.bytes.append(literal: "/>")
            return
        }
        output.bytes.append(UInt8(ascii: ">"))
        output.depth += 1
        for index in properties.indices {
            let name = properties[index].name
            let placed = placement(name)
            if placed?.isAttribute == true, properties[index].values.firstPrimitiveValue != nil { continue }
            // Most properties: one primitive without id or extensions, `<name value="…"/>`.
            if let primitive = properties[index].values.singlePlainPrimitive {
                output.newline()
                output.bytes.append(UInt8(ascii: "<"))
                output.bytes.append(utf8: name)
                if let value = primitive.value { try output.attribute("value", value) }
                output.bytes.append(literal: "/>")
                continue
            }
            // Walked in place, as the JSON writer does: copying the property and each value out was a tenth of it.
            let isResourceSlot = placed?.holdsResource == true
            try properties[index].values.forEachValue { (_, value) throws(FHIRReadError) in
                switch value {
                case .primitive(let primitive):
                    try writePrimitive(name, primitive, into: &output)
                case .xhtml(let text):
                    output.newline()
                    try output.checkCharacters(text)
                    output.bytes.append(utf8: text)
                case .element, .deferred:
                    guard let child = value.element else { return }  // a deferred resource, built
                    if isResourceSlot {
                        output.newline()
                        output.openTag(name)
                        output.depth += 1
                        try writeElement(child.type, child, namespace: false, into: &output)
                        output.depth -= 1
                        output.newline()
                        output.closeTag(name)
                    } else {
                        try writeElement(name, child, namespace: false, into: &output)
                    }
                }
            }
        }
        output.depth -= 1
        output.newline()
        output.closeTag(name)
    }

    private func writePrimitive(_ name: String, _ primitive: FHIRPrimitive, into output: inout XMLOutput)
        throws(FHIRReadError)
    {
        output.newline()
        output.bytes.append(UInt8(ascii: "<"))
        output.bytes.append(utf8: name)
        if let id = primitive.id { try output.attribute("id", id) }
        if let value = primitive.value { try output.attribute("value", value) }
        if primitive.extensions.isEmpty {
            output.bytes.append(literal: "/>")
            return
        }
        output.bytes.append(UInt8(ascii: ">"))
        output.depth += 1
        for item in primitive.extensions {
            try writeElement("extension", item, namespace: false, into: &output)
        }
        output.depth -= 1
        output.newline()
        output.closeTag(name)
    }
}

private struct XMLOutput {
    /// Freed by the writer when it has copied them out. Sized for a whole recommendation bundle, as the JSON
    /// writer's is: growing from 4 KB copied as many bytes again as the final copy out.
    var bytes = TrivialBuffer<UInt8>(capacity: 64 * 1024)
    let pretty: Bool
    var depth = 0
    var path: [String] = []

    init(pretty: Bool) { self.pretty = pretty }

    mutating func newline() {
        guard pretty else { return }
        bytes.append(0x0A)
        for _ in 0..<depth {
            bytes.append(0x20)
            bytes.append(0x20)
        }
    }

    mutating func openTag(_ name: String) {
        bytes.append(UInt8(ascii: "<"))
        bytes.append(utf8: name)
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func closeTag(_ name: String) {
        bytes.append(literal: "</")
        bytes.append(utf8: name)
        bytes.append(UInt8(ascii: ">"))
    }

    mutating func attribute(_ name: String, _ value: String) throws(FHIRReadError) {
        try checkCharacters(value)
        bytes.append(UInt8(ascii: " "))
        bytes.append(utf8: name)
        bytes.append(literal: "=\"")
        XHTML.appendEscaped(value, attribute: true, into: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    func checkCharacters(_ text: String) throws(FHIRReadError) {
        if PrimitiveLexical.allBytes(text, { $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) { return }
        if let bad = text.utf8.first(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) {
            throw FHIRReadError(
                .encoding,
                "the control character U+00\(bad < 16 ? "0" : "")\(String(bad, radix: 16, uppercase: true)) cannot be written in XML 1.0",
                path: path.joined(separator: "."))
        }
    }
}
