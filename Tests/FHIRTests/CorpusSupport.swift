import Foundation
import Testing

@testable import FHIR

/// The official R4 examples in `../shared/fhir-r4-corpus`, found through the environment variable
/// PAINPATH_FHIR_CORPUS (set by `.ci/run`). Tests that need them are skipped, saying so, without it.
enum Corpus {
    static let root: URL? = {
        guard let path = ProcessInfo.processInfo.environment["PAINPATH_FHIR_CORPUS"], !path.isEmpty else { return nil }
        let url = URL(fileURLWithPath: path)
        return FileManager.default.fileExists(atPath: url.appendingPathComponent("pairs-manifest.json").path)
            ? url : nil
    }()

    static let skipMessage: Comment =
        "PAINPATH_FHIR_CORPUS is not set to a folder with pairs-manifest.json (../shared/fhir-r4-corpus); corpus tests skipped"

    static var isAvailable: Bool { root != nil }

    struct Pair: Sendable, CustomTestStringConvertible {
        let name: String
        let json: String
        let xml: String
        let equivalence: String
        var testDescription: String { name }
    }

    static let pairs: [Pair] = {
        guard let root, let data = try? Data(contentsOf: root.appendingPathComponent("pairs-manifest.json")),
            let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { return [] }
        return list.map {
            Pair(
                name: $0["name"] as! String, json: $0["json"] as! String,
                xml: $0["xml"] as! String, equivalence: $0["equivalence"] as! String)
        }
    }()

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        let name: String
        let file: String
        let expectValid: Bool
        let expectedErrors: [String]
        var testDescription: String { file }
    }

    static let invalidCases: [InvalidCase] = {
        guard let root, let data = try? Data(contentsOf: root.appendingPathComponent("invalid/manifest.json")),
            let list = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]
        else { return [] }
        return list.map { item in
            let errors = (item["expected_errors"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String }
            return InvalidCase(
                name: item["name"] as! String, file: item["file"] as! String,
                expectValid: item["expect_valid"] as! Bool, expectedErrors: errors)
        }
    }()

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root!.appendingPathComponent(relativePath)))
    }

    static func testCasePairs() -> [String] {
        guard let root,
            let names = try? FileManager.default.contentsOfDirectory(
                atPath: root.appendingPathComponent("testcases-r4-pairs").path)
        else { return [] }
        return Set(names.map { ($0 as NSString).deletingPathExtension }).sorted()
    }
}

/// Normalizations that make the documented differences between a JSON file and its XML twin
/// disappear, and nothing else.
enum Equivalence {
    /// Every decimal replaced by a canonical form of its value (`12500.0`, `12500.00` and
    /// `1.25e4` all become `1.25e4`).
    static func decimalsByValue(_ element: FHIRElement) -> FHIRElement {
        var copy = element
        copy.properties = element.properties.map { property in
            FHIRProperty(
                name: property.name,
                values: property.values.map { value in
                    switch value {
                    case .primitive(var primitive):
                        if primitive.type == "decimal", let text = primitive.value {
                            primitive.value = canonicalDecimal(text)
                        }
                        primitive.extensions = primitive.extensions.map(decimalsByValue)
                        return .primitive(primitive)
                    case .element(let child): return .element(decimalsByValue(child))
                    case .deferred(let resource): return .element(decimalsByValue(resource.element))
                    case .xhtml: return value
                    }
                })
        }
        return copy
    }

    static func canonicalDecimal(_ text: String) -> String {
        var chars = Substring(text)
        var negative = false
        if chars.first == "-" {
            negative = true
            chars = chars.dropFirst()
        }
        var exponent = 0
        if let e = chars.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(chars[chars.index(after: e)...]) ?? 0
            chars = chars[..<e]
        }
        var digits = String(chars)
        if let dot = digits.firstIndex(of: ".") {
            exponent -= digits.distance(from: dot, to: digits.endIndex) - 1
            digits.remove(at: dot)
        }
        while digits.hasPrefix("0") { digits.removeFirst() }
        while digits.hasSuffix("0") {
            digits.removeLast()
            exponent += 1
        }
        if digits.isEmpty { return "0" }
        return (negative ? "-" : "") + digits + "e" + String(exponent)
    }

    /// Removes the HTEST "test health data" marker from `meta.security` and `meta.tag`: the XML
    /// examples carry it in `meta.security`, their JSON twins in `meta.tag` or not at all.
    static func withoutTestDataMarker(_ resource: FHIRElement) -> FHIRElement {
        var copy = resource
        guard let metaIndex = copy.properties.firstIndex(where: { $0.name == "meta" }),
            case .element(var meta) = copy.properties[metaIndex].values[0]
        else { return copy }
        for name in ["security", "tag"] {
            meta.set(name, meta[name].filter { $0.element?["code"].first?.primitive?.value != "HTEST" })
        }
        if meta.properties.isEmpty {
            copy.properties.remove(at: metaIndex)
        } else {
            copy.properties[metaIndex].values[0] = .element(meta)
        }
        return copy
    }

    /// A short description of the first place two models differ, for failure messages.
    static func firstDifference(_ a: FHIRElement, _ b: FHIRElement, path: String = "") -> String? {
        let here = path.isEmpty ? a.type : path
        if a.type != b.type { return "\(here): type \(a.type) vs \(b.type)" }
        let namesA = a.properties.map(\.name)
        let namesB = b.properties.map(\.name)
        if namesA != namesB { return "\(here): properties \(namesA) vs \(namesB)" }
        for (pa, pb) in zip(a.properties, b.properties) {
            if pa.values.count != pb.values.count {
                return "\(here).\(pa.name): \(pa.values.count) vs \(pb.values.count) values"
            }
            for (index, (va, vb)) in zip(pa.values, pb.values).enumerated() where va != vb {
                let child = "\(here).\(pa.name)[\(index)]"
                if case .element(let ea) = va, case .element(let eb) = vb {
                    return firstDifference(ea, eb, path: child) ?? "\(child): differs"
                }
                return "\(child): \(String(describing: va).prefix(300)) vs \(String(describing: vb).prefix(300))"
            }
        }
        return nil
    }
}
