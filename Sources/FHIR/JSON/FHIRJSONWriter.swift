/// Writes the model as FHIR R4 JSON: canonical order (the model's), `resourceType` first, arrays
/// for repeating elements, numbers and booleans unquoted with their exact text, `_name` for a
/// primitive's id and extensions (arrays padded with null).
public struct FHIRJSONWriter: Sendable {
    public var schema: FHIRSchema
    /// Two-space indentation and a newline at the end; otherwise compact.
    public var pretty: Bool

    public init(schema: FHIRSchema = .r4, pretty: Bool = true) {
        self.schema = schema
        self.pretty = pretty
    }

    public func write(_ resource: FHIRElement) -> [UInt8] {
        var output = JSONOutput(pretty: pretty)
        defer { output.bytes.deallocate() }
        writeObject(resource, into: &output)
        if pretty { output.bytes.append(0x0A) }
        return Array(output.bytes.all)
    }

    public func string(_ resource: FHIRElement) -> String {
        String(decoding: write(resource), as: UTF8.self)
    }

    private func writeObject(_ element: FHIRElement, into output: inout JSONOutput) {
        // The definition is read without a retain, for every object and property written: `schema` holds it.
        let type = schema.unretainedType(named: element.type)
        output.open(UInt8(ascii: "{"))
        var first = true
        if type?._withUnsafeGuaranteedRef({ $0.kind == .resource }) == true {
            output.key("resourceType", first: &first)
            output.string(element.type)
        }
        // Walked in place: most properties are one plain primitive, read without copying the property.
        element.properties.withUnsafeBufferPointer { properties in
            for index in properties.indices {
                let name = properties[index].name
                let repeats =
                    type?._withUnsafeGuaranteedRef { $0.propertyRepeats(name) } ?? (properties[index].values.count > 1)
                if !repeats, let primitive = properties[index].values.singlePlainPrimitive {
                    if let value = primitive.value {
                        output.key(name, first: &first)
                        writeLexical(type: primitive.type, value: value, into: &output)
                    }
                    continue
                }
                writeProperty(properties[index], repeats: repeats, first: &first, into: &output)
            }
        }
        output.close(UInt8(ascii: "}"), empty: first)
    }

    /// A property other than one plain primitive: primitives with ids or extensions, repeats, elements, XHTML.
    private func writeProperty(
        _ property: FHIRProperty, repeats: Bool, first: inout Bool, into output: inout JSONOutput
    ) {
        // Looked at in place: most properties written here hold elements, and copying them out to look was a tenth
        // of writing.
        if property.values.areAllPrimitives, !property.values.isEmpty {
            writePrimitive(
                property.name, property.values.compactMap(\.primitive), repeats: repeats, first: &first, into: &output)
            return
        }
        output.key(property.name, first: &first)
        if repeats { output.open(UInt8(ascii: "[")) }
        property.values.forEachValue { index, value in
            if repeats { output.item(index) }
            switch value {
            case .element(let child): writeObject(child, into: &output)
            case .deferred(let resource): writeObject(resource.element, into: &output)
            case .xhtml(let text): output.string(text)
            case .primitive(let primitive): writeLexical(primitive, into: &output)
            }
        }
        if repeats { output.close(UInt8(ascii: "]"), empty: property.values.isEmpty) }
    }

    private func writePrimitive(
        _ name: String, _ values: [FHIRPrimitive], repeats: Bool, first: inout Bool, into output: inout JSONOutput
    ) {
        if values.contains(where: { $0.value != nil }) {
            output.key(name, first: &first)
            if repeats {
                output.open(UInt8(ascii: "["))
                for (index, value) in values.enumerated() {
                    output.item(index)
                    writeLexical(value, into: &output)
                }
                output.close(UInt8(ascii: "]"), empty: false)
            } else {
                writeLexical(values[0], into: &output)
            }
        }
        guard values.contains(where: \.hasMetadata) else { return }
        output.key("_" + name, first: &first)
        if repeats { output.open(UInt8(ascii: "[")) }
        for (index, value) in values.enumerated() {
            if repeats { output.item(index) }
            guard value.hasMetadata else {
                output.bytes.append(literal: "null")
                continue
            }
            output.open(UInt8(ascii: "{"))
            var firstMember = true
            if let id = value.id {
                output.key("id", first: &firstMember)
                output.string(id)
            }
            if !value.extensions.isEmpty {
                output.key("extension", first: &firstMember)
                output.open(UInt8(ascii: "["))
                for (extensionIndex, item) in value.extensions.enumerated() {
                    output.item(extensionIndex)
                    writeObject(item, into: &output)
                }
                output.close(UInt8(ascii: "]"), empty: false)
            }
            output.close(UInt8(ascii: "}"), empty: false)
        }
        if repeats { output.close(UInt8(ascii: "]"), empty: false) }
    }

