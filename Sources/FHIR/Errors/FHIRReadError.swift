/// Why an input could not be read as FHIR, and where: line and column (1-based, where the encoding
/// gives them) and the element path (`Bundle.entry[2].resource.code`) where known.
public struct FHIRReadError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// Not well-formed JSON or XML, or not UTF-8.
        case syntax
        /// Well-formed, but not FHIR: a wrong JSON type, a missing or unknown resourceType, text
        /// where FHIR allows none, an element in the wrong namespace.
        case structure
        /// Something PainPath refuses on principle: a DOCTYPE (entities, external DTDs).
        case forbidden
        /// Over a configured limit: input size, nesting depth, string length.
        case limit
        /// The model cannot be written in the requested encoding (e.g. a control character in XML).
        case encoding
    }

    public var kind: Kind
    public var message: String
    public var line: Int?
    public var column: Int?
    public var path: String?

    public init(_ kind: Kind, _ message: String, line: Int? = nil, column: Int? = nil, path: String? = nil) {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
        self.path = path
    }

    /// One line for logs and stderr: `structure error at line 3, column 9 (Patient.name): …`.
    public var description: String {
        var text = "\(kind.rawValue) error"
        if let line {
            text += " at line \(line)"
            if let column { text += ", column \(column)" }
        }
        if let path { text += " (\(path))" }
        return text + ": " + message
    }
}

/// Something a reader accepted but an integration engineer should know (unknown element, empty
/// array, an id that breaks the id pattern, …). Becomes a warning issue in the OperationOutcome.
public struct FHIRReadWarning: Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var line: Int?
    public var column: Int?
    public var path: String?

    public init(_ message: String, line: Int? = nil, column: Int? = nil, path: String? = nil) {
        self.message = message
        self.line = line
        self.column = column
        self.path = path
    }

    public var description: String {
        var text = "warning"
        if let line {
            text += " at line \(line)"
            if let column { text += ", column \(column)" }
        }
        if let path { text += " (\(path))" }
        return text + ": " + message
    }
}

/// Limits that keep hostile input from exhausting memory or stack. Exceeding one is a clean
/// `FHIRReadError` of kind `.limit`.
public struct FHIRReadLimits: Hashable, Sendable {
    public var maxInputBytes: Int
    public var maxDepth: Int
    public var maxStringBytes: Int

    public init(maxInputBytes: Int = 32 << 20, maxDepth: Int = 100, maxStringBytes: Int = 8 << 20) {
        self.maxInputBytes = maxInputBytes
        self.maxDepth = maxDepth
        self.maxStringBytes = maxStringBytes
    }

    public static let `default` = FHIRReadLimits()
}
