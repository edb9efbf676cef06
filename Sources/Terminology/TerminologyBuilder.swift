import FHIR
import Foundation

/// Collects the terminology resources of a profiles directory (and a local one) and resolves them
/// into `Terminology`: value sets by canonical URL, their includes of other sets, the product map,
/// the MME factors, a site's code maps; then checks that every set the code needs is there and not
/// empty.
struct TerminologyBuilder {
    var valueSets: [String: ValueSetIndex] = [:]
    var products: [String: [ProductIngredient]] = [:]
    var ingredientNames: [String: String] = [:]
    var mmeByCode: [String: Double] = [:]
    var aliases: [CodeKey: [CodeKey]] = [:]

    static let isA: Set<String> = ["is-a", "descendent-of"]

    /// A file's resource as `add` takes it: a ValueSet already indexed (the part of loading that needs no other file,
    /// done while the files are read, on every core), anything else as read.
    enum Prepared {
        case valueSet(ValueSetIndex)
        case resource(FHIRElement)
    }

    static func prepare(_ resource: FHIRElement, file: String) throws -> Prepared {
        guard resource.type == "ValueSet" else { return .resource(resource) }
        guard let url = resource.string("url") ?? resource.string("id").map({ Terminology.base + "/ValueSet/" + $0 })
        else { throw TerminologyError("\(file): a ValueSet without url or id") }
        return .valueSet(try index(resource, url: url, file: file))
    }

    mutating func add(_ resource: FHIRElement, file: String, local: Bool) throws {
        try add(Self.prepare(resource, file: file), file: file, local: local)
    }

    mutating func add(_ prepared: Prepared, file: String, local: Bool) throws {
        let resource: FHIRElement
        switch prepared {
        case .valueSet(let index):
            let url = index.url
            if var existing = valueSets[url] {
                // A shipped set met twice is an error in the profiles; a local set extends the shipped one.
                guard local else { throw TerminologyError("\(file): ValueSet \(url) is defined twice") }
                existing.merge(index)
                valueSets[url] = existing
            } else {
                valueSets[url] = index
            }
            return
        case .resource(let read): resource = read
        }
        switch resource.type {
        case "ConceptMap" where resource.string("id") == "rxnorm-product-to-ingredient" && !local:
            for group in resource.children("group") {
                for element in group.children("element") {
                    guard let code = element.string("code") else { continue }
                    products[code] = element.children("target").compactMap(Terminology.productIngredient)
                    for target in element.children("target") {
                        if let ingredientCode = target.string("code"), let name = target.string("display") {
                            ingredientNames[ingredientCode] = name
                        }
                    }
                }
            }
        case "ConceptMap":
            // A site's map: each local code (group.source|element.code) stands for its targets.
            for group in resource.children("group") {
                guard let source = group.string("source"), let target = group.string("target") else {
                    throw TerminologyError("\(file): a ConceptMap group needs source and target systems")
                }
                for element in group.children("element") {
                    guard let code = element.string("code") else { continue }
                    let targets = element.children("target").filter { $0.string("equivalence") != "unmatched" }
                        .compactMap { $0.string("code") }.map { CodeKey(target, $0).normalized }
                    aliases[CodeKey(source, code).normalized, default: []] += targets
                }
            }
        case "CodeSystem" where resource.string("id") == "mme-conversion-factors":
            for concept in resource.children("concept") {
                guard let code = concept.string("code") else { continue }
                for property in concept.children("property") where property.string("code") == "conversion-factor" {
                    if let factor = property.string("valueDecimal").flatMap(Double.init) { mmeByCode[code] = factor }
                }
            }
        default:
            break
        }
    }

    /// One ValueSet's members: `expansion.contains` (nested too), `compose.include` by concept, by
    /// another set and by an ICD-10-CM is-a filter, `compose.exclude` the same ways. A filter this
    /// loader cannot evaluate (SNOMED CT hierarchy) is accepted only when an expansion lists the members.
    static func index(_ resource: FHIRElement, url: String, file: String) throws -> ValueSetIndex {
        var index = ValueSetIndex(url: url)
        func addContains(_ element: FHIRElement) {
            for contained in element.children("contains") {
                if let system = contained.string("system"), let code = contained.string("code"),
                    contained.string("abstract") != "true"
                {
                    index.codes.insert(CodeKey(system, code).normalized)
                    if let display = contained.string("display") { index.displays.append(display.lowercased()) }
                }
                addContains(contained)
            }
        }
        let expansion = resource.child("expansion")
        if let expansion { addContains(expansion) }
        let compose = resource.child("compose")
        for (part, excluding) in [("include", false), ("exclude", true)] {
            for include in compose?.children(part) ?? [] {
                let sets = include.strings("valueSet")
                if excluding { index.excludedSets += sets } else { index.includedSets += sets }
                guard let system = include.string("system") else { continue }
                for concept in include.children("concept") {
                    guard let code = concept.string("code") else { continue }
                    let key = CodeKey(system, code).normalized
                    if excluding {
                        index.excludedCodes.insert(key)
                    } else {
                        index.codes.insert(key)
                        if let display = concept.string("display") { index.displays.append(display.lowercased()) }
                    }
                }
                for filter in include.children("filter") {
                    let op = filter.string("op") ?? ""
                    guard system == CodeSystems.icd10cm, isA.contains(op), let value = filter.string("value") else {
                        if expansion != nil { continue }
                        throw TerminologyError(
                            "\(file): cannot evaluate the filter \(filter.string("property") ?? "?") \(op) "
                                + "\(filter.string("value") ?? "?") on \(system) without an expansion")
                    }
                    let prefix = CodeKey.normalizeICD(value)
                    if excluding {
                        index.excludedPrefixes[system, default: []].insert(prefix)
                    } else {
                        index.prefixes[system, default: []].insert(prefix)
                    }
                }
            }
        }
        return index
    }

