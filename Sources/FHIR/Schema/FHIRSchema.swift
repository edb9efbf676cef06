#if canImport(Glibc)
    import Glibc
#endif

/// What the model knows about FHIR R4 structure: for every resource, datatype and backbone element,
/// its elements in canonical order, which repeat, their types and their XML representation.
///
/// Built once from the generated table in `Generated/R4Definitions.swift`
/// (`scripts/generate-fhir-definitions.py` writes it from the official R4 definitions).
public struct FHIRSchema: Sendable {
    public static let r4 = FHIRSchema(definitionsText: r4DefinitionsText)

    public let types: [String: TypeDefinition]
    /// The same types looked up by the bytes of their names (readers, writers and builders ask for a type
    /// by name for every element).
    private let typeTable: NameTable<TypeDefinition>

    public func type(named name: String) -> TypeDefinition? {
        var name = name
        return name.withUTF8 { typeTable.lookup($0) }
    }

    /// The same, without a retain: for a caller that uses it only while it holds this schema (the JSON writer
    /// asks for every object it writes).
    func unretainedType(named name: String) -> Unmanaged<TypeDefinition>? {
        var name = name
        return name.withUTF8 { typeTable.unretainedLookup($0) }
    }

    /// The same, by the name's UTF-8 bytes (no String made).
    func unretainedType(bytes: UnsafeBufferPointer<UInt8>) -> Unmanaged<TypeDefinition>? {
        typeTable.unretainedLookup(bytes)
    }

    /// The concrete type of a choice element's property (`valueQuantity` of `Observation`, base `value` →
    /// `Quantity`); nil when the property is not that choice element's. Read without a retain of the type, the
    /// property or its element (the case stage asks this of every dated resource and every answer).
    func choiceType(of typeName: String, property name: String, base: String) -> String? {
        guard let type = unretainedType(named: typeName) else { return nil }
        return type._withUnsafeGuaranteedRef { type in
            var name = name
            guard let property = name.withUTF8({ type.propertyTable.unretainedLookup($0) }) else { return nil }
            return property._withUnsafeGuaranteedRef { property in
                property.element.isChoice && property.element.name == base ? property.type : nil
            }
        }
    }

    /// The concrete resource types (Patient, Bundle, …), not the abstract Resource/DomainResource.
    public func isResourceType(_ name: String) -> Bool {
        guard let type = type(named: name) else { return false }
        return type.kind == .resource && !type.isAbstract
    }

    init(definitionsText: String) {
        var types: [String: TypeDefinition.Builder] = [:]
        var current: TypeDefinition.Builder?
        // Split on bytes, not Characters: this runs at every start and the table is 200 KB.
        var text = definitionsText
        let lines: [[Substring]] = text.withUTF8 { bytes in
            bytes.split(separator: UInt8(ascii: "\n")).map { line in
                line.split(separator: UInt8(ascii: " ")).map { Substring(String(decoding: $0, as: UTF8.self)) }
            }
        }
        for parts in lines {
            if parts[0].first == "@" {
                if let finished = current { types[finished.name] = finished }
                let kind = TypeDefinition.Kind(rawValue: String(parts[1]))!
                current = TypeDefinition.Builder(
                    name: String(parts[0].dropFirst()), kind: kind, isAbstract: parts.contains("abstract"))
            } else {
                let rawName = String(parts[0])
                let isChoice = rawName.hasSuffix("[x]")
                let element = ElementDefinition(
                    name: isChoice ? String(rawName.dropLast(3)) : rawName,
                    types: parts[1].split(separator: ",").map(String.init),
                    isChoice: isChoice,
                    repeats: parts[2] == "*",
                    isXMLAttribute: parts.dropFirst(3).contains("attr"),
                    isXHTML: parts.dropFirst(3).contains("xhtml"),
                    index: current!.elements.count
                )
                current!.add(element)
            }
        }
        if let finished = current { types[finished.name] = finished }
        // Second pass: now that every type is known, mark which properties hold primitives.
        let primitiveNames = Set(types.values.filter { $0.kind == .primitive }.map(\.name))
        self.types = types.mapValues { $0.build(primitiveTypes: primitiveNames) }
        for type in self.types.values {
            for property in type.propertyNames.values { property.resolveValueType(in: self.types) }
        }
        typeTable = NameTable(self.types.map { ($0.key, $0.value) })
    }
}

