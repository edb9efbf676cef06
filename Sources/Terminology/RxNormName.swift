/// A medicine read from its RxNorm-style name when its code is unknown:
/// `duloxetine 30 MG Delayed Release Oral Capsule [Cymbalta]`,
/// `acetaminophen 325 MG / oxycodone hydrochloride 5 MG Oral Tablet`,
/// `72 HR fentanyl 0.075 MG/HR Transdermal System`, `{60 (gabapentin 300 MG Oral Capsule) } Pack`.
/// Each " / " part must begin with an ingredient the terminology knows (salts such as
/// "hydrochloride" follow it); the brand in brackets is ignored — a brand reaches its ingredient
/// only through such a name, never through a list of brands.
public struct RxNormName: Sendable, Equatable {
    public let ingredients: [ProductIngredient]

    /// Nil when no part names a known ingredient. `knownIngredients` lowercased, longest first.
    public init?(_ name: String, knownIngredients: [String]) {
        var text = name.lowercased()
        // The brand, and a pack's wrapping: "{60 (" … ") } pack".
        if let bracket = text.utf8.firstIndex(of: UInt8(ascii: "[")) { text = String(text[..<bracket]) }
        // Braces and parentheses are word separators like spaces (one pass, no Foundation text search: this
        // runs for every order of a medicine the codes do not name, each month's re-order again; the test is
        // written out, as a search of a string of separators per character was a fifth of this reading).
        var words = text.split(whereSeparator: {
            $0 == " " || $0 == "\t" || $0 == "{" || $0 == "}" || $0 == "(" || $0 == ")"
        })
        .map(String.init)
        // A leading pack count ("60") and duration ("12 hr") say nothing of the ingredient.
        var extended = false
        if words.first == "abuse-deterrent" { words.removeFirst() }
        while let first = words.first, Double(first) != nil {
            if words.count > 1, words[1] == "hr" {
                extended = true
                words.removeFirst(2)
            } else {
                words.removeFirst()
            }
        }
        let whole = words.joined(separator: " ")
        let form = Self.form(of: whole)
        extended = extended || whole.includes("extended release") || whole.includes("transdermal system")
        var found: [ProductIngredient] = []
        for part in Self.parts(of: whole) {
            let part = String(part).trimmingSpaces
            guard let ingredient = knownIngredients.first(where: { part.hasPrefix($0) && Self.endsWord(part, at: $0) })
            else { continue }
            let strength = Self.strength(in: part)
            found.append(
                ProductIngredient(
                    ingredient: ingredient, strengthMilligrams: strength?.milligrams, strengthUnit: strength?.unit,
                    release: extended ? .extended : .immediate, route: form))
        }
        guard !found.isEmpty else { return nil }
        ingredients = found
    }

    /// `whole.split(separator: " / ", omittingEmptySubsequences: false)`: found on the bytes when the text is
    /// ASCII (each byte a character, so the same splits), by characters otherwise. The library's generic split
    /// by a separator was another fifth of this reading.
    static func parts(of whole: String) -> [Substring] {
        let utf8 = whole.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else {
            return whole.split(separator: " / ", omittingEmptySubsequences: false)
        }
        var parts: [Substring] = []
        var partStart = utf8.startIndex
        var index = utf8.startIndex
        while index < utf8.endIndex {
            // " / ": a space, then a slash, then a space.
            let slash = utf8.index(after: index)
            let space = slash < utf8.endIndex ? utf8.index(after: slash) : slash
            guard utf8[index] == UInt8(ascii: " "), space < utf8.endIndex, utf8[slash] == UInt8(ascii: "/"),
                utf8[space] == UInt8(ascii: " ")
            else {
                index = slash
                continue
            }
            parts.append(whole[partStart..<index])
            index = utf8.index(after: space)
            partStart = index
        }
        parts.append(whole[partStart...])
        return parts
    }

    static func endsWord(_ text: String, at prefix: String) -> Bool {
        guard text.count > prefix.count else { return true }
        let next = text[text.index(text.startIndex, offsetBy: prefix.count)]
        return !(next.isLetter || next.isNumber || next == "-")
    }

    static func form(of text: String) -> ProductIngredient.RouteKind {
        let topical = ["topical", "transdermal", "patch", "cutaneous", "medicated pad"].contains { text.includes($0) }
        let systemic = ["oral", "inject", "intravenous", "intramuscular"].contains { text.includes($0) }
        if topical && !systemic { return .topical }
        if text.includes("inject") { return .injection }
        if text.includes("oral") { return .oral }
        return .other
    }

    /// The first "number unit" of a part: `5 mg`, `0.075 mg/hr`, `2 mg/ml`, `50 mcg/actuat`, `5mg`.
    static func strength(in part: String) -> (milligrams: Double, unit: String)? {
        let units: [(String, Double)] = [("mcg", 0.001), ("ug", 0.001), ("mg", 1), ("g", 1000)]
        let words = part.split(separator: " ").map(String.init)
        for (index, word) in words.enumerated() {
            var number = word
            var unit = index + 1 < words.count ? words[index + 1] : ""
            if Double(number) == nil, let split = word.firstIndex(where: { $0.isLetter }) {
                number = String(word[..<split])
                unit = String(word[split...])
            }
            guard let value = Double(number) else { continue }
            for (name, factor) in units where unit == name || unit.hasPrefix(name + "/") {
                let per = unit.dropFirst(name.count)
                return (value * factor, "mg" + per)
            }
        }
        return nil
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
