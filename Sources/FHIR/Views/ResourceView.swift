/// A typed view of one resource: computed properties over the model, so reading and editing
/// through a view never loses what the view does not name.
public protocol ResourceView: Sendable {
    static var resourceType: String { get }
    var resource: FHIRElement { get set }
    init(unchecked resource: FHIRElement)
}

extension ResourceView {
    /// The view, when the resource has this view's type.
    public init?(_ resource: FHIRElement) {
        guard resource.type == Self.resourceType else { return nil }
        self.init(unchecked: resource)
    }

    /// A new, empty resource of this type.
    public init() {
        // Room for a built resource's properties (the output stage sets 10 to 16), made once.
        var resource = FHIRElement(type: Self.resourceType)
        resource.properties.reserveCapacity(16)
        self.init(unchecked: resource)
    }

    public var id: String? {
        get { resource.string("id") }
        set { resource.setPrimitive("id", "id", newValue) }
    }

    /// `Type/id`, the literal reference to this resource, when it has an id.
    public var literalReference: String? { id.map { FHIR.literalReference(type: Self.resourceType, id: $0) } }
}

/// Setters used by the views.
extension FHIRElement {
    public mutating func setPrimitive(_ name: String, _ type: String, _ value: String?) {
        set(name, value.map { FHIRValues(.primitive(type, $0)) } ?? FHIRValues())
    }

    public mutating func setPrimitives(_ name: String, _ type: String, _ values: [String]) {
        set(name, values.map { .primitive(type, $0) })
    }

    public mutating func setElement(_ name: String, _ value: FHIRElement?) {
        set(name, value.map { FHIRValues(.element($0)) } ?? FHIRValues())
    }

    /// The views pass their values' elements lazily (`newValue.lazy.map(\.element)`): one array is made, of the
    /// values as the model keeps them, not an array of elements first.
    public mutating func setElements(_ name: String, _ values: some Sequence<FHIRElement>) {
        set(name, values.map { .element($0) })
    }

    public func concept(_ name: String) -> CodeableConcept? { child(name).map(CodeableConcept.init) }
    public func concepts(_ name: String) -> [CodeableConcept] { children(name).map(CodeableConcept.init) }
    public func reference(_ name: String) -> Reference? { child(name).map(Reference.init) }
    public func references(_ name: String) -> [Reference] { children(name).map(Reference.init) }
}