/// One type (or backbone element). A class: it is shared, never copied, by every reader.
public final class TypeDefinition: Sendable {
    public enum Kind: String, Sendable {
        case primitive, complex, resource, backbone
    }

    public let name: String
    public let kind: Kind
    public let isAbstract: Bool
    public let elements: [ElementDefinition]
    /// JSON/XML property name → (element, concrete type). Choice elements appear once per type:
    /// `valueQuantity` → (value[x], Quantity).
    public let propertyNames: [String: Property]
    /// The same names looked up by their UTF-8 bytes: the JSON reader finds each key's definition without
    /// making a String of the key or hashing it with SipHash.
    let propertyTable: NameTable<Property>
    /// A document's repeats of a value of this type are read once (`ElementMemo.typeNames`): decided with the schema,
    /// not asked by name on every read.
    let isMemoized: Bool

    /// One property name's definition. A class: the readers pass it around for every member of every
    /// object, and a reference costs one retain where a struct of strings and arrays costs several.
    public final class Property: @unchecked Sendable {
        // @unchecked: `valueType` is written once, while the schema is built, before any reader can see it.
        /// The name as JSON and XML spell it (`valueQuantity`); the model's property names share it.
        public let name: String
        public let element: ElementDefinition
        public let type: String
        /// The type is a FHIR primitive (not the XHTML div): JSON may pair it with `_name`.
        public let isPrimitive: Bool
        /// For primitives: how the value appears in JSON, and which lexical check it gets.
        public let jsonKind: JSONPrimitiveKind
        public let lexicalCheck: LexicalCheck
        /// The type is `Resource` (contained resources, Bundle.entry.resource): asked for every complex value.
        public let holdsResource: Bool
        /// The definition of `type` (nil for `Resource`, the abstract type of contained resources): the readers
        /// need it for every complex value, and a name lookup per value costs a hash of the name. Unowned: the
        /// schema holds every type for as long as its properties (`FHIRSchema` is made once, as `r4`), and a
        /// strong reference would make cycles (Extension.extension is an Extension).
        /// Unchecked exclusivity: written once while the schema is built, then only read (a dynamic access check
        /// on every complex value read was measurable).
        @exclusivity(unchecked) public private(set) unowned(unsafe) var valueType: TypeDefinition?
        /// The same, as the reader passes it on: a reference never made strong, so reading a value does not count
        /// references on the schema's shared definitions (a retain and a release per element read, from every
        /// worker at once).
        @exclusivity(unchecked) private(set) var valueTypeReference: Unmanaged<TypeDefinition>?

        func resolveValueType(in types: [String: TypeDefinition]) {
            valueType = type == "Resource" ? nil : types[type]
            valueTypeReference = valueType.map { Unmanaged.passUnretained($0) }
        }

        init(name: String, element: ElementDefinition, type: String, isPrimitive: Bool) {
            self.name = name
            self.element = element
            self.type = type
            self.isPrimitive = isPrimitive
            jsonKind = JSONPrimitiveKind(fhirType: type)
            lexicalCheck = LexicalCheck(fhirType: type)
            holdsResource = type == "Resource"
        }
    }

    init(name: String, kind: Kind, isAbstract: Bool, elements: [ElementDefinition], propertyNames: [String: Property]) {
        self.name = name
        self.kind = kind
        self.isAbstract = isAbstract
        self.elements = elements
        self.propertyNames = propertyNames
        propertyTable = NameTable(propertyNames.map { ($0.key, $0.value) })
        isMemoized = ElementMemo.typeNames.contains(name)
    }

    /// A property by name, through the same byte table as the JSON reader (FNV and one comparison, cheaper
    /// than hashing the String: the writers and builders ask this for every property they place).
    public func property(_ name: String) -> Property? {
        var name = name
        return name.withUTF8 { propertyTable.lookup($0) }
    }

    /// A property by the UTF-8 bytes of its name.
    func property(bytes: UnsafeBufferPointer<UInt8>) -> Property? { propertyTable.lookup(bytes) }

    /// Whether a property repeats, nil when the type has no such property; without a retain of the definition
    /// (the JSON writer asks for every property it writes).
    func propertyRepeats(_ name: String) -> Bool? {
        var name = name
        return name.withUTF8 { propertyTable.unretainedLookup($0)?._withUnsafeGuaranteedRef { $0.element.repeats } }
    }

