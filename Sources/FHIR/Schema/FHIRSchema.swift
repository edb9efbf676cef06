/// What the model knows about FHIR R4 structure: for every resource, datatype and backbone element,
/// its elements in canonical order, which repeat, their types and their XML representation.
///
/// Built once from the generated table in `Generated/R4Definitions.swift`
/// (`scripts/generate-fhir-definitions.py` writes it from the official R4 definitions).
public struct FHIRSchema: Sendable {
    public static let r4 = FHIRSchema(definitionsText: r4DefinitionsText)

    public let types: [String: TypeDefinition]

    public func type(named name: String) -> TypeDefinition? { types[name] }

    /// The concrete resource types (Patient, Bundle, …), not the abstract Resource/DomainResource.
    public func isResourceType(_ name: String) -> Bool {
        guard let type = types[name] else { return false }
        return type.kind == .resource && !type.isAbstract
    }

    init(definitionsText: String) {
        var types: [String: TypeDefinition] = [:]
        var current: TypeDefinition?
        for line in definitionsText.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.first == "@" {
                if let finished = current { types[finished.name] = finished }
                let parts = line.dropFirst().split(separator: " ")
                let kind = TypeDefinition.Kind(rawValue: String(parts[1]))!
                current = TypeDefinition(name: String(parts[0]), kind: kind, isAbstract: parts.contains("abstract"))
            } else {
                let parts = line.split(separator: " ")
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
        self.types = types
    }
}

public struct TypeDefinition: Sendable {
    public enum Kind: String, Sendable {
        case primitive, complex, resource, backbone
    }

    public let name: String
    public let kind: Kind
    public let isAbstract: Bool
    public private(set) var elements: [ElementDefinition] = []
    /// JSON/XML property name → (element, concrete type). Choice elements appear once per type:
    /// `valueQuantity` → (value[x], Quantity).
    public private(set) var propertyNames: [String: Property] = [:]

    public struct Property: Sendable {
        public let element: ElementDefinition
        public let type: String
    }

    init(name: String, kind: Kind, isAbstract: Bool) {
        self.name = name
        self.kind = kind
        self.isAbstract = isAbstract
    }

    mutating func add(_ element: ElementDefinition) {
        elements.append(element)
        if element.isChoice {
            for type in element.types {
                propertyNames[element.name + type.prefix(1).uppercased() + type.dropFirst()] =
                    Property(element: element, type: type)
            }
        } else {
            propertyNames[element.name] = Property(element: element, type: element.types.first ?? "string")
        }
    }

    public func property(_ name: String) -> Property? { propertyNames[name] }
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
        switch fhirType {
        case "boolean": self = .boolean
        case "integer", "decimal", "positiveInt", "unsignedInt": self = .number
        default: self = .string
        }
    }
}