    private func writeLexical(_ primitive: FHIRPrimitive, into output: inout JSONOutput) {
        guard let value = primitive.value else {
            output.bytes.append(literal: "null")
            return
        }
        writeLexical(type: primitive.type, value: value, into: &output)
    }

    private func writeLexical(type: String, value: String, into output: inout JSONOutput) {
        switch JSONPrimitiveKind(fhirType: type) {
        case .string: output.string(value)
        case .number, .boolean: output.bytes.append(utf8: value)  // the exact text
        }
    }
}

/// The byte buffer and indentation state of the JSON writer.
private struct JSONOutput {
    /// Freed by the writer when it has copied them out. Sized for a whole recommendation bundle (30–55 KB pretty):
    /// from 4 KB, doubling to fit one copied as many bytes again as the final copy out. Only what is written is
    /// touched, so a small result costs no more than before.
    var bytes = TrivialBuffer<UInt8>(capacity: 64 * 1024)
    let pretty: Bool
    var depth = 0

    init(pretty: Bool) { self.pretty = pretty }

    mutating func open(_ bracket: UInt8) {
        bytes.append(bracket)
        depth += 1
    }

    mutating func close(_ bracket: UInt8, empty: Bool) {
        depth -= 1
        if pretty && !empty { newline() }
        bytes.append(bracket)
    }

    mutating func item(_ index: Int) {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        if pretty { newline() }
    }

    mutating func key(_ name: String, first: inout Bool) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        if pretty { newline() }
        string(name)
        bytes.append(UInt8(ascii: ":"))
        if pretty { bytes.append(UInt8(ascii: " ")) }
    }

    mutating func newline() {
        bytes.append(0x0A)
        var indent = 2 * depth
        while indent > 0 {
            let run = min(indent, Self.spaces.count)
            Self.spaces.withUnsafeBufferPointer { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: $0[..<run])) }
            indent -= run
        }
    }

    private static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 64)

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        // Read in place: `withUTF8` needs a mutable copy of the string, a retain and a release for every string
        // written. Only a string bridged from another runtime has no contiguous UTF-8 (none on Linux).
        if text.utf8.withContiguousStorageIfAvailable({ utf8 in appendContents(utf8) }) == nil {
            var text = text
            text.withUTF8 { appendContents($0) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A string's bytes, escaped where JSON needs it. Most strings have nothing to escape: found eight bytes at a
    /// time, appended whole.
    private mutating func appendContents(_ utf8: UnsafeBufferPointer<UInt8>) {
        if Self.needsEscaping(utf8) { appendEscaped(utf8) } else { bytes.append(contentsOf: utf8) }
    }

    /// A quote, a backslash or a control character in the bytes (`JSONParser.specialByteMarks`: the same set).
    static func needsEscaping(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        let raw = UnsafeRawBufferPointer(utf8)
        var offset = 0
        while offset + 8 <= raw.count {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            if JSONParser.specialByteMarks(word) != 0 { return true }
            offset += 8
        }
        while offset < raw.count {
            if needsEscaping(raw[offset]) { return true }
            offset += 1
        }
        return false
    }

    /// Runs between the bytes to escape are appended whole, found eight bytes at a time (a narrative's XHTML
    /// is kilobytes with a few quotes).
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        let raw = UnsafeRawBufferPointer(utf8)
        var runStart = 0
        var offset = 0
        while offset < raw.count {
            if offset + 8 <= raw.count {
                let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                let marks = JSONParser.specialByteMarks(word)
                guard marks != 0 else {
                    offset += 8
                    continue
                }
                offset += marks.trailingZeroBitCount >> 3  // the first byte to escape
            } else if !Self.needsEscaping(raw[offset]) {
                offset += 1
                continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<offset]))
            appendEscape(raw[offset])
            offset += 1
            runStart = offset
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<raw.count]))
    }

    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private mutating func appendEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): escape(0x5C, 0x22)
        case UInt8(ascii: "\\"): escape(0x5C, 0x5C)
        case 0x0A: escape(0x5C, UInt8(ascii: "n"))
        case 0x0D: escape(0x5C, UInt8(ascii: "r"))
        case 0x09: escape(0x5C, UInt8(ascii: "t"))
        case 0x08: escape(0x5C, UInt8(ascii: "b"))
        case 0x0C: escape(0x5C, UInt8(ascii: "f"))
        default:
            let digits = Array("0123456789abcdef".utf8)
            for escaped in [0x5C, UInt8(ascii: "u"), 0x30, 0x30, digits[Int(byte >> 4)], digits[Int(byte & 0xF)]] {
                bytes.append(escaped)
            }
        }
    }

    private mutating func escape(_ backslash: UInt8, _ letter: UInt8) {
        bytes.append(backslash)
        bytes.append(letter)
    }
}
