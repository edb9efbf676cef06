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
    var path: [PathStep] = []
    /// Asked for by every primitive that has extensions: looked up once.
    let extensionType: TypeDefinition?

    init(schema: FHIRSchema, limits: FHIRReadLimits) {
        self.schema = schema
        self.limits = limits
        extensionType = schema.type(named: "Extension")
    }

    mutating func resource(_ node: xmlNodePtr) throws(FHIRReadError) -> FHIRElement {
        let name = node.name
        guard node.namespaceURI == fhirNamespace else {
            throw error(
                .structure,
                "<\(name)> must be in the FHIR namespace \(fhirNamespace), found \(node.namespaceURI ?? "no namespace")",
                node)
        }
        guard schema.isResourceType(name), let type = schema.type(named: name) else {
            throw error(.structure, "unknown resource type <\(PrimitiveLexical.clip(name))> (not an R4 resource)", node)
        }
        path.append(PathStep(name))
        defer { path.removeLast() }
        return try element(node, type: type)
    }

    mutating func element(_ node: xmlNodePtr, type: TypeDefinition) throws(FHIRReadError) -> FHIRElement {
        if path.count > limits.maxDepth {
            throw error(.limit, "FHIR elements nested deeper than \(limits.maxDepth) levels", node)
        }
        var properties: [FHIRProperty] = []
        var indices: [Int] = []
        // Attributes: `id` of datatypes and `url` of Extension; namespace declarations are not attributes.
        for attribute in attributes(of: node) {
            let name = attribute.name
            if attribute.namespaceURI == nil, let property = type.property(name), property.element.isXMLAttribute {
                let value = attribute.value
                try checkLexical(value, type: property.type, node)
                add(
                    FHIRValue.primitive(FHIRPrimitive(type: property.type, value: value)), name: name,
                    property: property, to: &properties, indices: &indices)
            } else {
                warn("unknown attribute '\(attribute.namespacePrefix.map { $0 + ":" } ?? "")\(name)' ignored", node)
            }
        }
        var child = node.pointee.children
        var previous: String?
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
            // Found by the name's bytes in place; the property's name is the schema's String, equal to it.
            guard let property = type.property(bytes: current.nameBytes), !property.element.isXMLAttribute else {
                warn("unknown element <\(PrimitiveLexical.clip(current.name))> ignored", current)
                continue
            }
            let name = property.name
            // How many <name> came before: the values already collected (a short linear search;
            // a dictionary per element cost more than the whole libxml2 parse).
            let index = properties.first(where: { $0.name == name })?.values.count ?? 0
            if index > 0, name != previous, property.element.repeats {
                warn("the <\(name)> elements are not together; they are read in document order", current)
            }
            if index > 0, !property.element.repeats {
                throw error(.structure, "<\(name)> appears more than once but does not repeat", current)
            }
            if let clash = zip(properties, indices).first(where: { $0.0.name != name && $0.1 == property.element.index }
            ) {
                throw error(
                    .structure,
                    "both <\(clash.0.name)> and <\(name)> are given for \(property.element.name)[x]; only one is allowed",
                    current)
            }
            previous = name
            path.append(PathStep(name, index: property.element.repeats ? index : nil))
            defer { path.removeLast() }
            if let value = try value(current, property: property) {
                add(value, name: name, property: property, to: &properties, indices: &indices)
            }
        }
        // Canonical order (XML documents are normally in order already; stable for equal indices).
        if zip(indices, indices.dropFirst()).contains(where: { $0 > $1 }) {
            let order = indices.indices.sorted { indices[$0] < indices[$1] || (indices[$0] == indices[$1] && $0 < $1) }
            properties = order.map { properties[$0] }
        }
        return FHIRElement(type: type.name, properties: properties)
    }

    private func add(
        _ value: FHIRValue, name: String, property: TypeDefinition.Property,
        to properties: inout [FHIRProperty], indices: inout [Int]
    ) {
        if let existing = properties.firstIndex(where: { $0.name == name }) {
            properties[existing].values.append(value)
        } else {
            properties.append(FHIRProperty(name: name, values: FHIRValues(value)))
            indices.append(property.element.index)
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
        if property.type == "Resource" {
            let children = node.elementChildren
            guard children.count == 1 else {
                throw error(
                    .structure, "<\(node.name)> must contain exactly one resource, found \(children.count) elements",
                    node)
            }
            return .element(try resource(children[0]))
        }
        guard let type = property.valueType else {
            throw error(.structure, "no definition for type \(property.type)", node)
        }
        if type.kind == .primitive {
            return try primitive(node, type: property.type)
        }
        return .element(try element(node, type: type))
    }

    private mutating func primitive(_ node: xmlNodePtr, type: String) throws(FHIRReadError) -> FHIRValue? {
        var primitive = FHIRPrimitive(type: type, value: nil)
        for attribute in attributes(of: node) {
            // Names compared in place (no String per attribute): `value` and `id`, without a namespace.
            if attribute.pointee.ns == nil && attribute.hasName("value") {
                let value = attribute.value
                try checkLexical(value, type: type, node)
                primitive.value = value
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
                    path.append(PathStep("extension"))
                    defer { path.removeLast() }
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

    private mutating func checkLexical(_ value: String, type: String, _ node: xmlNodePtr) throws(FHIRReadError) {
        if value.utf8.count > limits.maxStringBytes {
            throw error(.limit, "a value longer than \(limits.maxStringBytes) bytes", node)
        }
        if let problem = PrimitiveLexical.structuralProblem(value, type: type) {
            throw error(.structure, problem, node)
        }
        if let problem = PrimitiveLexical.formatProblem(value, type: type) {
            warn(problem, node)
        }
    }

    private func error(_ kind: FHIRReadError.Kind, _ message: String, _ node: xmlNodePtr) -> FHIRReadError {
        FHIRReadError(kind, message, line: node.line > 0 ? node.line : nil, path: PathStep.text(path))
    }

    private mutating func warn(_ message: String, _ node: xmlNodePtr) {
        warnings.append(FHIRReadWarning(message, line: node.line > 0 ? node.line : nil, path: PathStep.text(path)))
    }
}