    /// Resolves includes of whole sets (transitively; a cycle or a missing set is an error).
    mutating func resolveIncludes() throws {
        var resolved: [String: ValueSetIndex] = [:]
        func resolve(_ url: String, path: [String]) throws -> ValueSetIndex {
            if let done = resolved[url] { return done }
            guard var index = valueSets[url] else {
                throw TerminologyError("\(path.last ?? url) includes the value set \(url), which is not loaded")
            }
            guard !path.contains(url) else {
                throw TerminologyError("value sets include each other: \((path + [url]).joined(separator: " → "))")
            }
            for included in index.includedSets {
                let other = try resolve(included, path: path + [url])
                index.codes.formUnion(other.codes)
                for (system, values) in other.prefixes { index.prefixes[system, default: []].formUnion(values) }
                index.displays += other.displays
            }
            for excluded in index.excludedSets {
                let other = try resolve(excluded, path: path + [url])
                index.excludedCodes.formUnion(other.codes)
                for (system, values) in other.prefixes { index.excludedPrefixes[system, default: []].formUnion(values) }
            }
            index.includedSets = []
            index.excludedSets = []
            resolved[url] = index
            return index
        }
        for url in valueSets.keys.sorted() { _ = try resolve(url, path: []) }
        valueSets = resolved
    }

    mutating func build(source: String, digest: String) throws -> Terminology {
        try resolveIncludes()
        let required =
            ValueSetID.allCases.map { ($0.rawValue, Terminology.url($0)) }
            + MedicationClass.allCases.map { ("medication-class-" + $0.rawValue, Terminology.url($0)) }
        let missing = required.filter { valueSets[$0.1] == nil }.map(\.0)
        guard missing.isEmpty else {
            throw TerminologyError("\(source): value sets missing: \(missing.joined(separator: ", "))")
        }
        let empty = required.filter { valueSets[$0.1]?.isEmpty ?? true }.map(\.0)
        guard empty.isEmpty else {
            throw TerminologyError("\(source): value sets empty: \(empty.joined(separator: ", "))")
        }
        guard !products.isEmpty else {
            throw TerminologyError("\(source): ConceptMap-rxnorm-product-to-ingredient.json is missing or empty")
        }

        // Classes by ingredient: an ingredient belongs to a class when its code or a single-ingredient
        // product of it is in the class's value set (a combination product such as acetaminophen/
        // oxycodone is in several class sets; only the ingredient whose own class it is takes it).
        var ingredientClasses: [String: Set<MedicationClass>] = [:]
        for medicationClass in MedicationClass.allCases {
            guard let index = valueSets[Terminology.url(medicationClass)] else { continue }
            for key in index.codes where key.system == CodeSystems.rxnorm {
                if let name = ingredientNames[key.code] {
                    ingredientClasses[name, default: []].insert(medicationClass)
                } else if let ingredients = products[key.code], ingredients.count == 1 {
                    ingredientClasses[ingredients[0].ingredient, default: []].insert(medicationClass)
                }
            }
        }
        var mmeFactors: [String: Double] = [:]
        for (code, factor) in mmeByCode { if let name = ingredientNames[code] { mmeFactors[name] = factor } }

        var knownCodes = Set<CodeKey>()
        var knownPrefixes: [String: Set<String>] = [:]
        for index in valueSets.values {
            knownCodes.formUnion(index.codes)
            for (system, values) in index.prefixes { knownPrefixes[system, default: []].formUnion(values) }
        }
        // A local code mapped onto nothing shipped is a mistake in the map, not a silent no-op.
        for (local, targets) in aliases.sorted(by: { $0.key.description < $1.key.description }) {
            let reachable = targets.contains { target in
                knownCodes.contains(target) || ValueSetIndex.matchesPrefix(target, knownPrefixes)
                    || (target.system == CodeSystems.rxnorm
                        && (products[target.code] != nil || ingredientNames[target.code] != nil))
            }
            guard reachable else {
                throw TerminologyError(
                    "local map: \(local) maps onto \(targets.map(\.description)), which no value set holds")
            }
        }
        let names = Set(ingredientClasses.keys).union(ingredientNames.values).map { $0.lowercased() }
        let valueSetsByID = ValueSetID.allCases.reduce(into: [:]) { $0[$1] = valueSets[Terminology.url($1)] }
        let classValueSets = MedicationClass.allCases.reduce(into: [:]) { $0[$1] = valueSets[Terminology.url($1)] }
        let memberships = CodeMemberships(
            valueSets: valueSetsByID, classes: classValueSets, knownCodes: knownCodes, knownPrefixes: knownPrefixes,
            productCodes: Array(products.keys) + Array(ingredientNames.keys), aliases: aliases)
        return Terminology(
            valueSets: valueSets, valueSetsByID: valueSetsByID,
            products: products, ingredientNames: ingredientNames,
            ingredientClasses: ingredientClasses, mmeFactors: mmeFactors, aliases: aliases, memberships: memberships,
            displayNames: Terminology.setsNamedInText.reduce(into: [:]) { grouped, id in
                grouped[id] = valueSetsByID[id].map { DisplayNames($0.displays) }
            }, source: source, digest: digest,
            ingredientNamesByLength: names.sorted { $0.count != $1.count ? $0.count > $1.count : $0 < $1 })
    }
}
