import FHIR
import Foundation

public struct TerminologyError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Terminology {
    static let base = "https://painpath.example.org/fhir"
    static let strengthExtension = base + "/StructureDefinition/ingredient-strength"
    static let releaseExtension = base + "/StructureDefinition/release"
    static let routeExtension = base + "/StructureDefinition/route-kind"

    /// Where profiles are looked for, first match wins: the given directory; `PAINPATH_PROFILES`;
    /// `./profiles`; the `profiles/` of the source tree this binary was built from (so a built
    /// `painpath` works from any directory); `/usr/share/painpath/profiles` (an installed service).
    public static func locateProfiles(
        explicit: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String? {
        var candidates: [String] = []
        if let explicit { return explicit }
        if let fromEnvironment = environment["PAINPATH_PROFILES"], !fromEnvironment.isEmpty {
            candidates.append(fromEnvironment)
        }
        candidates.append(FileManager.default.currentDirectoryPath + "/profiles")
        let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(sourceRoot.appendingPathComponent("profiles").path)
        candidates.append("/usr/share/painpath/profiles")
        return candidates.first {
            FileManager.default.fileExists(atPath: $0 + "/ConceptMap-rxnorm-product-to-ingredient.json")
        }
    }

    /// Locates the profiles (see `locateProfiles`) and loads them; the error says which step failed
    /// and how to point at the right directory. `Terminology.source` is the directory used.
    public static func locateAndLoad(explicit: String? = nil) throws(TerminologyError) -> Terminology {
        guard let directory = locateProfiles(explicit: explicit) else {
            throw TerminologyError(
                "no profiles directory found (set --profiles, profiles.directory or PAINPATH_PROFILES)")
        }
        do { return try load(from: directory) } catch {
            throw TerminologyError("cannot load the profiles in \(directory): \(error)")
        }
    }

    /// Loads every ValueSet, the product map and the MME factors from a profiles directory.
    /// Fails (with the file named) when a file is unreadable or a value set the code needs is missing.
    public static func load(from directory: String) throws -> Terminology {
        let reader = FHIRReader()
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
            .sorted()
        var hasher = StableHasher()
        var resources: [(String, FHIRElement)] = []
        for name in names {
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TerminologyError("\(path): cannot be read")
            }
            let bytes = [UInt8](data)
            hasher.combine(name)
            hasher.combine(bytes)
            do {
                resources.append((name, try reader.read(bytes).result.resource))
            } catch {
                throw TerminologyError("\(path): \(error)")
            }
        }

        var valueSets: [String: Set<CodeKey>] = [:]
        var valueSetDisplays: [String: [String]] = [:]
        var products: [String: [ProductIngredient]] = [:]
        var ingredientNames: [String: String] = [:]
        var mmeByCode: [String: Double] = [:]
        for (_, resource) in resources {
            switch resource.type {
            case "ValueSet":
                guard let id = resource.string("id") else { continue }
                var codes = Set<CodeKey>()
                for include in resource.child("compose")?.children("include") ?? [] {
                    guard let system = include.string("system") else { continue }
                    for concept in include.children("concept") {
                        if let code = concept.string("code") { codes.insert(CodeKey(system, code)) }
                        if let display = concept.string("display") {
                            valueSetDisplays[id, default: []].append(display.lowercased())
                        }
                    }
                }
                valueSets[id] = codes
            case "ConceptMap" where resource.string("id") == "rxnorm-product-to-ingredient":
                for group in resource.children("group") {
                    for element in group.children("element") {
                        guard let code = element.string("code") else { continue }
                        products[code] = element.children("target").compactMap(productIngredient)
                        for target in element.children("target") {
                            if let ingredientCode = target.string("code"), let name = target.string("display") {
                                ingredientNames[ingredientCode] = name
                            }
                        }
                    }
                }
            case "CodeSystem" where resource.string("id") == "mme-conversion-factors":
                for concept in resource.children("concept") {
                    guard let code = concept.string("code") else { continue }
                    for property in concept.children("property") where property.string("code") == "conversion-factor" {
                        if let factor = property.string("valueDecimal").flatMap(Double.init) {
                            mmeByCode[code] = factor
                        }
                    }
                }
            default:
                continue
            }
        }

        let missing =
            ValueSetID.allCases.map(\.rawValue).filter { valueSets[$0] == nil }
            + MedicationClass.allCases.map { "medication-class-\($0.rawValue)" }.filter { valueSets[$0] == nil }
        guard missing.isEmpty else {
            throw TerminologyError("\(directory): value sets missing: \(missing.joined(separator: ", "))")
        }
        guard !products.isEmpty else {
            throw TerminologyError("\(directory): ConceptMap-rxnorm-product-to-ingredient.json is missing or empty")
        }

        // Classes by ingredient: an ingredient belongs to a class when its code or any of its products is in the class's value set.
        var ingredientClasses: [String: Set<MedicationClass>] = [:]
        for medicationClass in MedicationClass.allCases {
            let codes = valueSets["medication-class-\(medicationClass.rawValue)"] ?? []
            for key in codes where key.system == CodeSystems.rxnorm {
                let names = products[key.code]?.map(\.ingredient) ?? ingredientNames[key.code].map { [$0] } ?? []
                // A combination product (acetaminophen/oxycodone) is in several class sets; only the
                // ingredient whose own class it is takes the class.
                for name in names
                where belongs(
                    name, to: medicationClass, codes: codes, products: products, ingredientNames: ingredientNames)
                {
                    ingredientClasses[name, default: []].insert(medicationClass)
                }
            }
        }
        var mmeFactors: [String: Double] = [:]
        for (code, factor) in mmeByCode { if let name = ingredientNames[code] { mmeFactors[name] = factor } }

        return Terminology(
            valueSets: valueSets, valueSetDisplays: valueSetDisplays, products: products,
            ingredientNames: ingredientNames,
            ingredientClasses: ingredientClasses, mmeFactors: mmeFactors, source: directory, digest: hasher.hexDigest)
    }

