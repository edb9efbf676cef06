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
    /// Which resources inside the document are only checked now and built on first use (none by default).
    public var deferral: ResourceDeferral

    public init(schema: FHIRSchema = .r4, limits: FHIRReadLimits = .default, deferral: ResourceDeferral = .none) {
        self.schema = schema
        self.limits = limits
        self.deferral = deferral
    }

    public func read(_ bytes: [UInt8]) throws(FHIRReadError) -> FHIRReadResult {
        guard bytes.count <= limits.maxInputBytes else {
            throw FHIRReadError(
                .limit, "the input is \(bytes.count) bytes, over the limit of \(limits.maxInputBytes) bytes")
        }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(FHIRReadError) -> FHIRReadResult in
            try JSONParser.withTape(buffer, limits: limits) { (tape) throws(FHIRReadError) -> FHIRReadResult in
                var decoder = JSONToFHIR(
                    schema: schema, limits: limits, tape: tape,
                    deferring: deferral.defersAny ? Deferring(document: bytes, deferral: deferral) : nil)
                defer { decoder.deallocate() }
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

extension FHIRJSONReader {
    /// A resource's JSON object, read again for a `DeferredResource` (built in full; its warnings were given when
    /// the document was read).
    func readResource(_ bytes: UnsafeBufferPointer<UInt8>) throws(FHIRReadError) -> FHIRElement {
        try JSONParser.withTape(bytes, limits: limits) { (tape) throws(FHIRReadError) -> FHIRElement in
            var decoder = JSONToFHIR(schema: schema, limits: limits, tape: tape, deferring: nil)
            defer { decoder.deallocate() }
            return try decoder.resource(0)
        }
    }
}

/// Which resources the JSON reader leaves to be built on first use (`FHIRValue.deferred`): a pipeline that reads a
/// few resource types of a bundle need not build the others. The document itself is always built.
public struct ResourceDeferral: Sendable {
    /// The types built as they are read; nil: every type.
    private let builtTypes: Set<String>?

    /// Every resource is built as it is read.
    public static let none = ResourceDeferral(builtTypes: nil)

    /// Resources of these types are built as they are read; any other one inside the document is checked as
    /// fully, and built on first use.
    public static func allExcept(_ builtTypes: Set<String>) -> ResourceDeferral {
        ResourceDeferral(builtTypes: builtTypes)
    }

    var defersAny: Bool { builtTypes != nil }

    func defers(_ type: String) -> Bool { builtTypes.map { !$0.contains(type) } ?? false }
}

/// The whole input, and which of its resources to defer.
private struct Deferring {
    let document: [UInt8]
    let deferral: ResourceDeferral
}

/// How a walk of the tape treats what it reads: builds the model, or only checks (a deferred resource). Every
/// method of the walk is generic over it, so that each is compiled twice and building pays for no test.
private protocol ReadMode {
    static var builds: Bool { get }
}

private enum Building: ReadMode {
    static var builds: Bool { true }
}

private enum CheckingOnly: ReadMode {
    static var builds: Bool { false }
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
    var path = TrivialBuffer<PathStep>(capacity: 32)
    var lineIndex: LineIndex?
    /// The properties being assembled, for every element being read: a stack (each element uses the part
    /// above its parent's and gives it back when done), so that no array is allocated per element.
    /// Freed by `deallocate()`, which whoever makes a walker calls when done with it.
    private var pendingStack = TrivialBuffer<Pending>(capacity: 64)
    /// Long string values made once per document (see `StringInterner`).
    private var interner = StringInterner()
    /// Repeated datatype values read once per document (see `ElementMemo`).
    private var memo = ElementMemo()
    /// Whether a resource type is deferred, by definition (a pointer compare per type met, not a hash of its name
    /// per resource; a document meets a few dozen types at most).
    private var deferralByType: [(type: UnsafeMutableRawPointer, defers: Bool)] = []
    /// The whole input and which resources to defer, when some may be.
    private let deferring: Deferring?

    init(schema: FHIRSchema, limits: FHIRReadLimits, tape: JSONTape, deferring: Deferring?) {
        self.schema = schema
        self.limits = limits
        self.tape = tape
        self.extensionType = schema.type(named: "Extension")
        self.deferring = deferring
    }

    /// Frees the walker's buffers: called by whoever made it, when done with it.
    func deallocate() {
        pendingStack.deallocate()
        path.deallocate()
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

    /// The document's own resource (never deferred).
    mutating func resource(_ token: Int) throws(FHIRReadError) -> FHIRElement {
        let (_, type) = try resourceType(token)
        path.append(PathStep(type: type))
        defer { path.removeLast(downTo: path.count - 1) }
        return try element(token, type: type, Building.self)
    }

    /// A resource inside the document (contained, in a bundle entry): built, or checked and deferred.
    private mutating func innerResource<Mode: ReadMode>(_ token: Int, _ mode: Mode.Type) throws(FHIRReadError)
        -> FHIRValue
    {
        let (typeName, type) = try resourceType(token)
        path.append(PathStep(type: type))
        defer { path.removeLast(downTo: path.count - 1) }
        if Mode.builds, let deferring, defers(type, named: typeName, deferring.deferral) {
            _ = try element(token, type: type, CheckingOnly.self)
            let start = offset(token)
            return .deferred(
                DeferredResource(
                    type: typeName, id: resourceId(token), document: deferring.document,
                    range: start..<start + Int(tape.tokens[token].length), schema: schema, limits: limits))
        }
        return .element(try element(token, type: type, Mode.self))
    }

    private mutating func defers(
        _ type: Unmanaged<TypeDefinition>, named name: String, _ deferral: ResourceDeferral
    ) -> Bool {
        let key = type.toOpaque()
        for known in deferralByType where known.type == key { return known.defers }
        let decision = deferral.defers(name)
        deferralByType.append((key, decision))
        return decision
    }

    /// The id of a checked resource object, as its model holds it (nil for `"id": null`).
    private func resourceId(_ token: Int) -> String? {
        guard let id = member(token, named: "id"), tape.tokens[id.value].kind == .string else { return nil }
        return tape.text(id.value)
    }

    /// The first member of an object with this key (key and value tokens), found on the key's bytes (no String per
    /// key; a key with escapes, rare, by its text).
    private func member(_ token: Int, named name: StaticString) -> (key: Int, value: Int)? {
        var key = token + 1
        for _ in 0..<tape.tokens[token].count {
            let matches =
                tape.unescapedBytes(key).map { bytes in
                    name.withUTF8Buffer { bytes.count == $0.count && bytes.elementsEqual($0) }
                } ?? (tape.text(key) == name.description)
            if matches { return (key, key + 1) }
            key = Int(tape.tokens[key + 1].next)
        }
        return nil
    }

    /// The definition of a resource object's type, from its `resourceType`, and its name: looked up once, by the
    /// bytes, without a retain (the schema holds it); the name is the schema's.
    private mutating func resourceType(_ token: Int) throws(FHIRReadError) -> (
        name: String, type: Unmanaged<TypeDefinition>
    ) {
        // Usually the first key.
        guard let typeMember = member(token, named: "resourceType") else {
            throw error(.structure, "the resource has no resourceType", at: offset(token))
        }
        guard tape.tokens[typeMember.value].kind == .string else {
            throw error(
                .structure, "resourceType must be a string, found \(tape.kindDescription(typeMember.value))",
                at: offset(typeMember.key))
        }
        let found = tape.unescapedBytes(typeMember.value).flatMap(schema.unretainedType(bytes:))
        guard let type = found ?? schema.unretainedType(named: tape.text(typeMember.value)),
            type._withUnsafeGuaranteedRef({ $0.kind == .resource && !$0.isAbstract })
        else {
            throw error(
                .structure,
                "unknown resourceType '\(PrimitiveLexical.clip(tape.text(typeMember.value)))' (not an R4 resource)",
                at: offset(typeMember.key))
        }
        return (type._withUnsafeGuaranteedRef { $0.name }, type)  // the same text, the schema's shared storage
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

    /// An element's properties, checked against its definition, in canonical order (none when only checking).
    private mutating func element<Mode: ReadMode>(
        _ token: Int, type: Unmanaged<TypeDefinition>, _ mode: Mode.Type
    ) throws(FHIRReadError) -> FHIRElement {
        // `type` is used without reference counting, as the properties are: the schema holds every definition for
        // the whole read.
        if path.count > limits.maxDepth {
            throw error(.limit, "FHIR elements nested deeper than \(limits.maxDepth) levels", at: offset(token))
        }
        let isResource = type._withUnsafeGuaranteedRef { $0.kind == .resource }
        let base = pendingStack.count
        defer { pendingStack.removeLast(downTo: base) }
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
                found = type._withUnsafeGuaranteedRef {
                    $0.unretainedProperty(bytes: isMetadata ? UnsafeBufferPointer(rebasing: bytes.dropFirst()) : bytes)
                }
            } else {
                let key = tape.text(keyToken)
                if isResource && key == "resourceType" { continue }
                isMetadata = key.utf8.first == UInt8(ascii: "_")
                found = type.takeUnretainedValue().property(isMetadata ? String(key.dropFirst()) : key).map(
                    Unmanaged.passUnretained)
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
        if !isSorted(pendingStack.values(base..<end)) {
            var unsorted = pendingStack.values(base..<end)
            unsorted.sort { $0.elementIndex < $1.elementIndex }
        }
        var properties: [FHIRProperty] = []
        if Mode.builds { properties.reserveCapacity(end - base) }
        for position in base..<end {
            // Reading the values pushes and pops above `end`; this element's part stays as it is.
            let item = pendingStack[position]
            path.append(PathStep(item.property))
            defer { path.removeLast(downTo: path.count - 1) }
            let values =
                item.property.isPrimitive ? try primitives(item, Mode.self) : try complexValues(item, Mode.self)
            if !values.isEmpty { properties.append(FHIRProperty(name: item.name, values: consume values)) }
        }
        return FHIRElement(type: type._withUnsafeGuaranteedRef { $0.name }, properties: properties)
    }

    private func isSorted(_ pending: UnsafeMutableBufferPointer<Pending>) -> Bool {
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

    private mutating func complexValues<Mode: ReadMode>(
        _ item: Pending, _ mode: Mode.Type
    ) throws(FHIRReadError) -> FHIRValues {
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
        let childType = item.property.valueTypeReference
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
                    let xhtml = try XHTML.canonicalize(tape.text(valueToken), limits: limits)
                    if Mode.builds { values.append(.xhtml(xhtml)) }
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
                let value = try innerResource(valueToken, Mode.self)
                if Mode.builds { values.append(value) }
            } else {
                guard let childType else {
                    throw error(.structure, "no definition for type \(item.property.type)", at: offset(valueToken))
                }
                let element =
                    childType._withUnsafeGuaranteedRef { $0.isMemoized }
                    ? try memoizedElement(valueToken, type: childType, Mode.self)
                    : try element(valueToken, type: childType, Mode.self)
                if Mode.builds { values.append(.element(element)) }
            }
        }
        return values
    }

    /// A value of a type the memo holds: the element read before from the same bytes, or read now and remembered
    /// when it gave no warning (see `ElementMemo`).
    private mutating func memoizedElement<Mode: ReadMode>(
        _ token: Int, type: Unmanaged<TypeDefinition>, _ mode: Mode.Type
    ) throws(FHIRReadError) -> FHIRElement {
        let start = offset(token)
        let length = Int(tape.tokens[token].length)
        guard length >= ElementMemo.minimumLength else { return try element(token, type: type, Mode.self) }
        let key = type.toOpaque()
        let (found, hash) = memo.find(type: key, start: start, length: length, in: tape.bytes)
        if let found {
            if let element = memo.entries[found].element { return element }
            // Only checked before (inside a deferred resource): checked again only if it must now be built.
            if !Mode.builds { return FHIRElement(type: type._withUnsafeGuaranteedRef { $0.name }) }
        }
        let warningsBefore = warnings.count
        let element = try element(token, type: type, Mode.self)
        guard warnings.count == warningsBefore else { return element }
        if let found {
            memo.setElement(found, element)
        } else {
            memo.store(type: key, start: start, length: length, hash: hash, element: Mode.builds ? element : nil)
        }
        return element
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

    private mutating func primitives<Mode: ReadMode>(
        _ item: Pending, _ mode: Mode.Type
    ) throws(FHIRReadError) -> FHIRValues {
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
            var hasValue = false
            if let token = valueTokens?.next(in: tape) {
                if Mode.builds {
                    primitive.value = try lexical(token, item)
                    hasValue = primitive.value != nil
                } else {
                    hasValue = try checkLexical(token, item)
                }
            }
            if let token = metadataTokens?.next(in: tape) {
                switch tape.tokens[token].kind {
                case .null: break
                case .object: try readMetadata(token, into: &primitive, Mode.self)
                default:
                    throw error(
                        .structure, "'_\(item.name)' must be an object, found \(tape.kindDescription(token))",
                        at: offset(token))
                }
            }
            if !hasValue && !primitive.hasMetadata {
                // As in XML (an element with neither value nor extension): nothing to keep.
                warn("'\(item.name)' has neither a value nor an id or extension; ignored", at: item.keyOffset)
                continue
            }
            if Mode.builds { values.append(.primitive(primitive)) }
        }
        return values
    }

    /// A primitive's value, checked; nil for `null`.
    private mutating func lexical(_ token: Int, _ item: Pending) throws(FHIRReadError) -> String? {
        guard try checkJSONKind(token, item) else { return nil }
        return try checkedText(token, item)
    }

    /// The text of a value of the right JSON kind, checked (structure: an error; format: a warning).
    private mutating func checkedText(_ token: Int, _ item: Pending) throws(FHIRReadError) -> String {
        let bytes = tape.tokens[token].kind == .string ? tape.unescapedBytes(token) : nil
        let text: String
        if let bytes, bytes.count >= StringInterner.minimumLength {
            text = interner.string(bytes)
        } else {
            text = tape.text(token)
        }
        let check = item.property.lexicalCheck
        if check.needsStructuralCheck, let problem = PrimitiveLexical.structuralProblem(text, type: item.property.type)
        {
            throw error(.structure, problem, at: offset(token))
        }
        // A string's format is checked on the bytes it was made from (asking the String for its bytes retained and
        // released its storage, for every value read); the message is made only for a problem.
        let hasProblem =
            bytes.map { PrimitiveLexical.hasFormatProblem($0, check: check) }
            ?? text.withUTF8Bytes { PrimitiveLexical.hasFormatProblem($0, check: check) }
        if hasProblem, let problem = PrimitiveLexical.formatProblem(text, check: check) {
            warn(problem, at: offset(token))
        }
        return text
    }

    /// The checks of `lexical`, without keeping the value: a string is checked on its bytes in place, and made a
    /// String only for a message. False for `null`.
    private mutating func checkLexical(_ token: Int, _ item: Pending) throws(FHIRReadError) -> Bool {
        guard try checkJSONKind(token, item) else { return false }
        guard tape.tokens[token].kind == .string, let bytes = tape.unescapedBytes(token) else {
            _ = try checkedText(token, item)  // numbers, booleans and escaped strings: short, or rare
            return true
        }
        let check = item.property.lexicalCheck
        if PrimitiveLexical.hasFormatProblem(bytes, check: check),
            let problem = PrimitiveLexical.formatProblem(tape.text(token), check: check)
        {
            warn(problem, at: offset(token))
        }
        return true
    }

    /// Whether a primitive's JSON value has the JSON type of its FHIR type; false for `null`.
    private mutating func checkJSONKind(_ token: Int, _ item: Pending) throws(FHIRReadError) -> Bool {
        let kind = tape.tokens[token].kind
        switch (item.property.jsonKind, kind) {
        case (_, .null): return false
        case (.string, .string), (.number, .number), (.boolean, .bool): return true
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
    }

    private mutating func readMetadata<Mode: ReadMode>(
        _ token: Int, into primitive: inout FHIRPrimitive, _ mode: Mode.Type
    ) throws(FHIRReadError) {
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
                path.append(PathStep(literal: "extension"))
                defer { path.removeLast(downTo: path.count - 1) }
                for item in tape.items(member.value) {
                    guard tape.tokens[item].kind == .object else {
                        throw error(
                            .structure, "an extension must be a JSON object, found \(tape.kindDescription(item))",
                            at: offset(item))
                    }
                    extensions.append(try element(item, type: Unmanaged.passUnretained(extensionType), Mode.self))
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
        PathStep.text(path.all, child: child)
    }
}
