/// Resolves references between the resources of one bundle, the four ways FHIR allows:
/// literal (`Patient/1`, also relative to the referring entry's server base), `urn:uuid:`/`urn:oid:`
/// (by fullUrl), absolute (`https://host/fhir/Patient/1`, by fullUrl or by type and id), and
/// `#contained` (inside the referring resource). `/_history/n` version suffixes are ignored.
public struct BundleResolver: Sendable {
    public struct Entry: Sendable {
        public let fullUrl: String?
        public let resource: FHIRElement
    }

    /// A literal reference's target, kept as two strings (no `Type/id` string built per entry).
    private struct TypeAndId: Hashable {
        let type: String
        let id: String
    }

    public let entries: [Entry]
    private let byFullUrl: [String: Int]
    private let byTypeAndId: [TypeAndId: Int]
    /// Resource type → entry positions, in bundle order.
    private let byType: [String: [Int]]

    public init(bundle: FHIRElement) {
        let entryElements = bundle.children("entry")
        var entries: [Entry] = []
        var byFullUrl: [String: Int] = [:]
        var byTypeAndId: [TypeAndId: Int] = [:]
        var byType: [String: [Int]] = [:]
        entries.reserveCapacity(entryElements.count)
        byFullUrl.reserveCapacity(entryElements.count)
        byTypeAndId.reserveCapacity(entryElements.count)
        for entry in entryElements {
            guard let resource = entry.child("resource") else { continue }
            let fullUrl = entry.string("fullUrl")
            let index = entries.count
            entries.append(Entry(fullUrl: fullUrl, resource: resource))
            byType[resource.type, default: []].append(index)
            // The first entry of a fullUrl or a Type/id is the one references reach.
            // (One hash per entry: a duplicate, rare, puts the first back.)
            if let fullUrl {
                let key = BundleResolver.withoutHistory(fullUrl)
                if let first = byFullUrl.updateValue(index, forKey: key) { byFullUrl[key] = first }
            }
            if let id = resource.string("id") {
                let key = TypeAndId(type: resource.type, id: id)
                if let first = byTypeAndId.updateValue(index, forKey: key) { byTypeAndId[key] = first }
            }
        }
        self.entries = entries
        self.byFullUrl = byFullUrl
        self.byTypeAndId = byTypeAndId
        self.byType = byType
    }

    /// The resource a reference points to, or nil when it is not in the bundle.
    /// - Parameters:
    ///   - container: the resource holding the reference (for `#contained`); for a reference made
    ///     inside a contained resource, pass the containing resource.
    ///   - containerFullUrl: the referring entry's fullUrl (for relative references on a server base).
    public func resolve(_ reference: String, container: FHIRElement? = nil, containerFullUrl: String? = nil)
        -> FHIRElement?
    {
        if reference.hasPrefix("#") {
            guard let container else { return nil }
            let id = reference.dropFirst()
            if id.isEmpty { return container }
            return container.children("contained").first { $0.string("id") == String(id) }
        }
        let target = BundleResolver.withoutHistory(reference)
        if let index = byFullUrl[target] { return entries[index].resource }
        if target.hasPrefix("urn:") { return nil }
        if target.includes("://") {
            // Absolute, but not a fullUrl here: match its last two segments as Type/id.
            return typeAndId(of: target).flatMap { byTypeAndId[$0] }.map { entries[$0].resource }
        }
        // Relative: first against the referring entry's server base, then by type and id.
        if let base = containerFullUrl.flatMap(BundleResolver.serverBase), let index = byFullUrl[base + target] {
            return entries[index].resource
        }
        return typeAndId(of: target).flatMap { byTypeAndId[$0] }.map { entries[$0].resource }
    }

    public func resolve(_ reference: Reference, container: FHIRElement? = nil, containerFullUrl: String? = nil)
        -> FHIRElement?
    {
        reference.reference.flatMap { resolve($0, container: container, containerFullUrl: containerFullUrl) }
    }

    /// All entry resources of one type, in bundle order.
    public func resources(ofType type: String) -> [Entry] { (byType[type] ?? []).map { entries[$0] } }

    /// `Type/id` from the last two path segments, when the type is a resource type.
    private func typeAndId(of reference: String) -> TypeAndId? {
        let segments = reference.split(separator: "/")
        guard segments.count >= 2 else { return nil }
        let type = String(segments[segments.count - 2])
        guard FHIRSchema.r4.isResourceType(type) else { return nil }
        return TypeAndId(type: type, id: String(segments[segments.count - 1]))
    }

    /// `https://host/fhir/Patient/1` → `https://host/fhir/`.
    static func serverBase(_ fullUrl: String) -> String? {
        guard fullUrl.includes("://") else { return nil }
        let segments = fullUrl.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 2, FHIRSchema.r4.isResourceType(String(segments[segments.count - 2])) else {
            return nil
        }
        return segments.dropLast(2).joined(separator: "/") + "/"
    }

    static func withoutHistory(_ reference: String) -> String {
        // Foundation-free search for "/_history/"; most references have no '_' and are returned as they are.
        guard !reference.hasPrefix("urn:"), reference.includes("/_history/") else { return reference }
        let bytes = reference.utf8
        guard let marker = bytes.firstRange(of: "/_history/".utf8) else { return reference }
        return String(reference[..<marker.lowerBound])
    }
}