    /// True when the class's value set holds a single-ingredient product of this ingredient, or the
    /// ingredient's own code.
    private static func belongs(
        _ name: String, to medicationClass: MedicationClass, codes: Set<CodeKey>,
        products: [String: [ProductIngredient]], ingredientNames: [String: String]
    ) -> Bool {
        for key in codes where key.system == CodeSystems.rxnorm {
            if ingredientNames[key.code] == name { return true }
            if let ingredients = products[key.code], ingredients.count == 1, ingredients[0].ingredient == name {
                return true
            }
        }
        return false
    }

    private static func productIngredient(_ target: FHIRElement) -> ProductIngredient? {
        guard let name = target.string("display") else { return nil }
        var strength: Double?
        var unit: String?
        var release = ProductIngredient.Release.immediate
        var route = ProductIngredient.RouteKind.other
        for ext in target.children("extension") {
            switch ext.string("url") {
            case strengthExtension:
                let quantity = ext.child("valueQuantity").map(Quantity.init)
                strength = quantity?.number
                unit = quantity?.unit
            case releaseExtension:
                release = ext.string("valueCode").flatMap(ProductIngredient.Release.init) ?? .immediate
            case routeExtension:
                route = ext.string("valueCode").flatMap(ProductIngredient.RouteKind.init) ?? .other
            default:
                break
            }
        }
        if let value = strength, unit?.hasPrefix("mcg") == true {
            strength = value / 1000
            unit = "mg" + (unit?.dropFirst(3) ?? "")
        }
        return ProductIngredient(
            ingredient: name, strengthMilligrams: strength, strengthUnit: unit, release: release, route: route)
    }
}

/// FNV-1a 64: a stable digest for logs and ids (not for security).
public struct StableHasher: Sendable {
    private var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public init() {}

    public mutating func combine(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            state ^= UInt64(byte)
            state = state &* 0x0000_0100_0000_01b3
        }
        state ^= 0xff
        state = state &* 0x0000_0100_0000_01b3
    }

    public mutating func combine(_ string: String) { combine(string.utf8) }

    public var hexDigest: String {
        let hex = String(state, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
