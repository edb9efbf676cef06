import FHIR
import Foundation

public struct TerminologyError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Terminology {
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

    /// Locates the profiles (see `locateProfiles`) and loads them with a site's local directory
    /// (`local`, else `PAINPATH_PROFILES_LOCAL`); the error says which step failed and how to point
    /// at the right directory. `Terminology.source` is the directory used.
    public static func locateAndLoad(
        explicit: String? = nil, local: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TerminologyError) -> Terminology {
        guard let directory = locateProfiles(explicit: explicit, environment: environment) else {
            throw TerminologyError(
                "no profiles directory found (set --profiles, profiles.directory or PAINPATH_PROFILES)")
        }
        let local = local ?? environment["PAINPATH_PROFILES_LOCAL"].flatMap { $0.isEmpty ? nil : $0 }
        do { return try load(from: directory, local: local) } catch {
            throw TerminologyError("cannot load the profiles in \(directory): \(error)")
        }
    }

    /// Terminology files may be larger than an inbox bundle (official expansions hold thousands of
    /// codes), but not without bound.
    public static let fileLimits: FHIRReadLimits = {
        var limits = FHIRReadLimits.default
        limits.maxInputBytes = 128 << 20
        limits.maxStringBytes = 16 << 20
        return limits
    }()

    /// Loads every ValueSet, ConceptMap and CodeSystem of a profiles directory, then those of a
    /// site's local directory: a local ValueSet with a shipped URL extends that set, a local
    /// ConceptMap maps local codes onto shipped ones. Fails, naming the file, when a file cannot be
    /// read, a set includes one that does not exist, or a value set the code needs is missing or empty.
    public static func load(from directory: String, local: String? = nil) throws -> Terminology {
        var hasher = StableHasher()
        var builder = TerminologyBuilder()
        for (name, prepared) in try readResources(directory, hasher: &hasher, prepare: TerminologyBuilder.prepare) {
            try builder.add(prepared, file: directory + "/" + name, local: false)
        }
        if let local {
            for (name, prepared) in try readResources(local, hasher: &hasher, prepare: TerminologyBuilder.prepare) {
                try builder.add(prepared, file: local + "/" + name, local: true)
            }
        }
        return try builder.build(source: directory, digest: hasher.hexDigest)
    }

    /// Every `.json` file of a directory, by name, read as FHIR and handed to `prepare` (with its path); each file's
    /// name and bytes go into `hasher` in name order. The files are read and prepared on every core (start-up is
    /// most of a `painpath` run, and reading these 7 MB of JSON most of start-up), the largest first so that the
    /// ConceptMap — half the bytes — does not start last; the digest, one chain over all the bytes, is made beside
    /// them. The first file in name order that fails is the error.
    static func readResources<Prepared>(
        _ directory: String, hasher: inout StableHasher,
        prepare: @escaping @Sendable (FHIRElement, String) throws -> Prepared
    ) throws -> [(String, Prepared)] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
                .sorted()
        } catch {
            throw TerminologyError("\(directory): cannot be listed")
        }
        let contents = try names.map { name in
            let path = directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path) else {
                throw TerminologyError("\(path): cannot be read")
            }
            return [UInt8](data)
        }
        let largestFirst = contents.indices.sorted { contents[$0].count > contents[$1].count }
        let parsed = PreparedFiles<Prepared>(count: names.count)
        let digest = DigestSlot(hasher)
        let reader = FHIRReader(limits: fileLimits)
        // Iteration 0 makes the digest; the others parse one file each.
        DispatchQueue.concurrentPerform(iterations: names.count + 1) { iteration in
            guard iteration > 0 else {
                digest.combine(zip(names, contents))
                return
            }
            let index = largestFirst[iteration - 1]
            let path = directory + "/" + names[index]
            parsed.store(
                index,
                Result {
                    let resource: FHIRElement
                    do { resource = try reader.read(contents[index]).result.resource } catch {
                        throw TerminologyError("\(path): \(error)")
                    }
                    return try prepare(resource, path)
                })
        }
        hasher = digest.hasher
        return try names.indices.map { index in (names[index], try parsed.result(index).get()) }
    }

    /// The prepared files of `readResources`, one slot per file, each written by one iteration of a concurrent loop
    /// and read after it has returned (which orders the writes before the reads).
    /// (Plain memory, not an array: iterations on several threads must not mutate one array variable.)
    private final class PreparedFiles<Prepared>: @unchecked Sendable {
        private let slots: UnsafeMutableBufferPointer<Result<Prepared, any Error>?>
        init(count: Int) {
            slots = .allocate(capacity: count)
            slots.initialize(repeating: nil)
        }
        deinit {
            slots.deinitialize()
            slots.deallocate()
        }
        func store(_ index: Int, _ result: Result<Prepared, any Error>) { slots[index] = result }
        func result(_ index: Int) -> Result<Prepared, any Error> { slots[index]! }
    }

    /// The digest being made by one iteration of `readResources`' loop, read after it.
    private final class DigestSlot: @unchecked Sendable {
        var hasher: StableHasher
        init(_ hasher: StableHasher) { self.hasher = hasher }
        func combine(_ files: some Sequence<(String, [UInt8])>) {
            for (name, bytes) in files {
                hasher.combine(name)
                hasher.combine(bytes)
            }
        }
    }

    static func productIngredient(_ target: FHIRElement) -> ProductIngredient? {
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