    /// How the XML writer places a property — as an attribute (`id`, `url`), around a resource (`contained`,
    /// `entry.resource`) — nil when the type has no such property; without a retain of the definition.
    func xmlPlacement(_ name: String) -> (isAttribute: Bool, holdsResource: Bool)? {
        var name = name
        return name.withUTF8 {
            propertyTable.unretainedLookup($0)?._withUnsafeGuaranteedRef {
                ($0.element.isXMLAttribute, $0.holdsResource)
            }
        }
    }

    /// A property's position in canonical order, nil when the type has no such property; without a retain of the
    /// definition (builders ask it for every property they set).
    func canonicalPosition(of name: String) -> Int? {
        var name = name
        return name.withUTF8 { propertyTable.unretainedLookup($0)?._withUnsafeGuaranteedRef { $0.element.index } }
    }

    /// The same, without a retain (the JSON reader looks up every key of every object; the schema outlives it).
    @inline(__always)
    func unretainedProperty(bytes: UnsafeBufferPointer<UInt8>) -> Unmanaged<Property>? {
        propertyTable.unretainedLookup(bytes)
    }

    struct Builder {
        let name: String
        let kind: Kind
        let isAbstract: Bool
        var elements: [ElementDefinition] = []

        mutating func add(_ element: ElementDefinition) { elements.append(element) }

        func build(primitiveTypes: Set<String>) -> TypeDefinition {
            var names: [String: Property] = [:]
            for element in elements {
                let isPrimitive = { (type: String) in primitiveTypes.contains(type) && !element.isXHTML }
                if element.isChoice {
                    for type in element.types {
                        let name = element.name + type.prefix(1).uppercased() + type.dropFirst()
                        names[name] = Property(name: name, element: element, type: type, isPrimitive: isPrimitive(type))
                    }
                } else {
                    let type = element.types.first ?? "string"
                    names[element.name] = Property(
                        name: element.name, element: element, type: type, isPrimitive: isPrimitive(type))
                }
            }
            return TypeDefinition(
                name: name, kind: kind, isAbstract: isAbstract, elements: elements, propertyNames: names)
        }
    }
}

public struct ElementDefinition: Sendable {
    /// The element's name without `[x]`.
    public let name: String
    public let types: [String]
    public let isChoice: Bool
    public let repeats: Bool
    /// Represented as an XML attribute (`id` of datatypes, `url` of Extension).
    public let isXMLAttribute: Bool
    /// The narrative `div`, kept as XHTML.
    public let isXHTML: Bool
    /// Position in canonical order.
    public let index: Int
}

/// How a primitive type's lexical form appears in JSON.
public enum JSONPrimitiveKind: Sendable {
    case string, number, boolean

    public init(fhirType: String) {
        // By length first: the writers ask this of every primitive, and most are strings, codes, uris or dates,
        // whose lengths no JSON number or boolean type has (five failed string compares each, otherwise).
        switch fhirType.utf8.count {
        case 7:
            if fhirType == "boolean" {
                self = .boolean
            } else {
                self = fhirType == "integer" || fhirType == "decimal" ? .number : .string
            }
        case 11: self = fhirType == "positiveInt" || fhirType == "unsignedInt" ? .number : .string
        default: self = .string
        }
    }
}

/// An open-addressing table from a name's UTF-8 bytes to a definition (a property or a type): a hash of the bytes
/// taken a word at a time, then a comparison with the candidate, also by words — a name of up to eight bytes (most
/// FHIR property names: `system`, `code`, `status`) is one word compared. Cheaper than a `[String: Value]` lookup,
/// which hashes the String with SipHash, and usable on bytes that are not yet a String. (Byte-at-a-time FNV-1a and
/// a `memcmp` call per candidate were a quarter of the JSON reader's own time.) The names are the schema's, not the
/// input's: a document cannot choose what collides.
///
/// A class over buffers allocated once: the readers ask it for every member of every object, and a struct
/// of arrays retains and releases each array it reads from on every lookup.
final class NameTable<Value: AnyObject & Sendable>: @unchecked Sendable {
    // @unchecked: the buffers are written only in init and freed in deinit; lookups only read them.
    /// Slot → index of the entry, or -1.
    private let slots: UnsafeMutableBufferPointer<Int32>
    /// Every name's bytes, one after another; entry `i` is `nameBytes[nameStarts[i]..<nameStarts[i + 1]]`.
    private let nameBytes: UnsafeMutableBufferPointer<UInt8>
    private let nameStarts: UnsafeMutableBufferPointer<Int32>
    /// Each name's first eight bytes as a word (`headWord`), compared before anything else.
    private let heads: UnsafeMutableBufferPointer<UInt64>
    /// The values, held strongly by `owners`; looked up without a retain of the table's storage.
    private let values: UnsafeMutableBufferPointer<Unmanaged<Value>>
    private let owners: [Value]
    private let mask: Int

