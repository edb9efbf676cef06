import Synchronization

/// A resource read and checked, whose model is built from the input's bytes when first asked for
/// (`FHIRValue.deferred`).
///
/// Much of a real feed's bundle is resources the pipeline never reads: in the Synthea records of PyPI's fhiry and
/// pathling, Claims and ExplanationOfBenefits are 30–63 % of the bytes. Asked to defer them (`ResourceDeferral`), the JSON reader checks
/// such a resource exactly as it checks any other — every error and warning is found at read time, in the same
/// order — but keeps only its type, its id and where its bytes are. The model is made on first use, once, by
/// reading those bytes again; that cannot fail: they are the bytes that passed the same checks.
public final class DeferredResource: Sendable {
    /// The resource type and id, known without building the resource (the bundle's indexes ask every entry).
    public let type: String
    /// The id's value, as `FHIRElement.string("id")` of the built resource gives it.
    public let id: String?
    /// The whole input (shared, not copied) and where the resource's JSON object is in it.
    private let document: [UInt8]
    private let range: Range<Int>
    private let schema: FHIRSchema
    private let limits: FHIRReadLimits
    private let built = Mutex<FHIRElement?>(nil)

    init(
        type: String, id: String?, document: [UInt8], range: Range<Int>, schema: FHIRSchema, limits: FHIRReadLimits
    ) {
        self.type = type
        self.id = id
        self.document = document
        self.range = range
        self.schema = schema
        self.limits = limits
    }

    /// Whether the model has been built (tests, and readers that want to know what they cost).
    public var isBuilt: Bool { built.withLock { $0 != nil } }

    /// The resource's model: built on first use by whichever reader comes first (a model is Sendable and may be
    /// shared), then kept.
    public var element: FHIRElement {
        built.withLock { built in
            if let built { return built }
            let made = build()
            built = made
            return made
        }
    }

    private func build() -> FHIRElement {
        let reader = FHIRJSONReader(schema: schema, limits: limits)
        let resource = document.withUnsafeBufferPointer { whole in
            try? reader.readResource(UnsafeBufferPointer(rebasing: whole[range]))
        }
        // Cannot be nil (these bytes passed the same reader's checks); a resource without content, not a crash.
        assert(resource != nil, "a deferred resource failed to read again")
        return resource ?? FHIRElement(type: type)
    }
}
