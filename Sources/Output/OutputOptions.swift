import FHIR

/// How the output bundle is shaped (DESIGN.md Output; issue: encoding and bundle type options).
public struct OutputOptions: Sendable, Equatable {
    public enum BundleType: String, Sendable, CaseIterable {
        /// A set of resources to read (the default).
        case collection
        /// `request` entries (POST) ready for a FHIR server; references between the new resources
        /// use their `urn:uuid:` fullUrls, which the server rewrites.
        case transaction
    }

    /// Output encoding: nil = the input's.
    public var format: FHIRFormat?
    public var bundleType: BundleType
    public var pretty: Bool
    public var canonicals: Canonicals
    /// The daemon instance that produced the result (its node name), recorded in the Provenance;
    /// nil for the command line.
    public var node: String?

    public init(
        format: FHIRFormat? = nil, bundleType: BundleType = .collection, pretty: Bool = true,
        canonicals: Canonicals = Canonicals(), node: String? = nil
    ) {
        self.node = node
        self.format = format
        self.bundleType = bundleType
        self.pretty = pretty
        self.canonicals = canonicals
    }
}
