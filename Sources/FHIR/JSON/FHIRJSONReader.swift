/// Reads FHIR R4 JSON into the model: checks every property against the R4 definitions, pairs
/// `name` with `_name` (also arrays with nulls), puts properties in canonical order, keeps the
/// exact text of numbers, and parses the narrative `div` into canonical XHTML.
///
/// Errors (the input is rejected): malformed JSON, a wrong JSON type (an object where an array must
/// be, a string where a number must be, null), a missing or unknown `resourceType`, two choices of
/// one `value[x]`. Warnings (the input is kept): unknown properties, empty arrays, untidy lexical
/// forms (bad dates or ids) — "lenient where real feeds are untidy".
public struct FHIRJSONReader: Sendable {
    public var schema: FHIRSchema
    public var limits: FHIRReadLimits

    public init(schema: FHIRSchema = .r4, limits: FHIRReadLimits = .default) {
        self.schema = schema
        self.limits = limits
    }

    public func read(_ bytes: [UInt8]) throws(FHIRReadError) -> FHIRReadResult {
        guard bytes.count <= limits.maxInputBytes else {
            throw FHIRReadError(.limit, "the input is \(bytes.count) bytes, over the limit of \(limits.maxInputBytes) bytes")
        }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(FHIRReadError) -> FHIRReadResult in
            let json = try JSONParser.parse(buffer, limits: limits)
            var decoder = JSONToFHIR(schema: schema, limits: limits, bytes: buffer)
            guard case .object(let members) = json else {
                throw FHIRReadError(.structure, "a FHIR resource must be a JSON object, found \(json.typeDescription)", line: 1, column: 1)
            }
            let resource = try decoder.resource(members, offset: 0)
            return FHIRReadResult(resource: resource, warnings: decoder.warnings)
        }
    }
}

/// A resource read from JSON or XML, with what the reader noticed but accepted.
public struct FHIRReadResult: Sendable {
    public var resource: FHIRElement
    public var warnings: [FHIRReadWarning]
}

private struct JSONToFHIR {
    let schema: FHIRSchema
    let limits: FHIRReadLimits
    let bytes: UnsafeBufferPointer<UInt8>
    var warnings: [FHIRReadWarning] = []
    /// The element path being read, for messages (`Bundle.entry[0].resource`).
    var path: [String] = []
    var lineIndex: LineIndex?

    init(schema: FHIRSchema, limits: FHIRReadLimits, bytes: UnsafeBufferPointer<UInt8>) {
        self.schema = schema
        self.limits = limits
        self.bytes = bytes
    }

    mutating func resource(_ members: [JSONMember], offset: Int) throws(FHIRReadError) -> FHIRElement {
        guard let typeMember = members.first(where: { $0.key == "resourceType" }) else {
            throw error(.structure, "the resource has no resourceType", at: offset)
        }
        guard case .string(let typeName) = typeMember.value else {
            throw error(.structure, "resourceType must be a string, found \(typeMember.value.typeDescription)", at: typeMember.offset)
        }
        guard schema.isResourceType(typeName), let type = schema.type(named: typeName) else {
            throw error(.structure, "unknown resourceType '\(PrimitiveLexical.clip(typeName))' (not an R4 resource)", at: typeMember.offset)
        }
        path.append(typeName)
        defer { path.removeLast() }
        return try element(members, type: type, offset: offset)
    }

    /// One property being assembled from `name` and `_name`.
    private struct Pending {
        let name: String
        let property: TypeDefinition.Property
        var value: JSONMember?
        var metadata: JSONMember?
        var offset: Int { (value ?? metadata)!.offset }
    }

