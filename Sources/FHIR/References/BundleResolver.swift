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
    }

    public let entries: [Entry]
    /// Resource type → entry positions, in bundle order.
    private let byType: [String: [Int]]
    /// Where references lead, each index built when a reference first needs it: most bundles' readers resolve a few
    /// references or none, and hashing every entry's fullUrl and id cost a tenth of the case stage.
    private let referenceIndex: LazyReferenceIndex

    public init(bundle: FHIRElement) {
        let entryValues = bundle["entry"]
        var entries: [Entry] = []
        entries.reserveCapacity(entryValues.count)
        // Grouped by type in a short list searched from the group last used (a bundle holds a few dozen types,
        // and runs of one type), then made a dictionary with one hash per type, not per entry.
        var groups: [(type: String, positions: [Int])] = []
        var last = 0
        for case .element(let entry) in entryValues {
            guard let value = entry["resource"].first, let read = Entry(fullUrl: entry.string("fullUrl"), value: value)
            else { continue }
            let type = read.type
            if groups.isEmpty || groups[last].type != type {
                if let found = groups.firstIndex(where: { $0.type == type }) {
                    last = found
                } else {
                    groups.append((type, []))
                    last = groups.count - 1
                }
            }
            groups[last].positions.append(entries.count)
            entries.append(read)
        }
        self.entries = entries
        byType = Dictionary(uniqueKeysWithValues: groups.lazy.map { ($0.type, $0.positions) })
        referenceIndex = LazyReferenceIndex()
    }

    /// The indexes, each built on first use by whichever caller comes first (a resolver is Sendable and may be
    /// shared). A literal reference (`Condition/c1`, the way EHRs and the synthetic records refer) needs only the
    /// ids of its own type; only a urn: or absolute reference, or a bundle with a relative fullUrl, needs every
    /// entry's fullUrl hashed.
    private final class LazyReferenceIndex: Sendable {
        private struct Indexes {
            /// fullUrl without `/_history/n` → the first entry with it.
            var byFullUrl: [String: Int]?
            /// Type → id → the first entry of that type with it.
            var idsByType: [String: [String: Int]] = [:]
            /// Whether some fullUrl is neither a urn: nor absolute (not valid FHIR, but a relative reference could
            /// only be one of those).
            var hasRelativeFullUrl: Bool?

            var isEmpty: Bool { byFullUrl == nil && idsByType.isEmpty && hasRelativeFullUrl == nil }
        }
        private let indexes = Mutex(Indexes())

        func position(fullUrl: String, _ entries: [Entry]) -> Int? {
            indexes.withLock { indexes in
                if let built = indexes.byFullUrl { return built[fullUrl] }
                var built: [String: Int] = [:]
                built.reserveCapacity(entries.count)
                for (index, entry) in entries.enumerated() {
                    // The first entry of a fullUrl is the one references reach (one hash per entry: a duplicate,
                    // rare, puts the first back).
                    guard let fullUrl = entry.fullUrl else { continue }
                    let key = BundleResolver.withoutHistory(fullUrl)
                    if let first = built.updateValue(index, forKey: key) { built[key] = first }
                }
                indexes.byFullUrl = built
                return built[fullUrl]
            }
        }

        func position(type: String, id: String, _ entries: [Entry], _ positions: [Int]) -> Int? {
            indexes.withLock { indexes in
                if let built = indexes.idsByType[type] { return built[id] }
                var built: [String: Int] = [:]
                built.reserveCapacity(positions.count)
                for position in positions {
                    guard let id = entries[position].id else { continue }
                    if let first = built.updateValue(position, forKey: id) { built[id] = first }
                }
                indexes.idsByType[type] = built
                return built[id]
            }
        }

        func hasRelativeFullUrl(_ entries: [Entry]) -> Bool {
            indexes.withLock { indexes in
                if let known = indexes.hasRelativeFullUrl { return known }
                // By position and on the bytes: a closure over the entries copied each one (its resource and
                // fullUrl retained and released), and `hasPrefix` compared characters; a long record has thousands.
                let found = entries.indices.contains { position in
                    entries[position].fullUrl.map(BundleResolver.isRelativeFullUrl) ?? false
                }
                indexes.hasRelativeFullUrl = found
                return found
            }
        }

        var isBuilt: Bool { indexes.withLock { !$0.isEmpty } }
        var hasFullUrlIndex: Bool { indexes.withLock { $0.byFullUrl != nil } }
        var typesIndexed: Set<String> { indexes.withLock { Set($0.idsByType.keys) } }
    }

    /// Whether any reference index has been built (tests: a bundle nobody resolves in never builds one).
    var hasBuiltReferenceIndex: Bool { referenceIndex.isBuilt }
    /// Whether the index of every fullUrl has been built (tests).
    var hasBuiltFullUrlIndex: Bool { referenceIndex.hasFullUrlIndex }
    /// The types whose ids have been indexed (tests).
    var typesIndexedById: Set<String> { referenceIndex.typesIndexed }

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
        // A fullUrl first; a target that is neither urn: nor absolute can only equal a relative fullUrl.
        let isAbsolute = target.includes("://")
        if target.hasPrefix("urn:") || isAbsolute || referenceIndex.hasRelativeFullUrl(entries),
            let position = referenceIndex.position(fullUrl: target, entries)
        {
            return entries[position].resource
        }
        if target.hasPrefix("urn:") { return nil }
        // Relative: against the referring entry's server base, then (and for an absolute reference that is not a
        // fullUrl here) by the type and id of its last two segments.
        if !isAbsolute, let base = containerFullUrl.flatMap(BundleResolver.serverBase),
            let position = referenceIndex.position(fullUrl: base + target, entries)
        {
            return entries[position].resource
        }
        guard let (type, id) = typeAndId(of: target),
            let position = referenceIndex.position(type: type, id: id, entries, byType[type] ?? [])
        else { return nil }
        return entries[position].resource
    }

    public func resolve(_ reference: Reference, container: FHIRElement? = nil, containerFullUrl: String? = nil)
        -> FHIRElement?
    {
        reference.reference.flatMap { resolve($0, container: container, containerFullUrl: containerFullUrl) }
    }

    /// All entry resources of one type, in bundle order.
    public func resources(ofType type: String) -> [Entry] { (byType[type] ?? []).map { entries[$0] } }

    /// Each resource type of the bundle → its entries' positions in `entries`, ascending: a reader that groups the
    /// entries by type starts from this grouping instead of hashing every entry's type again.
    public var positionsByType: [String: [Int]] { byType }

    /// Whether a fullUrl is neither a `urn:` nor absolute (has no `://`), on its UTF-8 bytes.
    static func isRelativeFullUrl(_ fullUrl: String) -> Bool {
        // On the bytes (a bundle's entries are all asked once).
        !fullUrl.beginsWith("urn:") && !fullUrl.includes("://")
    }

    /// `Type/id` from the last two path segments, when the type is a resource type.
    private func typeAndId(of reference: String) -> (type: String, id: String)? {
        let segments = reference.split(separator: "/")
        guard segments.count >= 2 else { return nil }
        let type = String(segments[segments.count - 2])
        guard FHIRSchema.r4.isResourceType(type) else { return nil }
        return (type, String(segments[segments.count - 1]))
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
