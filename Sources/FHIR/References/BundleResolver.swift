import Synchronization

/// Resolves references between the resources of one bundle, the four ways FHIR allows:
/// literal (`Patient/1`, also relative to the referring entry's server base), `urn:uuid:`/`urn:oid:`
/// (by fullUrl), absolute (`https://host/fhir/Patient/1`, by fullUrl or by type and id), and
/// `#contained` (inside the referring resource). `/_history/n` version suffixes are ignored.
public struct BundleResolver: Sendable {
    public struct Entry: Sendable {
        public let fullUrl: String?
        /// The resource when built; for a deferred one, an element of its type only, never handed out. (Two plain
        /// fields rather than a `FHIRValue`: entries are copied by every reader, and a struct of references copies
        /// with retains where an enum copies through a switch.)
        private let built: FHIRElement
        private let deferred: DeferredResource?

        init?(fullUrl: String?, value: FHIRValue) {
            switch value {
            case .element(let resource):
                built = resource
                deferred = nil
            case .deferred(let resource):
                built = FHIRElement(type: resource.type)
                deferred = resource
            case .primitive, .xhtml: return nil
            }
            self.fullUrl = fullUrl
        }

        /// The resource (a deferred one is built on first use).
        public var resource: FHIRElement { deferred?.element ?? built }

        /// The resource's type, known without building a deferred resource.
        public var type: String { built.type }

        /// The resource's id, known without building a deferred resource.
        public var id: String? {
            if let deferred { return deferred.id }
            return built.string("id")
        }

        /// A resource the reader deferred and nobody has asked for yet.
        public var isDeferred: Bool { deferred.map { !$0.isBuilt } ?? false }
    }

    /// A literal reference's target, kept as two strings (no `Type/id` string built per entry).
    private struct TypeAndId: Hashable {
        let type: String
        let id: String
    }

    public let entries: [Entry]
    /// Resource type → entry positions, in bundle order.
    private let byType: [String: [Int]]
    /// The indexes by fullUrl and by type and id, built when the first reference is resolved: most bundles'
    /// readers resolve a few references or none, and hashing every entry's fullUrl and id cost a tenth of the
    /// case stage on a Synthea bundle.
    private let referenceIndex: LazyReferenceIndex

    public init(bundle: FHIRElement) {
        let entryElements = bundle.children("entry")
        var entries: [Entry] = []
        var byType: [String: [Int]] = [:]
        entries.reserveCapacity(entryElements.count)
        for entry in entryElements {
            guard let value = entry["resource"].first, let read = Entry(fullUrl: entry.string("fullUrl"), value: value)
            else { continue }
            byType[read.type, default: []].append(entries.count)
            entries.append(read)
        }
        self.entries = entries
        self.byType = byType
        referenceIndex = LazyReferenceIndex()
    }

    /// Where references lead: fullUrl (without `/_history/n`) and `Type/id` → entry position.
    private struct ReferenceIndex: Sendable {
        var byFullUrl: [String: Int] = [:]
        var byTypeAndId: [TypeAndId: Int] = [:]

        init(_ entries: [Entry]) {
            byFullUrl.reserveCapacity(entries.count)
            byTypeAndId.reserveCapacity(entries.count)
            for (index, entry) in entries.enumerated() {
                // The first entry of a fullUrl or a Type/id is the one references reach.
                // (One hash per entry: a duplicate, rare, puts the first back.)
                if let fullUrl = entry.fullUrl {
                    let key = BundleResolver.withoutHistory(fullUrl)
                    if let first = byFullUrl.updateValue(index, forKey: key) { byFullUrl[key] = first }
                }
                if let id = entry.id {
                    let key = TypeAndId(type: entry.type, id: id)
                    if let first = byTypeAndId.updateValue(index, forKey: key) { byTypeAndId[key] = first }
                }
            }
        }
    }

    /// Built once, on first use, by whichever caller comes first (a resolver is Sendable and may be shared).
    private final class LazyReferenceIndex: Sendable {
        private let index = Mutex<ReferenceIndex?>(nil)

        func get(_ entries: [Entry]) -> ReferenceIndex {
            index.withLock { index in
                if let built = index { return built }
                let built = ReferenceIndex(entries)
                index = built
                return built
            }
        }

        var isBuilt: Bool { index.withLock { $0 != nil } }
    }

    /// Whether the reference indexes have been built (tests: a bundle nobody resolves in never builds them).
    var hasBuiltReferenceIndex: Bool { referenceIndex.isBuilt }

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
        let index = referenceIndex.get(entries)
        if let position = index.byFullUrl[target] { return entries[position].resource }
        if target.hasPrefix("urn:") { return nil }
        if target.includes("://") {
            // Absolute, but not a fullUrl here: match its last two segments as Type/id.
            return typeAndId(of: target).flatMap { index.byTypeAndId[$0] }.map { entries[$0].resource }
        }
        // Relative: first against the referring entry's server base, then by type and id.
        if let base = containerFullUrl.flatMap(BundleResolver.serverBase), let position = index.byFullUrl[base + target]
        {
            return entries[position].resource
        }
        return typeAndId(of: target).flatMap { index.byTypeAndId[$0] }.map { entries[$0].resource }
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