    mutating func element(_ members: [JSONMember], type: TypeDefinition, offset: Int) throws(FHIRReadError) -> FHIRElement {
        if path.count > limits.maxDepth {
            throw error(.limit, "FHIR elements nested deeper than \(limits.maxDepth) levels", at: offset)
        }
        var pending: [Pending] = []
        pending.reserveCapacity(members.count)
        for member in members {
            if member.key == "resourceType" && type.kind == .resource { continue }
            let isMetadata = member.key.utf8.first == UInt8(ascii: "_")
            let name = isMetadata ? String(member.key.dropFirst()) : member.key
            guard let property = type.property(name) else {
                warn("unknown property '\(PrimitiveLexical.clip(member.key))' ignored", at: member.offset, child: member.key)
                continue
            }
            if isMetadata && !isPrimitive(property) {
                warn("'\(member.key)' ignored: only primitive elements have a '_' companion", at: member.offset, child: member.key)
                continue
            }
            if let existing = pending.firstIndex(where: { $0.name == name }) {
                // Duplicate keys are rejected by design: which one would the sender have meant?
                if (isMetadata ? pending[existing].metadata : pending[existing].value) != nil {
                    throw error(.structure, "the property '\(member.key)' appears twice", at: member.offset, child: member.key)
                }
                if isMetadata { pending[existing].metadata = member } else { pending[existing].value = member }
            } else {
                if let clash = pending.first(where: { $0.property.element.index == property.element.index && $0.name != name }) {
                    throw error(.structure, "both '\(clash.name)' and '\(name)' are given for \(property.element.name)[x]; only one is allowed",
                                at: member.offset, child: member.key)
                }
                pending.append(Pending(name: name, property: property,
                                       value: isMetadata ? nil : member, metadata: isMetadata ? member : nil))
            }
        }
        // Canonical order; stable for the (impossible after the clash check) equal indices.
        if !isSorted(pending) {
            pending.sort { $0.property.element.index < $1.property.element.index }
        }
        var properties: [FHIRProperty] = []
        properties.reserveCapacity(pending.count)
        for item in pending {
            path.append(item.name)
            defer { path.removeLast() }
            let values = try self.values(of: item)
            if !values.isEmpty { properties.append(FHIRProperty(name: item.name, values: values)) }
        }
        return FHIRElement(type: type.name, properties: properties)
    }

    private func isSorted(_ pending: [Pending]) -> Bool {
        var last = -1
        for item in pending {
            if item.property.element.index < last { return false }
            last = item.property.element.index
        }
        return true
    }

    private func isPrimitive(_ property: TypeDefinition.Property) -> Bool {
        schema.type(named: property.type)?.kind == .primitive && !property.element.isXHTML
    }

    private mutating func values(of item: Pending) throws(FHIRReadError) -> [FHIRValue] {
        let property = item.property
        let repeats = property.element.repeats
        if isPrimitive(property) {
            return try primitives(item, repeats: repeats)
        }
        let member = item.value!
        var objects: [(JSONValue, Int)] = []
        switch member.value {
        case .array(let items):
            guard repeats else {
                throw error(.structure, "'\(item.name)' must be a single JSON \(expected(property)), not an array", at: member.offset)
            }
            if items.isEmpty {
                warn("empty array '\(item.name)' ignored (FHIR JSON arrays must not be empty)", at: member.offset)
            }
            objects = items.map { ($0, member.offset) }
        default:
            guard !repeats else {
                throw error(.structure, "'\(item.name)' must be a JSON array, not \(member.value.typeDescription)", at: member.offset)
            }
            objects = [(member.value, member.offset)]
        }
        var values: [FHIRValue] = []
        values.reserveCapacity(objects.count)
        for (index, (value, offset)) in objects.enumerated() {
            if repeats { path[path.count - 1] = "\(item.name)[\(index)]" }
            if property.element.isXHTML {
                guard case .string(let text) = value else {
                    throw error(.structure, "'div' must be a JSON string of XHTML, found \(value.typeDescription)", at: offset)
                }
                do {
                    values.append(.xhtml(try XHTML.canonicalize(text, limits: limits)))
                } catch let problem {
                    throw error(.structure, "the narrative div is not well-formed XHTML: \(problem.message)", at: offset)
                }
                continue
            }
            guard case .object(let members) = value else {
                throw error(.structure, "'\(item.name)' must be a JSON \(expected(property)), found \(value.typeDescription)", at: offset)
            }
            if property.type == "Resource" {
                values.append(.element(try resource(members, offset: offset)))
            } else {
                guard let type = schema.type(named: property.type) else {
                    throw error(.structure, "no definition for type \(property.type)", at: offset)
                }
                values.append(.element(try element(members, type: type, offset: offset)))
            }
        }
        return values
    }

    private func expected(_ property: TypeDefinition.Property) -> String {
        property.type == "Resource" ? "object (a resource)" : "object (\(property.type))"
    }

