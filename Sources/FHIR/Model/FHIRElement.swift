/// One in-memory model for any FHIR R4 resource, the same whether it was read from JSON or XML.
///
/// A resource, a datatype value or a backbone element is a `FHIRElement`: its FHIR type name and
/// its properties in canonical order. Readers put properties in canonical order and drop nothing
/// they understand, so two readings of the same content compare equal with `==`.
public struct FHIRElement: Hashable, Sendable {
    /// The FHIR type: a resource type (`Patient`), a datatype (`CodeableConcept`) or a backbone
    /// element named by its path (`Patient.contact`).
    public var type: String
    /// Properties in canonical order; each name appears once.
    public var properties: [FHIRProperty]

    public init(type: String, properties: [FHIRProperty] = []) {
        self.type = type
        self.properties = properties
    }

    /// The values of a property by its JSON/XML name (`valueQuantity`, not `value[x]`).
    public subscript(name: String) -> FHIRValues {
        guard let index = propertyIndex(name) else { return FHIRValues() }
        return properties[index].values
    }

    public func property(_ name: String) -> FHIRProperty? {
        propertyIndex(name).map { properties[$0] }
    }

    /// Where a property is, without copying the properties it passes: every view reads through this, and
    /// comparing lengths first skips most names without a string comparison.
    @inlinable @inline(__always)
    func propertyIndex(_ name: String) -> Int? {
        let length = name.utf8.count
        for index in properties.indices where properties[index].name.utf8.count == length {
            if properties[index].name == name { return index }
        }
        return nil
    }

    /// An identity of this element's property storage: the same for its copies, and held by no other element
    /// while a copy is alive and unchanged (nil without properties). A reader that keeps a copy may remember
    /// what it computed of an element of the document it reads under this key.
    public var storageIdentity: UnsafeRawPointer? {
        properties.isEmpty ? nil : properties.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    /// The first property whose name starts with a choice element's name (`value` → `valueQuantity`).
    public func choice(_ baseName: String) -> FHIRProperty? {
        properties.first {
            $0.name.hasPrefix(baseName) && $0.name.count > baseName.count
                && $0.name[$0.name.index($0.name.startIndex, offsetBy: baseName.count)].isUppercase
        }
    }
}

/// One property: its name as JSON and XML spell it, and its values (one unless the element repeats).
public struct FHIRProperty: Hashable, Sendable {
    public var name: String
    public var values: FHIRValues

    public init(name: String, values: FHIRValues) {
        self.name = name
        self.values = values
    }

    public init(name: String, values: [FHIRValue]) {
        self.name = name
        self.values = FHIRValues(values)
    }
}

public enum FHIRValue: Hashable, Sendable {
    case primitive(FHIRPrimitive)
    /// A datatype, a backbone element or a resource (contained, Bundle.entry.resource, …).
    case element(FHIRElement)
    /// The narrative `div`, as canonical XHTML text (see `XHTML`).
    case xhtml(String)
    /// A resource checked but not yet built (a reader asked to defer it: `ResourceDeferral`). It reads, compares
    /// and writes as the `.element` it stands for: `element` builds it on first use.
    case deferred(DeferredResource)

    public var primitive: FHIRPrimitive? {
        if case .primitive(let value) = self { return value }
        return nil
    }

    /// The element, a deferred resource built.
    public var element: FHIRElement? {
        switch self {
        case .element(let value): value
        case .deferred(let deferred): deferred.element
        case .primitive, .xhtml: nil
        }
    }

    public static func == (lhs: FHIRValue, rhs: FHIRValue) -> Bool {
        switch (lhs, rhs) {
        case (.primitive(let left), .primitive(let right)): left == right
        case (.element(let left), .element(let right)): left == right
        case (.xhtml(let left), .xhtml(let right)): left == right
        // A deferred resource equals the element it stands for.
        case (.deferred(let left), _): FHIRValue.element(left.element) == rhs
        case (_, .deferred(let right)): lhs == FHIRValue.element(right.element)
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .primitive(let value):
            hasher.combine(0)
            hasher.combine(value)
        case .element(let value):
            hasher.combine(1)
            hasher.combine(value)
        case .deferred(let deferred):
            hasher.combine(1)  // as the element it stands for
            hasher.combine(deferred.element)
        case .xhtml(let value):
            hasher.combine(2)
            hasher.combine(value)
        }
    }
}

/// A primitive value with its exact lexical form (`12500.00` stays `12500.00`), and the `id` and
/// extensions a primitive may carry (JSON `_name`, XML attributes and children).
public struct FHIRPrimitive: Hashable, Sendable {
    /// The FHIR primitive type (`decimal`, `dateTime`, `code`, …).
    public var type: String
    /// The lexical form; nil when the primitive carries only an id or extensions.
    public var value: String?
    /// The id and extensions, boxed: nearly every primitive has neither, and a primitive is copied each time a
    /// view reads it — one nil reference copies for nothing where a String and an array cost two retains.
    private var metadata: Metadata?

    private final class Metadata: Sendable {
        let id: String?
        let extensions: [FHIRElement]

        init(id: String?, extensions: [FHIRElement]) {
            self.id = id
            self.extensions = extensions
        }
    }

    public init(type: String, value: String?, id: String? = nil, extensions: [FHIRElement] = []) {
        self.type = type
        self.value = value
        self.metadata = Self.metadata(id: id, extensions: extensions)
    }

    private static func metadata(id: String?, extensions: [FHIRElement]) -> Metadata? {
        id == nil && extensions.isEmpty ? nil : Metadata(id: id, extensions: extensions)
    }

    public var id: String? {
        get { metadata?.id }
        set { metadata = Self.metadata(id: newValue, extensions: extensions) }
    }

    public var extensions: [FHIRElement] {
        get { metadata?.extensions ?? [] }
        set { metadata = Self.metadata(id: id, extensions: newValue) }
    }

    /// Has the `_name` part of JSON (an id or extensions).
    public var hasMetadata: Bool { metadata != nil }

    public static func == (lhs: FHIRPrimitive, rhs: FHIRPrimitive) -> Bool {
        lhs.type == rhs.type && lhs.value == rhs.value && lhs.id == rhs.id && lhs.extensions == rhs.extensions
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(value)
        hasher.combine(id)
        hasher.combine(extensions)
    }
}
