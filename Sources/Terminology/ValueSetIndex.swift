/// The members of one value set, indexed for lookups in constant time whatever its size: exact
/// codes in a hash set, and ICD-10-CM `is-a` filters as code prefixes (`M54.1` covers `M54.16`),
/// minus what the value set excludes.
public struct ValueSetIndex: Sendable {
    public let url: String
    public internal(set) var codes: Set<CodeKey> = []
    /// System → code prefixes included by an `is-a` filter (ICD-10-CM), normalized.
    public internal(set) var prefixes: [String: Set<String>] = [:]
    var excludedCodes: Set<CodeKey> = []
    var excludedPrefixes: [String: Set<String>] = [:]
    /// The canonical URLs this set includes whole (`compose.include.valueSet`), resolved at load.
    var includedSets: [String] = []
    var excludedSets: [String] = []
    /// Lowercased displays of the members, for medicines named in text only.
    public internal(set) var displays: [String] = []

    public init(url: String) { self.url = url }

    public var isEmpty: Bool { codes.isEmpty && prefixes.values.allSatisfy(\.isEmpty) }
    public var count: Int { codes.count + prefixes.values.reduce(0) { $0 + $1.count } }

    public func contains(_ key: CodeKey) -> Bool {
        let key = key.normalized
        if excludedCodes.contains(key) || Self.matchesPrefix(key, excludedPrefixes) { return false }
        return codes.contains(key) || Self.matchesPrefix(key, prefixes)
    }

    /// A code matches a prefix when the prefix is the code itself or begins it: one hash lookup per
    /// length, from the whole code down to three characters (the ICD-10-CM category).
    static func matchesPrefix(_ key: CodeKey, _ prefixes: [String: Set<String>]) -> Bool {
        guard let forSystem = prefixes[key.system], !forSystem.isEmpty else { return false }
        var code = Substring(key.code)
        while code.count >= 3 {
            if forSystem.contains(String(code)) { return true }
            code = code.dropLast()
        }
        return false
    }

    mutating func merge(_ other: ValueSetIndex) {
        codes.formUnion(other.codes)
        for (system, values) in other.prefixes { prefixes[system, default: []].formUnion(values) }
        excludedCodes.formUnion(other.excludedCodes)
        for (system, values) in other.excludedPrefixes { excludedPrefixes[system, default: []].formUnion(values) }
        includedSets += other.includedSets
        excludedSets += other.excludedSets
        displays += other.displays
    }
}

extension CodeKey {
    /// ICD-10-CM codes are compared without their dot and in upper case (feeds send `M54.16`,
    /// `M5416` and `m54.16`); other systems as they are.
    public var normalized: CodeKey {
        guard system == CodeSystems.icd10cm else { return self }
        return CodeKey(system, Self.normalizeICD(code))
    }

    static func normalizeICD(_ code: String) -> String {
        String(code.unicodeScalars.filter { $0 != "." && $0 != " " }.map { Character($0) }).uppercased()
    }
}
