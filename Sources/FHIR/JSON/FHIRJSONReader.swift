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
            throw FHIRReadError(
                .limit, "the input is \(bytes.count) bytes, over the limit of \(limits.maxInputBytes) bytes")
        }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(FHIRReadError) -> FHIRReadResult in
            try JSONParser.withTape(buffer, limits: limits) { (tape) throws(FHIRReadError) -> FHIRReadResult in
                var decoder = JSONToFHIR(schema: schema, limits: limits, tape: tape)
                guard tape.tokens[0].kind == .object else {
                    throw FHIRReadError(
                        .structure, "a FHIR resource must be a JSON object, found \(tape.kindDescription(0))",
                        line: 1, column: 1)
                }
                let resource = try decoder.resource(0)
                return FHIRReadResult(resource: resource, warnings: decoder.warnings)
            }
        }
    }
}

/// A resource read from JSON or XML, with what the reader noticed but accepted.
public struct FHIRReadResult: Sendable {
    public var resource: FHIRElement
    public var warnings: [FHIRReadWarning]
}

/// Walks the JSON tape and builds the model, checking every property against the R4 definitions.
private struct JSONToFHIR {
    let schema: FHIRSchema
    let limits: FHIRReadLimits
    let tape: JSONTape
    let extensionType: TypeDefinition?
    var warnings: [FHIRReadWarning] = []
    /// The element path being read, for messages (`Bundle.entry[0].resource`).
    var path: [PathStep] = []
    var lineIndex: LineIndex?
    /// The properties being assembled, for every element being read: a stack (each element uses the part
    /// above its parent's and gives it back when done), so that no array is allocated per element.
    private var pendingStack: [Pending] = []
    /// Long string values made once per document (see `StringInterner`).
    private var interner = StringInterner()

    init(schema: FHIRSchema, limits: FHIRReadLimits, tape: JSONTape) {
        self.schema = schema
        self.limits = limits
        self.tape = tape
        self.extensionType = schema.type(named: "Extension")
    }

    private func offset(_ token: Int) -> Int { Int(tape.tokens[token].start) }

    private static func isResourceTypeKey(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        bytes.count == 12 && bytes.elementsEqual("resourceType".utf8)
    }

    /// The members of the object at `token`: (key token, value token) pairs.
    private func members(_ token: Int) -> [(key: Int, value: Int)] {
        var result: [(key: Int, value: Int)] = []
        result.reserveCapacity(Int(tape.tokens[token].count))
        var key = token + 1
        for _ in 0..<tape.tokens[token].count {
            result.append((key, key + 1))
            key = Int(tape.tokens[key + 1].next)
        }
        return result
    }

    mutating func resource(_ token: Int) throws(FHIRReadError) -> FHIRElement {
        // Usually the first key; found without an array of members or a String per key.
        var typeMember: (key: Int, value: Int)?
        var key = token + 1
        for _ in 0..<tape.tokens[token].count {
            let isType = tape.unescapedBytes(key).map(Self.isResourceTypeKey) ?? (tape.text(key) == "resourceType")
            if isType {
                typeMember = (key, key + 1)
                break
            }
            key = Int(tape.tokens[key + 1].next)
        }
        guard let typeMember else {
            throw error(.structure, "the resource has no resourceType", at: offset(token))
        }
        guard tape.tokens[typeMember.value].kind == .string else {
            throw error(
                .structure, "resourceType must be a string, found \(tape.kindDescription(typeMember.value))",
                at: offset(typeMember.key))
        }
        let typeName = tape.text(typeMember.value)
        guard schema.isResourceType(typeName), let type = schema.type(named: typeName) else {
            throw error(
                .structure, "unknown resourceType '\(PrimitiveLexical.clip(typeName))' (not an R4 resource)",
                at: offset(typeMember.key))
        }
        path.append(PathStep(typeName))
        defer { path.removeLast() }
        return try element(token, type: type)
    }

    /// One property being assembled from `name` and `_name` (token indices; -1 when absent).
    private struct Pending {
        /// Held without reference counting: the reader's schema holds every definition for the whole read,
        /// and a pending property is made, moved and copied for every property of every element.
        unowned(unsafe) let property: TypeDefinition.Property
        /// The definition element's position in canonical order (`property.element.index`), compared for every key.
        let elementIndex: Int
        var name: String { property.name }
        var value: Int
        var metadata: Int
        var keyOffset: Int
    }

