import Foundation
import Terminology

/// One course of a medicine (GUIDELINE §1): the orders and statements of one ingredient (and
/// release) whose periods are less than 30 days apart, read as a clinician reads a medication list.
public struct MedicationFact: Sendable {
    public enum State: String, Sendable { case active, past }
    /// The latest order's reference; `references` has every order of the course.
    public let reference: String
    public let references: [String]
    public let label: String
    public let ingredients: [ProductIngredient]
    public let classes: Set<MedicationClass>
    /// Active: an order of the course is current (GUIDELINE "current"); past otherwise.
    public let state: State
    public let start: Date?
    /// When its latest order was written or began.
    public let lastOrdered: Date?
    /// The last end; *now* for a current course.
    public let end: Date?
    /// The course's length in weeks (to now when current); nil when no start is known.
    public let weeksTaken: Double?
    /// mg/day of the course's ingredient: of its current orders, else of its latest order.
    public let dailyDoseMilligrams: Double?
    /// MME/day of its current orders (the known part); nil when none is known.
    public let mmePerDay: Double?
    /// A current order of an opioid whose daily dose cannot be read.
    public let opioidDoseUnknown: Bool
    public let extendedRelease: Bool
    public let stoppedEarly: Bool
    public internal(set) var failure: MedicationFailure?
    public let isTopical: Bool
    public let isEpidural: Bool
    /// Orders left as history though their status says active ("history: ordered 2017-07-22, no supply
    /// information"), for the explanation.
    public let history: [String]
    /// Buprenorphine, or methadone with opioid use disorder: treatment of the disorder (MOUD), not an
    /// opioid for MME/day, `opioid-with-substance-use-disorder` or `opioid-dose-unknown`.
    public internal(set) var isMOUD = false
    /// Tried: past use of ≥ 4 weeks or stopped early, or active for ≥ 4 weeks.
    public var tried: Bool { stoppedEarly || (weeksTaken ?? 0) >= 4 }
    public var failed: Bool { failure != nil }
    public var isActive: Bool { state == .active }
    public var ingredientNames: [String] { ingredients.map(\.ingredient) }
    public func isIn(_ classes: Set<MedicationClass>) -> Bool { !self.classes.isDisjoint(with: classes) }
    public var orders: Int { references.count }

    /// The course for people: its label alone for one order; with several, "oxycodone, 11 orders
    /// 2021-01-31 → 2023-08-01, current, 131 weeks".
    public var summary: String {
        guard orders > 1 else { return label }
        let from = start.map(ClinicalDate.day) ?? "?"
        let to = lastOrdered.map(ClinicalDate.day) ?? "?"
        return "\(label), \(orders) orders \(from) → \(to), \(isActive ? "current" : "ended"), "
            + "\(Int(weeksTaken ?? 0)) weeks"
    }
}

/// One MedicationRequest or MedicationStatement as read, before courses are formed.
public struct MedicationOrder: Sendable {
    public let reference: String
    public let label: String
    public let ingredients: [ProductIngredient]
    public let classes: Set<MedicationClass>
    public let current: Bool
    public let start: Date?
    public let end: Date?
    public let dailyDoseMilligrams: Double?
    public let mmePerDay: Double?
    public let opioidDoseUnknown: Bool
    public let extendedRelease: Bool
    public let stoppedEarly: Bool
    public let failure: MedicationFailure?
    public let isTopical: Bool
    public let isEpidural: Bool
    public let history: String?
}

/// Orders → courses: one ingredient (and release) whose periods are less than 30 days apart.
enum MedicationCourses {
    /// What orders of one course share: the ingredients (sorted) and whether the release is extended.
    struct Key: Hashable {
        let ingredients: [String]
        let extendedRelease: Bool

        init(_ order: MedicationOrder) {
            ingredients =
                order.ingredients.count == 1
                ? [order.ingredients[0].ingredient] : order.ingredients.map(\.ingredient).sorted()
            extendedRelease = order.extendedRelease
        }
    }

    /// A course while it is grouped: its orders' positions, in start order, and the latest end among them.
    struct OpenCourse {
        var positions: [Int]
        var latestEnd: Date?
    }