    init(_ entries: [(name: String, value: Value)]) {
        var size = 8
        while size < entries.count * 2 { size *= 2 }
        slots = .allocate(capacity: size)
        slots.initialize(repeating: -1)
        let byteCount = entries.reduce(0) { $0 + $1.name.utf8.count }
        nameBytes = .allocate(capacity: max(byteCount, 1))
        nameStarts = .allocate(capacity: entries.count + 1)
        heads = .allocate(capacity: max(entries.count, 1))
        values = .allocate(capacity: max(entries.count, 1))
        owners = entries.map(\.value)
        mask = size - 1
        var written = 0
        nameStarts[0] = 0
        for (index, (name, value)) in entries.enumerated() {
            let bytes = Array(name.utf8)
            var slot = Int(truncatingIfNeeded: bytes.withUnsafeBufferPointer(Self.hash)) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index)
            for byte in bytes {
                nameBytes[written] = byte
                written += 1
            }
            nameStarts[index + 1] = Int32(written)
            heads[index] = bytes.withUnsafeBufferPointer(Self.headWord)
            values[index] = Unmanaged.passUnretained(value)
        }
    }

    deinit {
        slots.deallocate()
        nameBytes.deallocate()
        nameStarts.deallocate()
        heads.deallocate()
        values.deallocate()
    }

    /// The first eight bytes (fewer for a shorter name, the rest zero) as a little-endian word, read without going
    /// past the name: overlapping loads from its two ends.
    @inline(__always)
    static func headWord(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let count = bytes.count
        guard let base = bytes.baseAddress, count > 0 else { return 0 }
        let raw = UnsafeRawPointer(base)
        if count >= 8 { return UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self)) }
        if count >= 4 {
            let low = UInt64(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)))
            return low | high << UInt64((count - 4) * 8)
        }
        return UInt64(base[0]) | UInt64(base[count / 2]) << UInt64(count / 2 * 8) | UInt64(base[count - 1])
            << UInt64((count - 1) * 8)
    }

    @inline(__always)
    private static func word(_ bytes: UnsafeRawPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        let product = value &* 0x9E37_79B9_7F4A_7C15
        return product ^ product >> 29
    }

    /// The length and the head word mixed, then each further word (the last one overlapping the one before).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let count = bytes.count
        var hash = mix(UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15 ^ headWord(bytes))
        guard count > 8, let base = bytes.baseAddress else { return hash }
        let raw = UnsafeRawPointer(base)
        var offset = 8
        while offset + 8 <= count {
            hash = mix(hash ^ word(raw, at: offset))
            offset += 8
        }
        if offset < count { hash = mix(hash ^ word(raw, at: count - 8)) }
        return hash
    }

    /// Whether the bytes past the first eight are the same (both `count` long, more than eight).
    @inline(__always)
    private static func tailsEqual(_ left: UnsafeRawPointer, _ right: UnsafeRawPointer, count: Int) -> Bool {
        var offset = 8
        while offset + 8 <= count {
            if word(left, at: offset) != word(right, at: offset) { return false }
            offset += 8
        }
        return offset == count || word(left, at: count - 8) == word(right, at: count - 8)
    }

    func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Value? { unretainedLookup(bytes)?.takeUnretainedValue() }

    /// The value without a retain: for a reader that holds it no longer than the table lives.
    @inline(__always)
    func unretainedLookup(_ bytes: UnsafeBufferPointer<UInt8>) -> Unmanaged<Value>? {
        let head = Self.headWord(bytes)
        var slot = Int(truncatingIfNeeded: Self.hash(bytes)) & mask
        while true {
            let entry = Int(slots[slot])
            if entry < 0 { return nil }
            let start = Int(nameStarts[entry])
            if heads[entry] == head && Int(nameStarts[entry + 1]) - start == bytes.count
                && (bytes.count <= 8
                    || Self.tailsEqual(
                        UnsafeRawPointer(nameBytes.baseAddress! + start), UnsafeRawPointer(bytes.baseAddress!),
                        count: bytes.count))
            {
                return values[entry]
            }
            slot = (slot + 1) & mask
        }
    }
}