    mutating func element(_ token: Int, type: TypeDefinition) throws(FHIRReadError) -> FHIRElement {
        if path.count > limits.maxDepth {
            throw error(.limit, "FHIR elements nested deeper than \(limits.maxDepth) levels", at: offset(token))
        }
        let isResource = type.kind == .resource
        let base = pendingStack.count
        defer { pendingStack.removeLast(pendingStack.count - base) }
        var keyToken = token + 1
        for _ in 0..<tape.tokens[token].count {
            let valueToken = keyToken + 1
            defer { keyToken = Int(tape.tokens[valueToken].next) }
            let keyOffset = offset(keyToken)
            // The key's definition by its bytes (no String per key); a key with escapes (rare) by its text.
            let isMetadata: Bool
            let found: Unmanaged<TypeDefinition.Property>?
            if let bytes = tape.unescapedBytes(keyToken) {
                if isResource && Self.isResourceTypeKey(bytes) { continue }
                isMetadata = bytes.first == UInt8(ascii: "_")
                found = type.unretainedProperty(
                    bytes: isMetadata ? UnsafeBufferPointer(rebasing: bytes.dropFirst()) : bytes)
            } else {
                let key = tape.text(keyToken)
                if isResource && key == "resourceType" { continue }
                isMetadata = key.utf8.first == UInt8(ascii: "_")
                found = type.property(isMetadata ? String(key.dropFirst()) : key).map(Unmanaged.passUnretained)
            }
            // Held without reference counting, as in `Pending`: the schema holds it for the whole read.
            guard let found else {
                let key = tape.text(keyToken)
                warn("unknown property '\(PrimitiveLexical.clip(key))' ignored", at: keyOffset, child: key)
                continue
            }
            unowned(unsafe) let property = found.takeUnretainedValue()
            // The key as written, for messages only (not made for every member).
            var key: String { isMetadata ? "_" + property.name : property.name }
            if isMetadata && !property.isPrimitive {
                warn("'\(key)' ignored: only primitive elements have a '_' companion", at: keyOffset, child: key)
                continue
            }
            // Same element already seen: its `_` companion, a duplicate key, or another choice of value[x].
            // (Compared by element index, an integer: this loop runs for every member of every object.)
            let elementIndex = property.element.index
            if let existing = pendingIndex(ofElement: elementIndex, from: base) {
                guard pendingStack[existing].property === property else {
                    throw error(
                        .structure,
                        "both '\(pendingStack[existing].name)' and '\(property.name)' are given for \(property.element.name)[x]; only one is allowed",
                        at: keyOffset, child: key)
                }
                // Duplicate keys are rejected by design: which one would the sender have meant?
                if (isMetadata ? pendingStack[existing].metadata : pendingStack[existing].value) >= 0 {
                    throw error(.structure, "the property '\(key)' appears twice", at: keyOffset, child: key)
                }
                if isMetadata {
                    pendingStack[existing].metadata = valueToken
                } else {
                    pendingStack[existing].value = valueToken
                }
            } else {
                pendingStack.append(
                    Pending(
                        property: property, elementIndex: elementIndex, value: isMetadata ? -1 : valueToken,
                        metadata: isMetadata ? valueToken : -1, keyOffset: keyOffset))
            }
        }
        // Canonical order (input is usually in order already).
        let end = pendingStack.count
        if !isSorted(pendingStack[base..<end]) {
            pendingStack[base..<end].sort { $0.elementIndex < $1.elementIndex }
        }
        var properties: [FHIRProperty] = []
        properties.reserveCapacity(end - base)
        for position in base..<end {
            // Reading the values pushes and pops above `end`; this element's part stays as it is.
            let item = pendingStack[position]
            path.append(PathStep(item.property))
            defer { path.removeLast() }
            let values = item.property.isPrimitive ? try primitives(item) : try complexValues(item)
            if !values.isEmpty { properties.append(FHIRProperty(name: item.name, values: consume values)) }
        }
        return FHIRElement(type: type.name, properties: properties)
    }

    private func isSorted(_ pending: ArraySlice<Pending>) -> Bool {
        var last = -1
        for item in pending {
            if item.elementIndex < last { return false }
            last = item.elementIndex
        }
        return true
    }

    /// The pending property of this element (from `base` up) for a definition element, by its index.
    private func pendingIndex(ofElement elementIndex: Int, from base: Int) -> Int? {
        var position = base
        while position < pendingStack.count {
            if pendingStack[position].elementIndex == elementIndex { return position }
            position += 1
        }
        return nil
    }

