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
        if let bracket = text.firstIndex(of: "[") { text = String(text[..<bracket]) }
        // Braces and parentheses are word separators like spaces (one pass, no Foundation text search: this
        // runs for every order of a medicine the codes do not name, each month's re-order again).
        var words = text.split(whereSeparator: { " \t{}()".contains($0) }).map(String.init)
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
        for part in whole.split(separator: " / ", omittingEmptySubsequences: false) {
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
