import FHIR
import Foundation
import Terminology

/// How much of one ingredient a prescription gives per day, read from the dosage as written in any
/// R4 form (GUIDELINE §1 "MME/day"): `doseQuantity`, `doseRange` (its high end) or `rateQuantity`;
/// in mg or in units of the product (tablets, capsules, patches, mL × concentration, actuations);
/// `timing.code`, `timing.repeat` (`frequency`/`frequencyMax` per `period`/`periodMax`, `when`,
/// `timeOfDay`, `dayOfWeek`), `asNeeded` at its most frequent, `maxDosePerPeriod` as a cap; with no
/// readable dosage, `dispenseRequest` quantity ÷ expected supply days. Unknown is nil, never zero.
public struct DailyDose: Sendable, Equatable {
    /// mg/day of the ingredient.
    public var milligrams: Double?
    /// For a patch: the rate delivered, mcg/h (strength × number applied).
    public var patchMicrogramsPerHour: Double?
    /// Product units per day (tablets, patches, mL), when the dose was written in them.
    public var unitsPerDay: Double?

    public var isKnown: Bool { milligrams != nil || patchMicrogramsPerHour != nil }
}

enum DoseReader {
    /// Administrations per day of the v3-GTSAbbreviation codes that fix a frequency.
    static let timingCodes: [String: Double] = [
        "QD": 1, "QOD": 0.5, "BID": 2, "TID": 3, "QID": 4, "AM": 1, "PM": 1, "BED": 1, "HS": 1, "QHS": 1, "QAM": 1,
        "QPM": 1, "Q1H": 24, "Q2H": 12, "Q3H": 8, "Q4H": 6, "Q6H": 4, "Q8H": 3, "Q12H": 2, "Q24H": 1, "WK": 1.0 / 7,
        "MO": 1.0 / 30,
    ]
    static let daysPerUnit: [String: Double] = [
        "s": 1.0 / 86400, "min": 1.0 / 1440, "h": 1.0 / 24, "d": 1, "wk": 7, "mo": 30, "a": 365,
    ]
    /// Units that count items of the product (multiplied by its strength per item).
    static let itemUnits: Set<String> = [
        "tablet", "tablets", "tab", "tabs", "{tbl}", "{tablet}", "capsule", "capsules", "cap", "caps", "{cap}",
        "{capsule}", "patch", "patches", "{patch}", "actuation", "actuations", "{actuat}", "puff", "puffs", "{puff}",
        "spray", "sprays", "dose", "doses", "{dose}", "unit", "units", "1", "each", "ea", "film", "lozenge",
        "suppository",
    ]

    /// Administrations per day of one dosage; nil when its timing says nothing of frequency. Read in place (a dose is
    /// read for every order: copying the timing and its repeat, and arrays made only to be counted, were most of it).
    static func perDay(_ dosage: FHIRElement) -> Double? {
        dosage.withChild("timing") { timing in
            let daily =
                timing.withChild("repeat") { repeatElement -> Double? in
                    let frequency = (repeatElement.string("frequencyMax") ?? repeatElement.string("frequency")).flatMap(
                        Double.init(fhirNumber:))
                    let period = repeatElement.string("period").flatMap(Double.init(fhirNumber:))
                    let periodMax = repeatElement.string("periodMax").flatMap(Double.init(fhirNumber:))
                    var daily: Double?
                    if let frequency = frequency ?? (period != nil ? 1 : nil) {
                        // Every 4–6 h at its most frequent: the shorter period.
                        let shortest = [period, periodMax].compactMap { $0 }.filter { $0 > 0 }.min() ?? 1
                        if let days = daysPerUnit[repeatElement.string("periodUnit") ?? "d"] {
                            daily = frequency / (shortest * days)
                        }
                    }
                    let times = repeatElement.lexicalValueCount("when") + repeatElement.lexicalValueCount("timeOfDay")
                    if times > 0 { daily = max(daily ?? 0, Double(times)) }
                    let weekdays = repeatElement.lexicalValueCount("dayOfWeek")
                    if weekdays > 0 { daily = (daily ?? 1) * Double(weekdays) / 7 }
                    return daily
                } ?? nil
            if let daily { return daily }
            if let code = timing.child("code").map(CodeableConcept.init)?.codings.first?.code?.uppercased() {
                return timingCodes[code]
            }
            return nil
        } ?? nil
    }

    /// One administration: the dose quantity, or the high end of a range; or a rate (`rateQuantity`), which any of
    /// the dosage's dose-and-rates giving one makes the dosage's. One pass over them, in place.
    static func amount(_ dosage: FHIRElement) -> (dose: Quantity?, rate: Quantity?) {
        var dose: Quantity?
        var rate: Quantity?
        dosage.forEachElement(of: "doseAndRate") { doseAndRate in
            if rate == nil, let quantity = doseAndRate.withChild("rateQuantity", Quantity.init) { rate = quantity }
            guard dose == nil else { return }
            if let quantity = doseAndRate.withChild("doseQuantity", Quantity.init) {
                dose = quantity
            } else if let high = doseAndRate.withChild("doseRange", { $0.withChild("high", Quantity.init) }) ?? nil {
                dose = high
            }
        }
        return (dose, rate)
    }

