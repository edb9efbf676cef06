import FHIR

/// The bundle's resources grouped by type in one pass, each group in bundle order: a reader visits only
/// the resources it reads, instead of every reader filtering the whole bundle.
struct ResourcesByType {
    let all: [FHIRElement]
    /// Type → positions in `all`, ascending.
    private let positions: [String: [Int]]

    init(_ resources: [FHIRElement]) {
        all = resources
        var positions: [String: [Int]] = [:]
        for (position, resource) in resources.enumerated() { positions[resource.type, default: []].append(position) }
        self.positions = positions
    }

    /// The resources of these types, in bundle order (readers that read several types keep the order
    /// they would have met them in).
    func of(_ types: String...) -> [FHIRElement] {
        let found = types.flatMap { positions[$0] ?? [] }
        return (types.count == 1 ? found : found.sorted()).map { all[$0] }
    }
}
