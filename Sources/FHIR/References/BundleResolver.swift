/// Resolves references between the resources of one bundle, the four ways FHIR allows:
/// literal (`Patient/1`, also relative to the referring entry's server base), `urn:uuid:`/`urn:oid:`
/// (by fullUrl), absolute (`https://host/fhir/Patient/1`, by fullUrl or by type and id), and
/// `#contained` (inside the referring resource). `/_history/n` version suffixes are ignored.
public struct BundleResolver: Sendable {
    public struct Entry: Sendable {
        public let fullUrl: String?
        public let resource: FHIRElement
    }

    public let entries: [Entry]
    private let byFullUrl: [String: Int]
    private let byTypeAndId: [String: Int]

    public init(bundle: FHIRElement) {
        var entries: [Entry] = []
        var byFullUrl: [String: Int] = [:]
        var byTypeAndId: [String: Int] = [:]
        for entry in bundle.children("entry") {
            guard let resource = entry.child("resource") else { continue }
            let fullUrl = entry.string("fullUrl")
            let index = entries.count
            entries.append(Entry(fullUrl: fullUrl, resource: resource))
            if let fullUrl { byFullUrl[BundleResolver.withoutHistory(fullUrl)] = byFullUrl[fullUrl] ?? index }
            if let id = resource.string("id") {
                let key = "\(resource.type)/\(id)"
                if byTypeAndId[key] == nil { byTypeAndId[key] = index }
            }
        }
        self.entries = entries
        self.byFullUrl = byFullUrl
        self.byTypeAndId = byTypeAndId
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
        if target.contains("://") {
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
    public func resources(ofType type: String) -> [Entry] { entries.filter { $0.resource.type == type } }

    /// `Type/id` from the last two path segments, when the type is a resource type.
    private func typeAndId(of reference: String) -> String? {
        let segments = reference.split(separator: "/")
        guard segments.count >= 2 else { return nil }
        let type = String(segments[segments.count - 2])
        guard FHIRSchema.r4.isResourceType(type) else { return nil }
        return "\(type)/\(segments[segments.count - 1])"
    }

    /// `https://host/fhir/Patient/1` → `https://host/fhir/`.
    static func serverBase(_ fullUrl: String) -> String? {
        guard fullUrl.contains("://") else { return nil }
        let segments = fullUrl.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count >= 2, FHIRSchema.r4.isResourceType(String(segments[segments.count - 2])) else {
            return nil
        }
        return segments.dropLast(2).joined(separator: "/") + "/"
    }

    static func withoutHistory(_ reference: String) -> String {
        // Foundation-free search for "/_history/".
        let marker = Array("/_history/".utf8)
        let bytes = Array(reference.utf8)
        guard bytes.count >= marker.count else { return reference }
        for start in 0...(bytes.count - marker.count) where bytes[start] == marker[0] {
            if Array(bytes[start..<start + marker.count]) == marker {
                return String(decoding: bytes[..<start], as: UTF8.self)
            }
        }
        return reference
    }
}