    private mutating func complexValues(_ item: Pending) throws(FHIRReadError) -> FHIRValues {
        let repeats = item.property.element.repeats
        let token = item.value
        let valueTokens: TokenList
        if tape.tokens[token].kind == .array {
            guard repeats else {
                throw error(
                    .structure, "'\(item.name)' must be a single JSON \(expected(item.property)), not an array",
                    at: item.keyOffset)
            }
            if tape.tokens[token].count == 0 {
                warn("empty array '\(item.name)' ignored (FHIR JSON arrays must not be empty)", at: item.keyOffset)
            }
            valueTokens = .array(token, in: tape)
        } else {
            guard !repeats else {
                throw error(
                    .structure, "'\(item.name)' must be a JSON array, not \(tape.kindDescription(token))",
                    at: item.keyOffset)
            }
            valueTokens = .one(token)
        }
        var values = FHIRValues()
        unowned(unsafe) let childType = item.property.valueType
        var cursor = valueTokens
        for index in 0..<valueTokens.count {
            let valueToken = cursor.next(in: tape)
            if repeats { path[path.count - 1].index = index }
            if item.property.element.isXHTML {
                guard tape.tokens[valueToken].kind == .string else {
                    throw error(
                        .structure, "'div' must be a JSON string of XHTML, found \(tape.kindDescription(valueToken))",
                        at: offset(valueToken))
                }
                do {
                    values.append(.xhtml(try XHTML.canonicalize(tape.text(valueToken), limits: limits)))
                } catch let problem {
                    throw error(
                        .structure, "the narrative div is not well-formed XHTML: \(problem.message)",
                        at: offset(valueToken))
                }
                continue
            }
            guard tape.tokens[valueToken].kind == .object else {
                throw error(
                    .structure,
                    "'\(item.name)' must be a JSON \(expected(item.property)), found \(tape.kindDescription(valueToken))",
                    at: offset(valueToken))
            }
            if item.property.holdsResource {
                values.append(.element(try resource(valueToken)))
            } else {
                guard let childType else {
                    throw error(.structure, "no definition for type \(item.property.type)", at: offset(valueToken))
                }
                values.append(.element(try element(valueToken, type: childType)))
            }
        }
        return values
    }

    /// The value tokens of a property: one (most properties), or an array's items walked through their
    /// `next` links — no array of indices is made.
    private struct TokenList {
        let count: Int
        private var current: Int
        private let isArray: Bool
        static func one(_ token: Int) -> TokenList { TokenList(count: 1, current: token, isArray: false) }
        static func array(_ token: Int, in tape: JSONTape) -> TokenList {
            TokenList(count: Int(tape.tokens[token].count), current: token + 1, isArray: true)
        }
        /// The next value token (call at most `count` times).
        mutating func next(in tape: JSONTape) -> Int {
            let token = current
            if isArray { current = Int(tape.tokens[token].next) }
            return token
        }
    }

    private func expected(_ property: TypeDefinition.Property) -> String {
        property.type == "Resource" ? "object (a resource)" : "object (\(property.type))"
    }

    private mutating func primitives(_ item: Pending) throws(FHIRReadError) -> FHIRValues {
        let repeats = item.property.element.repeats
        var valueTokens: TokenList?
        var metadataTokens: TokenList?
        if item.value >= 0 {
            if tape.tokens[item.value].kind == .array {
                guard repeats else {
                    throw error(.structure, "'\(item.name)' must be a single value, not an array", at: item.keyOffset)
                }
                valueTokens = .array(item.value, in: tape)
            } else {
                guard !repeats else {
                    throw error(
                        .structure, "'\(item.name)' must be a JSON array, not \(tape.kindDescription(item.value))",
                        at: item.keyOffset)
                }
                valueTokens = .one(item.value)
            }
        }
        if item.metadata >= 0 {
            if tape.tokens[item.metadata].kind == .array {
                guard repeats else {
                    throw error(
                        .structure, "'_\(item.name)' must be an object, not an array", at: offset(item.metadata))
                }
                metadataTokens = .array(item.metadata, in: tape)
            } else {
                guard !repeats else {
                    throw error(
                        .structure, "'_\(item.name)' must be a JSON array, not \(tape.kindDescription(item.metadata))",
                        at: offset(item.metadata))
                }
                metadataTokens = .one(item.metadata)
            }
        }
        if let valueTokens, let metadataTokens, valueTokens.count != metadataTokens.count {
            throw error(
                .structure,
                "'\(item.name)' has \(valueTokens.count) values but '_\(item.name)' has \(metadataTokens.count); they must pair up",
                at: item.keyOffset)
        }
        let count = valueTokens?.count ?? metadataTokens!.count
        if count == 0 {
            warn("empty array '\(item.name)' ignored (FHIR JSON arrays must not be empty)", at: item.keyOffset)
            return []
        }
        var values = FHIRValues()
        for index in 0..<count {
            if repeats { path[path.count - 1].index = index }
            var primitive = FHIRPrimitive(type: item.property.type, value: nil)
            if let token = valueTokens?.next(in: tape) {
                primitive.value = try lexical(token, item)
            }
            if let token = metadataTokens?.next(in: tape) {
                switch tape.tokens[token].kind {
                case .null: break
                case .object: try readMetadata(token, into: &primitive)
                default:
                    throw error(
                        .structure, "'_\(item.name)' must be an object, found \(tape.kindDescription(token))",
                        at: offset(token))
                }
            }
            if primitive.value == nil && !primitive.hasMetadata {
                // As in XML (an element with neither value nor extension): nothing to keep.
                warn("'\(item.name)' has neither a value nor an id or extension; ignored", at: item.keyOffset)
                continue
            }
            values.append(.primitive(primitive))
        }
        return values
    }

