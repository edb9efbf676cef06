import CLibXML2

/// Reads FHIR R4 XML into the model (the same model the JSON reader gives for the same content).
///
/// Errors: not well-formed or not UTF-8, a DOCTYPE, a root or element outside the FHIR namespace,
/// an unknown resource type, text inside FHIR elements, a repeated non-repeating element, a
/// number or boolean with a wrong lexical form. Warnings: unknown elements and attributes, primitives
/// with neither value nor extension, untidy lexical forms (dates, ids).
public struct FHIRXMLReader: Sendable {
    public var schema: FHIRSchema
    public var limits: FHIRReadLimits

    public init(schema: FHIRSchema = .r4, limits: FHIRReadLimits = .default) {
        self.schema = schema
        self.limits = limits
    }

    public func read(_ bytes: [UInt8]) throws(FHIRReadError) -> FHIRReadResult {
        let document = try bytes.withUnsafeBufferPointer { (buffer) throws(FHIRReadError) -> XMLDocumentOwner in
            try XMLDocumentOwner(parsing: buffer, limits: limits)
        }
        guard let root = document.root else { throw FHIRReadError(.structure, "the XML document has no root element") }
        var decoder = XMLToFHIR(schema: schema, limits: limits)
        defer { decoder.deallocate() }
        let resource = try withExtendedLifetime(document) { () throws(FHIRReadError) -> FHIRElement in
            try decoder.resource(root)
        }
        return FHIRReadResult(resource: resource, warnings: decoder.warnings)
    }
}

private struct XMLToFHIR {
    let schema: FHIRSchema
    let limits: FHIRReadLimits
    var warnings: [FHIRReadWarning] = []
    /// Freed, with `indexStack`, by `deallocate()`, which whoever makes a walker calls when done with it.
    var path = TrivialBuffer<PathStep>(capacity: 32)
    /// Asked for by every primitive that has extensions: looked up once. Definitions are passed unretained: the
    /// schema holds every one for the whole read.
    let extensionType: Unmanaged<TypeDefinition>?
    /// For every element being read, the definition element index of each property collected so far: a stack
    /// (each element uses the part above its parent's and gives it back when done), so that no array is made
    /// and freed per element.
    private var indexStack = TrivialBuffer<Int>(capacity: 64)

    func deallocate() {
        path.deallocate()
        indexStack.deallocate()
    }

    init(schema: FHIRSchema, limits: FHIRReadLimits) {
        self.schema = schema
        self.limits = limits
        extensionType = schema.type(named: "Extension").map(Unmanaged.passUnretained)
    }

    mutating func resource(_ node: xmlNodePtr) throws(FHIRReadError) -> FHIRElement {
        guard node.isInNamespace(fhirNamespaceURI) else {
            throw error(
                .structure,
                "<\(node.name)> must be in the FHIR namespace \(fhirNamespace), found \(node.namespaceURI ?? "no namespace")",
                node)
        }
        // Looked up by the name's bytes in place, without a retain.
        guard let type = schema.unretainedType(bytes: node.nameBytes),
            type._withUnsafeGuaranteedRef({ $0.kind == .resource && !$0.isAbstract })
        else {
            throw error(
                .structure, "unknown resource type <\(PrimitiveLexical.clip(node.name))> (not an R4 resource)", node)
        }
        path.append(PathStep(type: type))
        defer { path.removeLast(downTo: path.count - 1) }
        return try element(node, type: type)
    }

