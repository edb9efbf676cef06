/// The two FHIR encodings.
public enum FHIRFormat: String, Sendable, CaseIterable {
    case json, xml

    public var mediaType: String {
        switch self {
        case .json: "application/fhir+json"
        case .xml: "application/fhir+xml"
        }
    }

    /// Tells the encoding from the content (never from a file name): the first character after an
    /// optional UTF-8 byte order mark and whitespace is `{` for JSON and `<` for XML.
    public static func sniff(_ bytes: [UInt8]) throws(FHIRReadError) -> FHIRFormat {
        if bytes.count >= 2, (bytes[0] == 0xFE && bytes[1] == 0xFF) || (bytes[0] == 0xFF && bytes[1] == 0xFE) {
            throw FHIRReadError(
                .syntax, "the input is UTF-16 or UTF-32 (byte order mark); FHIR requires UTF-8", line: 1, column: 1)
        }
        var index = 0
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        guard index < bytes.count else { throw FHIRReadError(.syntax, "the input is empty") }
        switch bytes[index] {
        // `/`: JSON, so that the JSON reader says "no comments".
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "/"): return .json
        case UInt8(ascii: "<"): return .xml
        default:
            throw FHIRReadError(
                .syntax, "the input is neither JSON (starts with '{') nor XML (starts with '<')",
                line: 1 + bytes[..<index].filter { $0 == 0x0A }.count, column: nil)
        }
    }
}

/// Reads a resource in either encoding, telling which from the content.
public struct FHIRReader: Sendable {
    public var schema: FHIRSchema
    public var limits: FHIRReadLimits
    /// Which resources of a JSON document are built on first use (XML builds every resource as it reads it).
    public var deferral: ResourceDeferral

    public init(schema: FHIRSchema = .r4, limits: FHIRReadLimits = .default, deferral: ResourceDeferral = .none) {
        self.schema = schema
        self.limits = limits
        self.deferral = deferral
    }

    public func read(_ bytes: [UInt8]) throws(FHIRReadError) -> (result: FHIRReadResult, format: FHIRFormat) {
        guard bytes.count <= limits.maxInputBytes else {
            throw FHIRReadError(
                .limit, "the input is \(bytes.count) bytes, over the limit of \(limits.maxInputBytes) bytes")
        }
        let format = try FHIRFormat.sniff(bytes)
        switch format {
        case .json: return (try FHIRJSONReader(schema: schema, limits: limits, deferral: deferral).read(bytes), .json)
        case .xml: return (try FHIRXMLReader(schema: schema, limits: limits).read(bytes), .xml)
        }
    }
}

/// Writes a resource in either encoding.
public struct FHIRWriter: Sendable {
    public var schema: FHIRSchema
    public var pretty: Bool

    public init(schema: FHIRSchema = .r4, pretty: Bool = true) {
        self.schema = schema
        self.pretty = pretty
    }

    public func write(_ resource: FHIRElement, as format: FHIRFormat) throws(FHIRReadError) -> [UInt8] {
        switch format {
        case .json: FHIRJSONWriter(schema: schema, pretty: pretty).write(resource)
        case .xml: try FHIRXMLWriter(schema: schema, pretty: pretty).write(resource)
        }
    }
}