    private mutating func lexical(_ token: Int, _ item: Pending) throws(FHIRReadError) -> String? {
        let kind = tape.tokens[token].kind
        switch (item.property.jsonKind, kind) {
        case (_, .null): return nil
        case (.string, .string), (.number, .number), (.boolean, .bool): break
        case (let wanted, _):
            let description =
                switch wanted {
                case .string: "a string"
                case .number: "a number"
                case .boolean: "a boolean (true/false)"
                }
            throw error(
                .structure,
                "wrong JSON type: a \(item.property.type) must be \(description), found \(tape.kindDescription(token))",
                at: offset(token))
        }
        let text: String
        if kind == .string, let bytes = tape.unescapedBytes(token), bytes.count >= StringInterner.minimumLength {
            text = interner.string(bytes)
        } else {
            text = tape.text(token)
        }
        if item.property.lexicalCheck.needsStructuralCheck,
            let problem = PrimitiveLexical.structuralProblem(text, type: item.property.type)
        {
            throw error(.structure, problem, at: offset(token))
        }
        if let problem = PrimitiveLexical.formatProblem(text, check: item.property.lexicalCheck) {
            warn(problem, at: offset(token))
        }
        return text
    }

    private mutating func readMetadata(_ token: Int, into primitive: inout FHIRPrimitive) throws(FHIRReadError) {
        guard let extensionType else { return }
        var extensions: [FHIRElement] = []
        defer { if !extensions.isEmpty { primitive.extensions = extensions } }
        for member in members(token) {
            let key = tape.text(member.key)
            let kind = tape.tokens[member.value].kind
            switch (key, kind) {
            case ("id", .string):
                primitive.id = tape.text(member.value)
            case ("extension", .array):
                path.append(PathStep("extension"))
                defer { path.removeLast() }
                for item in tape.items(member.value) {
                    guard tape.tokens[item].kind == .object else {
                        throw error(
                            .structure, "an extension must be a JSON object, found \(tape.kindDescription(item))",
                            at: offset(item))
                    }
                    extensions.append(try element(item, type: extensionType))
                }
            case ("id", _), ("extension", _):
                throw error(
                    .structure, "wrong JSON type for '\(key)' of a primitive: \(tape.kindDescription(member.value))",
                    at: offset(member.key))
            default:
                warn("unknown property '\(PrimitiveLexical.clip(key))' on a primitive ignored", at: offset(member.key))
            }
        }
    }

    // MARK: messages

    private mutating func position(_ offset: Int) -> (line: Int, column: Int) {
        if lineIndex == nil { lineIndex = LineIndex(tape.bytes) }
        return lineIndex!.position(of: offset)
    }

    private mutating func error(_ kind: FHIRReadError.Kind, _ message: String, at offset: Int, child: String? = nil)
        -> FHIRReadError
    {
        let (line, column) = position(offset)
        return FHIRReadError(kind, message, line: line, column: column, path: pathText(child))
    }

    private mutating func warn(_ message: String, at offset: Int, child: String? = nil) {
        let (line, column) = position(offset)
        warnings.append(FHIRReadWarning(message, line: line, column: column, path: pathText(child)))
    }

    private func pathText(_ child: String?) -> String? {
        PathStep.text(child.map { path + [PathStep($0)] } ?? path)
    }
}