    mutating func element(_ node: xmlNodePtr, type definition: Unmanaged<TypeDefinition>) throws(FHIRReadError)
        -> FHIRElement
    {
        unowned(unsafe) let type = definition.takeUnretainedValue()
        if path.count > limits.maxDepth {
            throw error(.limit, "FHIR elements nested deeper than \(limits.maxDepth) levels", node)
        }
        // The properties collected, and beside each (on `indexStack`, from `base`) its definition element's index
        // in canonical order: an element is found among them by that integer (each index appears once: another
        // choice of it is an error). Room for one property per child element, made once: growing the array made
        // and freed a block per doubling, and with libxml2's tree around that cost more than counting the children.
        var properties: [FHIRProperty] = []
        properties.reserveCapacity(node.elementChildCount + (node.pointee.properties == nil ? 0 : 1))
        let base = indexStack.count
        defer { indexStack.removeLast(downTo: base) }
        // Attributes: `id` of datatypes and `url` of Extension; namespace declarations are not attributes.
        for attribute in attributes(of: node) {
            let name = attribute.name
            if attribute.namespaceURI == nil, let property = type.property(name), property.element.isXMLAttribute {
                let value = attribute.value
                try checkLexical(value, property, node)
                add(
                    FHIRValue.primitive(FHIRPrimitive(type: property.type, value: value)), property: property,
                    at: position(of: property.element.index, from: base), to: &properties)
            } else {
                warn("unknown attribute '\(attribute.namespacePrefix.map { $0 + ":" } ?? "")\(name)' ignored", node)
            }
        }
        var child = node.pointee.children
        var previousIndex = -1
        while let current = child {
            child = current.pointee.next
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                break
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if !current.isWhitespaceText {
                    throw error(
                        .structure,
                        "text is not allowed inside <\(node.name)> (FHIR XML puts values in value attributes)", current)
                }
                continue
            default:
                continue  // comments, processing instructions
            }
            guard
                current.isInNamespace(fhirNamespaceURI)
                    || (current.hasName("div") && current.isInNamespace(xhtmlNamespaceURI))
            else {
                warn("element <\(current.name)> outside the FHIR namespace ignored", current)
                continue
            }
            // Found by the name's bytes in place, without a retain (the schema holds every definition for the
            // whole read); the property's name is the schema's String, equal to it.
            guard let found = type.unretainedProperty(bytes: current.nameBytes),
                !found._withUnsafeGuaranteedRef({ $0.element.isXMLAttribute })
            else {
                warn("unknown element <\(PrimitiveLexical.clip(current.name))> ignored", current)
                continue
            }
            unowned(unsafe) let property = found.takeUnretainedValue()
            let elementIndex = property.element.index
            let position = position(of: elementIndex, from: base)
            if let position, properties[position].name != property.name {
                throw error(
                    .structure,
                    "both <\(properties[position].name)> and <\(property.name)> are given for \(property.element.name)[x]; only one is allowed",
                    current)
            }
            // How many <name> came before: the values already collected.
            let index = position.map { properties[$0].values.count } ?? 0
            if index > 0, elementIndex != previousIndex, property.element.repeats {
                warn("the <\(property.name)> elements are not together; they are read in document order", current)
            }
            if index > 0, !property.element.repeats {
                throw error(.structure, "<\(property.name)> appears more than once but does not repeat", current)
            }
            previousIndex = elementIndex
            path.append(PathStep(property, index: property.element.repeats ? index : nil))
            defer { path.removeLast(downTo: path.count - 1) }
            if let value = try value(current, property: property) {
                add(value, property: property, at: position, to: &properties)
            }
        }
        // Canonical order (XML documents are normally in order already; the indices are distinct).
        let indices = indexStack.values(base..<indexStack.count)
        if zip(indices, indices.dropFirst()).contains(where: { $0 > $1 }) {
            let order = properties.indices.sorted { indices[$0] < indices[$1] }
            properties = order.map { properties[$0] }
        }
        return FHIRElement(type: type.name, properties: properties)
    }

    /// The position among this element's properties (from `base` on the index stack) of a definition element.
    private func position(of elementIndex: Int, from base: Int) -> Int? {
        var position = base
        while position < indexStack.count {
            if indexStack[position] == elementIndex { return position - base }
            position += 1
        }
        return nil
    }

    /// A value of a property: appended to its values at `position`, or the property added (nil: not yet there).
    private mutating func add(
        _ value: FHIRValue, property: TypeDefinition.Property, at position: Int?, to properties: inout [FHIRProperty]
    ) {
        if let position {
            properties[position].values.append(value)
        } else {
            properties.append(FHIRProperty(name: property.name, values: FHIRValues(value)))
            indexStack.append(property.element.index)
        }
    }

    private mutating func value(_ node: xmlNodePtr, property: TypeDefinition.Property) throws(FHIRReadError)
        -> FHIRValue?
    {
        if property.element.isXHTML {
            guard node.isInNamespace(xhtmlNamespaceURI) else {
                throw error(.structure, "the narrative <div> must be in the XHTML namespace \(xhtmlNamespace)", node)
            }
            return .xhtml(XHTML.canonical(node))
        }
        if node.hasName("div") && node.isInNamespace(xhtmlNamespaceURI) {
            throw error(.structure, "an XHTML <div> is only allowed as Narrative.div", node)
        }
        if property.holdsResource {
            let children = node.elementChildren
            guard children.count == 1 else {
                throw error(
                    .structure, "<\(node.name)> must contain exactly one resource, found \(children.count) elements",
                    node)
            }
            return .element(try resource(children[0]))
        }
        if property.isPrimitive {
            return try primitive(node, property)
        }
        guard let type = property.valueTypeReference else {
            throw error(.structure, "no definition for type \(property.type)", node)
        }
        return .element(try element(node, type: type))
    }

    private mutating func primitive(_ node: xmlNodePtr, _ property: TypeDefinition.Property) throws(FHIRReadError)
        -> FHIRValue?
    {
        let type = property.type
        var primitive = FHIRPrimitive(type: type, value: nil)
        for attribute in attributes(of: node) {
            // Names compared in place (no String per attribute): `value` and `id`, without a namespace.
            if attribute.pointee.ns == nil && attribute.hasName("value") {
                // Read in place (one text child, the usual case): checked on the bytes the String is made from.
                if let bytes = attribute.inPlaceValue {
                    let value = String(decoding: bytes, as: UTF8.self)
                    try checkLexical(value, bytes: bytes, property, node)
                    primitive.value = value
                } else {
                    let value = attribute.value
                    try checkLexical(value, property, node)
                    primitive.value = value
                }
            } else if attribute.pointee.ns == nil && attribute.hasName("id") {
                primitive.id = attribute.value
            } else {
                warn("unknown attribute '\(attribute.name)' on a \(type) ignored", node)
            }
        }
        guard let extensionType else { return nil }
        var extensions: [FHIRElement] = []
        var child = node.pointee.children
        while let current = child {
            child = current.pointee.next
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                if current.hasName("extension") && current.isInNamespace(fhirNamespaceURI) {
                    path.append(PathStep(literal: "extension"))
                    defer { path.removeLast(downTo: path.count - 1) }
                    extensions.append(try element(current, type: extensionType))
                } else {
                    warn("unknown element <\(PrimitiveLexical.clip(current.name))> inside a \(type) ignored", current)
                }
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if !current.isWhitespaceText {
                    throw error(
                        .structure,
                        "text is not allowed inside <\(node.name)> (the value belongs in its value attribute)", current)
                }
            default:
                break
            }
        }
        if !extensions.isEmpty { primitive.extensions = extensions }
        if primitive.value == nil && !primitive.hasMetadata {
            warn("<\(node.name)> has neither a value nor an extension; ignored", node)
            return nil
        }
        return .primitive(primitive)
    }

    /// A primitive's value against its type, by the check its definition resolved once (the JSON reader's checks).
    /// `bytes`: the value's UTF-8 bytes when the caller has them in place (its format is checked on them; asking
    /// the String retained and released its storage).
    private mutating func checkLexical(
        _ value: String, bytes: UnsafeBufferPointer<UInt8>? = nil, _ property: TypeDefinition.Property,
        _ node: xmlNodePtr
    ) throws(FHIRReadError) {
        if (bytes?.count ?? value.utf8.count) > limits.maxStringBytes {
            throw error(.limit, "a value longer than \(limits.maxStringBytes) bytes", node)
        }
        let check = property.lexicalCheck
        if check.needsStructuralCheck, let problem = PrimitiveLexical.structuralProblem(value, type: property.type) {
            throw error(.structure, problem, node)
        }
        let hasProblem =
            bytes.map { PrimitiveLexical.hasFormatProblem($0, check: check) }
            ?? value.withUTF8Bytes { PrimitiveLexical.hasFormatProblem($0, check: check) }
        if hasProblem, let problem = PrimitiveLexical.formatProblem(value, check: check) {
            warn(problem, node)
        }
    }

    private func error(_ kind: FHIRReadError.Kind, _ message: String, _ node: xmlNodePtr) -> FHIRReadError {
        FHIRReadError(kind, message, line: node.line > 0 ? node.line : nil, path: PathStep.text(path.all))
    }

    private mutating func warn(_ message: String, _ node: xmlNodePtr) {
        warnings.append(FHIRReadWarning(message, line: node.line > 0 ? node.line : nil, path: PathStep.text(path.all)))
    }
}
