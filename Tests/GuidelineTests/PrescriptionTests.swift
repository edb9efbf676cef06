import Case
import Foundation
import Guideline
import PainPathTestKit
import Testing

/// Medicines as real prescriptions are written (GUIDELINE §1 "Reading real prescriptions", "MME/day").
/// The fixture's now is 2026-11-21T09:00Z.
extension CaseFixture {
    /// A MedicationRequest with a raw dosage and dispense request.
    @discardableResult
    mutating func order(
        _ code: String, authored: String = "2026-11-01", status: String = "active", dosage: [String: Any]? = nil,
        dispense: [String: Any]? = nil
    ) -> String {
        let id = "order-\(code)-\(authored)"
        var resource: [String: Any] = [
            "resourceType": "MedicationRequest", "id": id, "status": status, "intent": "order",
            "subject": ["reference": "Patient/p1"], "authoredOn": authored,
            "medicationCodeableConcept": CaseFixture.concept(rxnorm, code),
        ]
        if let dosage { resource["dosageInstruction"] = [dosage] }
        if let dispense { resource["dispenseRequest"] = dispense }
        add(resource)
        return "MedicationRequest/\(id)"
    }
}

func mg(_ value: Double) -> [String: Any] {
    ["value": value, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"]
}
func items(_ value: Double, _ unit: String) -> [String: Any] { ["value": value, "unit": unit] }
func dosage(_ dose: [String: Any], timing: [String: Any], range: Bool = false) -> [String: Any] {
    ["doseAndRate": [range ? ["doseRange": ["low": dose, "high": dose]] : ["doseQuantity": dose]], "timing": timing]
}
func every(_ frequency: Double, per period: Double, _ unit: String, extra: [String: Any] = [:]) -> [String: Any] {
    ["repeat": ["frequency": frequency, "period": period, "periodUnit": unit].merging(extra) { $1 }]
}
func code(_ value: String) -> [String: Any] {
    ["code": ["coding": [["system": "http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation", "code": value]]]]
}

@Suite("every R4 dosage form: daily dose and MME/day")
struct DosageFormTests {
    struct Row: CustomStringConvertible, @unchecked Sendable {  // immutable JSON dictionaries
        let name: String
        let product: String
        let dosage: [String: Any]?
        let dispense: [String: Any]?
        let mme: Double?
        var description: String { name }
    }

    static let oxycodone5 = "1049621", fentanyl75 = "197696", fentanyl25 = "245134", morphine2PerML = "892589"

    static let rows: [Row] = [
        Row(
            name: "mg × frequency per day", product: oxycodone5, dosage: dosage(mg(5), timing: every(4, per: 1, "d")),
            dispense: nil, mme: 30),
        Row(
            name: "tablets × strength", product: oxycodone5,
            dosage: dosage(items(2, "tablet"), timing: every(3, per: 1, "d")),
            dispense: nil, mme: 45),
        Row(
            name: "timing.code BID", product: oxycodone5, dosage: dosage(mg(10), timing: code("BID")), dispense: nil,
            mme: 30),
        Row(
            name: "timing.code BED", product: oxycodone5, dosage: dosage(mg(10), timing: code("BED")), dispense: nil,
            mme: 15),
        Row(
            name: "timing.code Q4H", product: oxycodone5, dosage: dosage(mg(5), timing: code("Q4H")), dispense: nil,
            mme: 45),
        Row(
            name: "every 4–6 h at its most frequent", product: oxycodone5,
            dosage: dosage(mg(10), timing: every(1, per: 4, "h", extra: ["periodMax": 6])), dispense: nil, mme: 90),
        Row(
            name: "frequencyMax", product: oxycodone5,
            dosage: dosage(mg(5), timing: every(2, per: 1, "d", extra: ["frequencyMax": 4])), dispense: nil, mme: 30),
        Row(
            name: "doseRange: its high end", product: oxycodone5,
            dosage: ["doseAndRate": [["doseRange": ["low": mg(5), "high": mg(10)]]], "timing": code("Q6H")],
            dispense: nil, mme: 60),
        Row(
            name: "when: twice a day", product: oxycodone5,
            dosage: dosage(mg(10), timing: ["repeat": ["when": ["MORN", "EVE"]]]), dispense: nil, mme: 30),
        Row(
            name: "per week", product: oxycodone5, dosage: dosage(mg(70), timing: every(1, per: 1, "wk")),
            dispense: nil,
            mme: 15),
        Row(
            name: "maxDosePerPeriod caps", product: oxycodone5,
            dosage: dosage(mg(10), timing: code("Q4H")).merging([
                "maxDosePerPeriod": ["numerator": mg(40), "denominator": ["value": 1, "unit": "d", "code": "d"]]
            ]) { $1 }, dispense: nil, mme: 60),
        Row(
            name: "patch: strength × patches applied", product: fentanyl25,
            dosage: dosage(items(1, "patch"), timing: every(1, per: 72, "h")), dispense: nil, mme: 60),
        Row(
            name: "patch: 0.2 of a 75 mcg/h patch", product: fentanyl75,
            dosage: dosage(items(0.2, "patch"), timing: every(1, per: 72, "h")), dispense: nil, mme: 36),
        Row(
            name: "mL × concentration", product: morphine2PerML,
            dosage: dosage(["value": 5, "unit": "mL", "code": "mL"], timing: code("QID")), dispense: nil, mme: 40),
        Row(
            name: "no dosage: quantity ÷ supply days", product: oxycodone5, dosage: nil,
            dispense: [
                "quantity": ["value": 120, "unit": "tablet"],
                "expectedSupplyDuration": ["value": 30, "unit": "days", "code": "d"],
            ], mme: 30),
        Row(
            name: "rateQuantity in mcg/h", product: fentanyl25,
            dosage: ["doseAndRate": [["rateQuantity": ["value": 25, "unit": "mcg/h", "code": "ug/h"]]]],
            dispense: nil, mme: 60),
        Row(
            name: "a rate in a later dose-and-rate makes the dosage a rate", product: fentanyl25,
            dosage: [
                "doseAndRate": [
                    ["doseQuantity": items(1, "patch")],
                    ["rateQuantity": ["value": 50, "unit": "mcg/h", "code": "ug/h"]],
                ],
                "timing": every(1, per: 72, "h"),
            ], dispense: nil, mme: 120),
        Row(
            name: "a range without its high end: the next dose", product: oxycodone5,
            dosage: [
                "doseAndRate": [["doseRange": ["low": mg(5)]], ["doseQuantity": mg(10)]], "timing": code("QID"),
            ], dispense: nil, mme: 60),
        Row(name: "nothing to read: unknown, never zero", product: oxycodone5, dosage: nil, dispense: nil, mme: nil),
    ]

    @Test(arguments: rows)
    func readsTheDose(_ row: Row) throws {
        var fixture = chronicBack()
        let reference = fixture.order(row.product, dosage: row.dosage, dispense: row.dispense)
        let facts = try fixture.facts()
        let course = try #require(facts.medications.first)
        #expect(course.isActive)
        if let expected = row.mme {
            #expect(abs((course.mmePerDay ?? -1) - expected) < 0.01, "\(row.name): \(course.mmePerDay ?? -1)")
            #expect(facts.mme.known == expected && facts.mme.unknownDose.isEmpty)
        } else {
            #expect(course.mmePerDay == nil && course.opioidDoseUnknown)
            #expect(facts.mme.known == 0 && facts.mme.unknownDose.flatMap(\.references) == [reference])
        }
    }
}

@Suite("current orders, courses, unknown doses, now")
struct PrescriptionReadingTests {
    @Test func anOrderWithoutSupplyIsCurrentFor180DaysThenHistory() throws {
        let recent = chronicBack { $0.order("197591", authored: "2026-06-01") }  // 173 days ago
        #expect(try recent.facts().medications.first?.isActive == true)
        let old = chronicBack { $0.order("197591", authored: "2020-06-15") }
        let course = try #require(try old.facts().medications.first)
        #expect(!course.isActive)
        #expect(course.history == ["history: ordered 2020-06-15, no supply information"])
        #expect(try !old.with { $0.order("1049621", authored: "2026-11-01") }.fired().contains("opioid-benzodiazepine"))
    }

    @Test func theSupplyDecidesHowLongAnOrderIsCurrent() throws {
        // 30 days × (1 + 2 repeats) + 30 days of grace from 2026-07-01: current until 2026-10-28.
        let supply: [String: Any] = [
            "expectedSupplyDuration": ["value": 30, "unit": "days", "code": "d"], "numberOfRepeatsAllowed": 2,
        ]
        #expect(
            try chronicBack { $0.order("197591", authored: "2026-07-01", dispense: supply) }.facts().medications.first?
                .isActive == false)
        #expect(
            try chronicBack { $0.order("197591", authored: "2026-08-01", dispense: supply) }.facts().medications.first?
                .isActive == true)
        // Quantity ÷ daily dose: 60 tablets at 2 a day is 30 days.
        let byQuantity = chronicBack {
            $0.order(
                "197591", authored: "2026-09-01", dosage: dosage(items(1, "tablet"), timing: code("BID")),
                dispense: ["quantity": ["value": 60, "unit": "tablet"]])
        }
        #expect(try byQuantity.facts().medications.first?.isActive == false)
    }

    @Test func monthlyReordersAreOneCourse() throws {
        let fixture = chronicBack {
            for authored in ["2026-07-28", "2026-08-27", "2026-09-26", "2026-10-26"] {
                $0.order(
                    "1049621", authored: authored, dosage: dosage(mg(5), timing: code("QID")),
                    dispense: ["expectedSupplyDuration": ["value": 30, "unit": "days", "code": "d"]])
            }
            $0.pain(7, on: "2026-07-28")
            $0.pain(7, on: "2026-11-18")
        }
        let facts = try fixture.facts()
        let course = try #require(facts.medications.first)
        #expect(facts.medications.count == 1 && course.orders == 4)
        #expect(Int(course.weeksTaken ?? 0) == 16)
        #expect(course.summary.contains("4 orders 2026-07-28 → 2026-10-26, current, 16 weeks"))
        #expect(facts.mme.known == 30, "the re-order supersedes the earlier order: not 60")
        let fired = try fixture.fired()
        #expect(fired.contains("opioid-without-functional-gain") && fired.contains("ineffective-medication-continued"))
        // Orders more than 30 days apart are two courses.
        let apart = chronicBack {
            $0.order("1049621", authored: "2026-01-01", status: "completed")
            $0.order("1049621", authored: "2026-10-01")
        }
        #expect(try apart.facts().medications.count == 2)
    }

    @Test func yearsOfMonthlyReordersAreOneCoursePerMedicine() throws {
        // Ten years of two medicines re-ordered every 30 days with a 30-day supply: two courses, listed in the order
        // of their first resources in the bundle, each with all its orders.
        let supply: [String: Any] = ["expectedSupplyDuration": ["value": 30, "unit": "days", "code": "d"]]
        let start = Date(timeIntervalSince1970: 1_478_000_000)  // 2016-11-01
        let fixture = chronicBack {
            for month in 0..<120 {
                let authored = ClinicalDate.day(start.addingTimeInterval(Double(month) * 30 * 86400))
                $0.order("197591", authored: authored, dispense: supply)
                $0.order("1049621", authored: authored, dispense: supply)
            }
        }
        let facts = try fixture.facts()
        #expect(facts.medications.map(\.orders) == [120, 120])
        #expect(
            facts.medications.map(\.references.first) == [
                "MedicationRequest/order-197591-2016-11-01",
                "MedicationRequest/order-1049621-2016-11-01",
            ])
    }

    @Test func aCourseReachesToTheLatestEndOfItsOrders() throws {
        // A long supply, then a short re-order inside it, then an order 15 days after the long supply ran out but
        // 154 days after the short one did: one course, since the course's supply ran to the long one's end.
        let fixture = chronicBack {
            for (authored, days) in [("2025-01-01", 180), ("2025-02-01", 10), ("2025-07-15", 30)] {
                $0.order(
                    "197591", authored: authored,
                    dispense: ["expectedSupplyDuration": ["value": days, "unit": "days", "code": "d"]])
            }
        }
        let facts = try fixture.facts()
        #expect(facts.medications.map(\.orders) == [3])
        // Without the long supply the last order is more than 30 days after the course's end: two courses.
        let apart = chronicBack {
            for (authored, days) in [("2025-02-01", 10), ("2025-07-15", 30)] {
                $0.order(
                    "197591", authored: authored,
                    dispense: ["expectedSupplyDuration": ["value": days, "unit": "days", "code": "d"]])
            }
        }
        #expect(try apart.facts().medications.map(\.orders) == [1, 1])
    }

    @Test func anUnknownDoseIsWarnedAboutAndNeverZero() throws {
        let unknown = chronicBack { $0.order("1049621") }
        let facts = try unknown.facts()
        #expect(facts.mme.known == 0 && facts.mme.unknownDose.count == 1)
        let warning = try #require(try unknown.evaluate().warnings.first { $0.ruleId == "opioid-dose-unknown" })
        #expect(
            warning.warning.severity == .low
                && warning.warning.implicated == ["MedicationRequest/order-1049621-2026-11-01"])
        // Known and unknown together: high dose fires on the known part, and the unknown one is named.
        let both = chronicBack {
            $0.order("1049621", dosage: dosage(mg(20), timing: code("QID")))
            $0.order("197696")
        }
        let high = try #require(try both.evaluate().explanation.first { $0.rule == "opioid-high-dose" })
        #expect(high.fired && high.reasons.contains { $0.hasPrefix("dose unknown: ") })
        // Near miss: a readable dose.
        #expect(
            try !chronicBack { $0.order("1049621", dosage: dosage(mg(5), timing: code("BID"))) }.fired().contains(
                "opioid-dose-unknown"))
    }

    @Test func buprenorphineAndMethadoneForOpioidUseDisorderAreItsTreatment() throws {
        let buprenorphine = chronicBack {
            $0.condition(sct, "5602001", onset: "2024-01-01")  // opioid abuse
            $0.order("351265")
        }
        let fired = try buprenorphine.fired()
        #expect(!fired.contains("opioid-with-substance-use-disorder") && !fired.contains("opioid-dose-unknown"))
        let methadoneWithOUD = chronicBack {
            $0.condition(icd, "F11.20", onset: "2024-01-01")
            $0.order("864706", dosage: dosage(mg(60), timing: code("QD")))
        }
        #expect(try methadoneWithOUD.facts().mme.known == 0)
        let methadoneForPain = chronicBack { $0.order("864706", dosage: dosage(mg(10), timing: code("BID"))) }
        #expect(try methadoneForPain.facts().mme.known == 94)  // 20 mg × 4.7
    }

    @Test func nothingDatedAfterNowIsAFact() throws {
        let fixture = chronicBack {
            $0.pain(9, on: "2026-12-01")
            $0.order("197591", authored: "2026-12-15")
            $0.condition(sct, "75544000", onset: "2027-01-01")
        }
        let facts = try fixture.facts()
        #expect(facts.painScores.isEmpty && facts.medications.isEmpty && facts.substanceUseDisorders.isEmpty)
        #expect(facts.leftOut.count == 3)
        #expect(facts.leftOut.contains("MedicationRequest/order-197591-2026-12-15"))
    }

    /// A resource is dated by its earliest fact date, whichever element carries it and in whatever order: one date
    /// before now keeps it (a result issued after its effective time, or before), and a date that does not parse is
    /// no date.
    @Test func aResourceIsDatedByItsEarliestFactDate() throws {
        func score(_ id: String, effective: String, issued: String) -> [String: Any] {
            [
                "resourceType": "Observation", "id": id, "status": "final", "subject": ["reference": "Patient/p1"],
                "code": ["coding": [["system": loinc, "code": "72514-3"]]], "valueQuantity": ["value": 7],
                "effectiveDateTime": effective, "issued": issued,
            ]
        }
        let facts = try chronicBack {
            $0.add(score("issued-before", effective: "2026-12-01", issued: "2026-10-01T09:00:00Z"))
            $0.add(score("effective-before", effective: "2026-10-01", issued: "2026-12-01T09:00:00Z"))
            $0.add(score("both-after", effective: "2026-12-01", issued: "2026-12-02T09:00:00Z"))
            $0.add(score("unreadable-then-after", effective: "sometime", issued: "2026-12-02T09:00:00Z"))
        }.facts()
        #expect(facts.leftOut == ["Observation/both-after", "Observation/unreadable-then-after"])
        #expect(facts.painScores.contains { $0.reference == "Observation/effective-before" })
    }

    /// The case stage groups the entries by type before dating them; the left-out list must still be in bundle
    /// order (explain and the output list it), whatever order the types are visited in.
    @Test func resourcesLeftOutAreListedInBundleOrderAcrossTypes() throws {
        var expected: [String] = []
        let fixture = chronicBack {
            expected.append($0.request(sct, "77477000", on: "2026-12-02"))
            $0.pain(6, on: "2026-11-01")  // kept: before now
            expected.append($0.procedure(sct, "229070002", on: "2026-12-03"))
            expected.append($0.condition(sct, "75544000", onset: "2027-01-01"))
            expected.append($0.medication("197591", start: "2026-12-15", statement: true))
            expected.append($0.medication("197591", start: "2026-12-16"))
            expected.append($0.request(sct, "77477000", on: "2026-12-05"))
            expected.append($0.procedure(sct, "229070002", on: "2026-12-06"))
        }
        let facts = try fixture.facts()
        #expect(facts.leftOut == expected)
        #expect(facts.painScores.map(\.value) == [6])
    }

    @Test func aFailureOnAnUnknownDoseSaysTheDoseWasAssumed() throws {
        let fixture = chronicBack {
            $0.order("197806", authored: "2026-08-01")  // ibuprofen 600 mg, no dosage
            $0.pain(7, on: "2026-08-01")
            $0.pain(7, on: "2026-11-10")
        }
        let course = try #require(try fixture.facts().medications.first)
        #expect(course.failure?.text.hasSuffix("(dose unknown, taken as adequate)") == true)
    }
}
