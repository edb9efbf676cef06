import FHIR

/// The bundle's resources grouped by type in one pass, each group in bundle order: a reader visits only
/// the resources it reads, instead of every reader filtering the whole bundle.
struct ResourcesByType {
    /// The bundle's entries, grouped by type without building a deferred resource: only the types asked for are
    /// built.
    private let entries: [BundleResolver.Entry]
    /// Type → positions in `entries`, ascending.
    private let positions: [String: [Int]]

    /// The entries at the kept positions of each type (ascending).
    init(_ entries: [BundleResolver.Entry], keptByType: [String: [Int]]) {
        self.entries = entries
        self.positions = keptByType
    }

    /// The resources of these types, in bundle order (readers that read several types keep the order
    /// they would have met them in).
    func of(_ types: String...) -> [FHIRElement] {
        let found = types.flatMap { positions[$0] ?? [] }
        return (types.count == 1 ? found : found.sorted()).map { entries[$0].resource }
    }
}
