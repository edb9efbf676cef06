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
        output.bytes.reserveCapacity(4096)
        output.bytes.append(contentsOf: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>".utf8)
        try writeElement(resource.type, resource, namespace: true, into: &output)
        output.bytes.append(0x0A)
        return output.bytes
    }

    public func string(_ resource: FHIRElement) throws(FHIRReadError) -> String {
        String(decoding: try write(resource), as: UTF8.self)
    }

    private func writeElement(_ name: String, _ element: FHIRElement, namespace: Bool, into output: inout XMLOutput)
        throws(FHIRReadError)
    {
        let type = schema.type(named: element.type)
        output.path.append(name)
        defer { output.path.removeLast() }
        output.newline()
        output.bytes.append(UInt8(ascii: "<"))
        output.bytes.append(contentsOf: name.utf8)
        if namespace { output.bytes.append(contentsOf: " xmlns=\"http://hl7.org/fhir\"".utf8) }
        var children: [FHIRProperty] = []
        for property in element.properties {
            if type?.property(property.name)?.element.isXMLAttribute == true,
                let value = property.values.first?.primitive?.value
            {
                try output.attribute(property.name, value)
            } else {
                children.append(property)
            }
        }
        if children.isEmpty {
            output.bytes.append(contentsOf: "/>".utf8)
            return
        }
        output.bytes.append(UInt8(ascii: ">"))
        output.depth += 1
        for property in children {
            let isResourceSlot = type?.property(property.name)?.type == "Resource"
            for value in property.values {
                switch value {
                case .primitive(let primitive):
                    try writePrimitive(property.name, primitive, into: &output)
                case .xhtml(let text):
                    output.newline()
                    try output.checkCharacters(text)
                    output.bytes.append(contentsOf: text.utf8)
                case .element, .deferred:
                    guard let child = value.element else { continue }  // a deferred resource, built
                    if isResourceSlot {
                        output.newline()
                        output.bytes.append(contentsOf: "<\(property.name)>".utf8)
                        output.depth += 1
                        try writeElement(child.type, child, namespace: false, into: &output)
                        output.depth -= 1
                        output.newline()
                        output.bytes.append(contentsOf: "</\(property.name)>".utf8)
                    } else {
                        try writeElement(property.name, child, namespace: false, into: &output)
                    }
                }
            }
        }
        output.depth -= 1
        output.newline()
        output.bytes.append(contentsOf: "</\(name)>".utf8)
    }

    private func writePrimitive(_ name: String, _ primitive: FHIRPrimitive, into output: inout XMLOutput)
        throws(FHIRReadError)
    {
        output.newline()
        output.bytes.append(UInt8(ascii: "<"))
        output.bytes.append(contentsOf: name.utf8)
        if let id = primitive.id { try output.attribute("id", id) }
        if let value = primitive.value { try output.attribute("value", value) }
        if primitive.extensions.isEmpty {
            output.bytes.append(contentsOf: "/>".utf8)
            return
        }
        output.bytes.append(UInt8(ascii: ">"))
        output.depth += 1
        for item in primitive.extensions {
            try writeElement("extension", item, namespace: false, into: &output)
        }
        output.depth -= 1
        output.newline()
        output.bytes.append(contentsOf: "</\(name)>".utf8)
    }
}

private struct XMLOutput {
    var bytes: [UInt8] = []
    let pretty: Bool
    var depth = 0
    var path: [String] = []

    init(pretty: Bool) { self.pretty = pretty }

    mutating func newline() {
        guard pretty else { return }
        bytes.append(0x0A)
        for _ in 0..<depth { bytes.append(contentsOf: [0x20, 0x20]) }
    }

    mutating func attribute(_ name: String, _ value: String) throws(FHIRReadError) {
        try checkCharacters(value)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: name.utf8)
        bytes.append(contentsOf: "=\"".utf8)
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