    /// The quantity's code, else its unit, in lower case.
    static func unit(_ quantity: Quantity) -> String { lowercased(quantity.code ?? quantity.unit ?? "") }

    /// `text.lowercased()`, without making a new string when it is lower case ASCII already (units nearly always are).
    static func lowercased(_ text: String) -> String {
        var text = text
        let isLower = text.withUTF8 { bytes in
            !bytes.contains { $0 >= 0x80 || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z")) }
        }
        return isLower ? text : text.lowercased()
    }

    /// mg in one administration of `quantity` (or its patch rate), given the product strength.
    static func milligrams(_ quantity: Quantity, strength: ProductIngredient)
        -> (mg: Double?, microgramsPerHour: Double?, items: Double?)
    {
        guard let value = quantity.number else { return (nil, nil, nil) }
        let unit = unit(quantity)
        let perHour = strength.strengthUnit?.hasSuffix("/hr") == true
        switch unit {
        case "mg": return (value, nil, nil)
        case "g": return (value * 1000, nil, nil)
        case "ug", "mcg", "µg": return (value / 1000, nil, nil)
        case "ug/h", "mcg/h", "mcg/hr", "ug/hr", "µg/h": return (nil, value, nil)
        case "ml", "ml/dose":
            // mL × the concentration (mg/mL).
            guard let concentration = strength.strengthMilligrams, strength.strengthUnit == "mg/ml" else {
                return (nil, nil, value)
            }
            return (value * concentration, nil, value)
        default:
            guard itemUnits.contains(unit) || unit.isEmpty else { return (nil, nil, nil) }
            guard let strength = strength.strengthMilligrams else { return (nil, nil, value) }
            if perHour { return (nil, value * strength * 1000, value) }
            return (value * strength, nil, value)
        }
    }

    /// mg/day (or a patch's mcg/h) of one ingredient from the dosage instructions; with none
    /// readable, from the dispense request (quantity ÷ expected supply days).
    static func read(dosages: [FHIRElement], ingredient: ProductIngredient, dispense: FHIRElement?) -> DailyDose {
        var result = DailyDose()
        for dosage in dosages {
            let (amount, rate) = amount(dosage)
            if let quantity = rate {
                switch unit(quantity) {
                case "ug/h", "mcg/h", "mcg/hr", "ug/hr": result.patchMicrogramsPerHour = quantity.number
                case "mg/h", "mg/hr": result.milligrams = quantity.number.map { $0 * 24 }
                default: break
                }
                continue
            }
            guard let quantity = amount else { continue }
            let one = milligrams(quantity, strength: ingredient)
            if let rate = one.microgramsPerHour {
                // A patch: the rate of the patches applied, whatever the frequency of changes.
                result.patchMicrogramsPerHour = (result.patchMicrogramsPerHour ?? 0) + rate
                continue
            }
            guard let times = perDay(dosage) else { continue }
            if let items = one.items { result.unitsPerDay = (result.unitsPerDay ?? 0) + items * times }
            guard var daily = one.mg.map({ $0 * times }) else { continue }
            if let cap = maximumPerDay(dosage, ingredient: ingredient) { daily = min(daily, cap) }
            result.milligrams = (result.milligrams ?? 0) + daily
        }
        if !result.isKnown, let dispense, let fromSupply = dispensed(dispense, ingredient: ingredient) {
            return fromSupply
        }
        return result
    }

    /// `maxDosePerPeriod` as mg/day: numerator in mg (or items × strength) over the denominator.
    static func maximumPerDay(_ dosage: FHIRElement, ingredient: ProductIngredient) -> Double? {
        guard let ratio = dosage.child("maxDosePerPeriod"),
            let numerator = ratio.child("numerator").map(Quantity.init),
            let denominator = ratio.child("denominator").map(Quantity.init), let span = denominator.number, span > 0,
            let days = daysPerUnit[unit(denominator) == "h" || unit(denominator) == "hr" ? "h" : unit(denominator)]
        else { return nil }
        guard let mg = milligrams(numerator, strength: ingredient).mg else { return nil }
        return mg / (span * days)
    }

    /// Quantity dispensed ÷ expected supply days, in product units or mg.
    static func dispensed(_ dispense: FHIRElement, ingredient: ProductIngredient) -> DailyDose? {
        guard let quantity = dispense.withChild("quantity", Quantity.init), let days = supplyDays(dispense),
            days > 0
        else { return nil }
        let one = milligrams(quantity, strength: ingredient)
        if ingredient.strengthUnit?.hasSuffix("/hr") == true { return nil }  // patches: the number applied is unsaid
        var dose = DailyDose()
        dose.milligrams = one.mg.map { $0 / days }
        dose.unitsPerDay = one.items.map { $0 / days }
        return dose.isKnown ? dose : nil
    }

    /// `expectedSupplyDuration` in days (one fill).
    static func supplyDays(_ dispense: FHIRElement) -> Double? {
        guard let duration = dispense.withChild("expectedSupplyDuration", Quantity.init), let value = duration.number
        else { return nil }
        let unit = unit(duration)
        let days = daysPerUnit[unit] ?? ["day": 1, "days": 1, "week": 7, "weeks": 7, "month": 30, "months": 30][unit]
        return days.map { value * $0 }
    }
}