    static func group(_ orders: [MedicationOrder], now: Date) -> [MedicationFact] {
        // Each key's courses, the keys in the order first met. A course is extended in place and remembers its latest
        // end: a record re-ordering one medicine monthly for years copied the course, and read every end in it, at
        // each re-order.
        var keyIndex: [Key: Int] = [:]
        var coursesOfKey: [[OpenCourse]] = []
        // The starts read once: the comparator reading `orders[i].start` copied the whole order at every compare.
        let starts = orders.map { $0.start ?? .distantPast }
        let byStart = orders.indices.sorted { (starts[$0], $0) < (starts[$1], $1) }
        for position in byStart {
            let key = Key(orders[position])
            let index: Int
            if let known = keyIndex[key] {
                index = known
            } else {
                index = coursesOfKey.count
                keyIndex[key] = index
                coursesOfKey.append([])
            }
            let last = coursesOfKey[index].count - 1
            let end = orders[position].end
            if last >= 0, let latestEnd = coursesOfKey[index][last].latestEnd, let start = orders[position].start,
                start.timeIntervalSince(latestEnd) < 30 * 86400
            {
                coursesOfKey[index][last].positions.append(position)
                if let end, end > latestEnd { coursesOfKey[index][last].latestEnd = end }
            } else {
                coursesOfKey[index].append(OpenCourse(positions: [position], latestEnd: end))
            }
        }
        // Courses in the order of the first resource of each (as the bundle lists them): the courses' order is sorted
        // before they are made (sorting the made facts moved large values at every swap), ties kept in grouping order.
        let position = Dictionary(orders.enumerated().map { ($1.reference, $0) }, uniquingKeysWith: { a, _ in a })
        let courses = Array(coursesOfKey.joined())
        let firstPositions = courses.map { position[orders[$0.positions[0]].reference] ?? 0 }
        return courses.indices.sorted { (firstPositions[$0], $0) < (firstPositions[$1], $1) }.map {
            course(of: courses[$0].positions.map { orders[$0] }, now: now)
        }
    }

    static func course(of orders: [MedicationOrder], now: Date) -> MedicationFact {
        let latest = orders[orders.count - 1]
        // A re-order supersedes the earlier order of the same product still within its supply: the
        // dose is that of the latest current order of each product, summed over products.
        var latestByProduct: [String: MedicationOrder] = [:]
        for order in orders where order.current { latestByProduct[order.label] = order }
        let current = orders.filter { order in latestByProduct[order.label]?.reference == order.reference }
        let start = orders.compactMap(\.start).min()
        let end = current.isEmpty ? orders.compactMap(\.end).max() : now
        let weeks = start.flatMap { s in end.map { max(0, ClinicalDate.weeks(from: s, to: $0)) } }
        let doses = (current.isEmpty ? [latest] : current).compactMap(\.dailyDoseMilligrams)
        let mmes = current.compactMap(\.mmePerDay)
        return MedicationFact(
            reference: latest.reference, references: orders.map(\.reference), label: latest.label,
            ingredients: latest.ingredients, classes: orders.reduce(into: Set()) { $0.formUnion($1.classes) },
            state: current.isEmpty ? .past : .active, start: start, lastOrdered: latest.start, end: end,
            weeksTaken: weeks,
            dailyDoseMilligrams: doses.isEmpty ? nil : doses.reduce(0, +),
            mmePerDay: mmes.isEmpty ? nil : mmes.reduce(0, +),
            opioidDoseUnknown: current.contains(where: \.opioidDoseUnknown), extendedRelease: latest.extendedRelease,
            stoppedEarly: latest.stoppedEarly, failure: latest.failure ?? orders.compactMap(\.failure).last,
            isTopical: latest.isTopical, isEpidural: latest.isEpidural, history: orders.compactMap(\.history))
    }
}

/// Why a medicine counts as failed (GUIDELINE §1 "failed").
public enum MedicationFailure: Sendable, Equatable {
    /// A coded status reason of the failure value set (lack of effect, not tolerated).
    case statusReason(label: String)
    /// Words in the status reason or a note ("ineffective", "no relief", "intolerance").
    case recordedWords(String)
    /// Taken for ≥ 4 weeks at an adequate dose without improvement of pain (an unknown dose taken as
    /// adequate, and said so).
    case noImprovement(weeks: Int, doseAssumed: Bool)

    public var text: String {
        switch self {
        case .statusReason(let label): "stopped: \(label)"
        case .recordedWords(let word): "recorded as \"\(word)\""
        case .noImprovement(let weeks, let assumed):
            "taken \(weeks) weeks without improvement of pain" + (assumed ? " (dose unknown, taken as adequate)" : "")
        }
    }
}

extension MedicationClass {
    /// Classes that treat pain (benzodiazepines and corticosteroids are not pain medicines here).
    public static let painMedicines: Set<MedicationClass> = [
        .gabapentinoid, .sodiumChannelAnticonvulsant, .tca, .snri, .nsaid, .topical, .tramadol, .opioid,
        .acetaminophen, .muscleRelaxant,
    ]
    /// First-line medicines for neuropathic pain (000, 001).
    public static let firstLineNeuropathic: Set<MedicationClass> = [.gabapentinoid, .tca, .snri]
    /// First-line systemic medicines for back and neuropathic pain: what must be tried before an
    /// opioid (000, 002).
    public static let firstLineSystemic: Set<MedicationClass> = firstLineNeuropathic.union([.nsaid, .acetaminophen])
    /// Every first-line medicine, systemic or topical, and the second-line anticonvulsant: what makes
    /// therapy "optimized" (GUIDELINE §1 optimized therapy weeks).
    public static let firstLineAny: Set<MedicationClass> = firstLineSystemic.union([
        .sodiumChannelAnticonvulsant, .topical,
    ])
}