    private mutating func primitives(_ item: Pending, repeats: Bool) throws(FHIRReadError) -> [FHIRValue] {
        let type = item.property.type
        var rawValues: [JSONValue]?
        var rawMetadata: [JSONValue]?
        if let member = item.value {
            if case .array(let items) = member.value {
                guard repeats else { throw error(.structure, "'\(item.name)' must be a single value, not an array", at: member.offset) }
                rawValues = items
            } else {
                guard !repeats else {
                    throw error(.structure, "'\(item.name)' must be a JSON array, not \(member.value.typeDescription)", at: member.offset)
                }
                rawValues = [member.value]
            }
        }
        if let member = item.metadata {
            if case .array(let items) = member.value {
                guard repeats else { throw error(.structure, "'_\(item.name)' must be an object, not an array", at: member.offset) }
                rawMetadata = items
            } else {
                guard !repeats else {
                    throw error(.structure, "'_\(item.name)' must be a JSON array, not \(member.value.typeDescription)", at: member.offset)
                }
                rawMetadata = [member.value]
            }
        }
        if let rawValues, let rawMetadata, rawValues.count != rawMetadata.count {
            throw error(.structure, "'\(item.name)' has \(rawValues.count) values but '_\(item.name)' has \(rawMetadata.count); they must pair up",
                        at: item.offset)
        }
        let count = rawValues?.count ?? rawMetadata!.count
        if count == 0 {
            warn("empty array '\(item.name)' ignored (FHIR JSON arrays must not be empty)", at: item.offset)
            return []
        }
        var values: [FHIRValue] = []
        values.reserveCapacity(count)
        for index in 0..<count {
            if repeats { path[path.count - 1] = "\(item.name)[\(index)]" }
            var primitive = FHIRPrimitive(type: type, value: nil)
            if let raw = rawValues?[index] {
                primitive.value = try lexical(raw, type: type, offset: item.value!.offset)
            }
            if let raw = rawMetadata?[index] {
                switch raw {
                case .null: break
                case .object(let members): try readMetadata(members, into: &primitive, offset: item.metadata!.offset)
                default:
                    throw error(.structure, "'_\(item.name)' must be an object, found \(raw.typeDescription)", at: item.metadata!.offset)
                }
            }
            if primitive.value == nil && !primitive.hasMetadata {
                // As in XML (an element with neither value nor extension): nothing to keep.
                warn("'\(item.name)' has neither a value nor an id or extension; ignored", at: item.offset)
                continue
            }
            values.append(.primitive(primitive))
        }
        return values
    }

    private mutating func lexical(_ raw: JSONValue, type: String, offset: Int) throws(FHIRReadError) -> String? {
        let text: String
        switch (JSONPrimitiveKind(fhirType: type), raw) {
        case (_, .null): return nil
        case (.string, .string(let value)): text = value
        case (.number, .number(let value)): text = value
        case (.boolean, .bool(let value)): text = value ? "true" : "false"
        case (let kind, _):
            let wanted = switch kind { case .string: "a string"; case .number: "a number"; case .boolean: "a boolean (true/false)" }
            throw error(.structure, "wrong JSON type: a \(type) must be \(wanted), found \(raw.typeDescription)", at: offset)
        }
        if let problem = PrimitiveLexical.structuralProblem(text, type: type) {
            throw error(.structure, problem, at: offset)
        }
        if let problem = PrimitiveLexical.formatProblem(text, type: type) {
            warn(problem, at: offset)
        }
        return text
    }

    private mutating func readMetadata(_ members: [JSONMember], into primitive: inout FHIRPrimitive, offset: Int) throws(FHIRReadError) {
        guard let extensionType = schema.type(named: "Extension") else { return }
        for member in members {
            switch (member.key, member.value) {
            case ("id", .string(let id)):
                primitive.id = id
            case ("extension", .array(let items)):
                path.append("extension")
                defer { path.removeLast() }
                for item in items {
                    guard case .object(let extensionMembers) = item else {
                        throw error(.structure, "an extension must be a JSON object, found \(item.typeDescription)", at: member.offset)
                    }
                    primitive.extensions.append(try element(extensionMembers, type: extensionType, offset: member.offset))
                }
            case ("id", _), ("extension", _):
                throw error(.structure, "wrong JSON type for '\(member.key)' of a primitive: \(member.value.typeDescription)", at: member.offset)
            default:
                warn("unknown property '\(PrimitiveLexical.clip(member.key))' on a primitive ignored", at: member.offset)
            }
        }
    }

    // MARK: messages

    private mutating func position(_ offset: Int) -> (line: Int, column: Int) {
        if lineIndex == nil { lineIndex = LineIndex(bytes) }
        return lineIndex!.position(of: offset)
    }

    private mutating func error(_ kind: FHIRReadError.Kind, _ message: String, at offset: Int, child: String? = nil) -> FHIRReadError {
        let (line, column) = position(offset)
        return FHIRReadError(kind, message, line: line, column: column, path: pathText(child))
    }

    private mutating func warn(_ message: String, at offset: Int, child: String? = nil) {
        let (line, column) = position(offset)
        warnings.append(FHIRReadWarning(message, line: line, column: column, path: pathText(child)))
    }

    private func pathText(_ child: String?) -> String? {
        let parts = child.map { path + [$0] } ?? path
        return parts.isEmpty ? nil : parts.joined(separator: ".")
    }
}
