import Foundation
import Terminology

public struct MedicationFact: Sendable {
    public enum State: String, Sendable { case active, past }
    public let reference: String
    public let label: String
    public let ingredients: [ProductIngredient]
    public let classes: Set<MedicationClass>
    public let state: State
    public let start: Date?
    public let end: Date?
    /// Weeks taken (to now when active); nil when no start is known.
    public let weeksTaken: Double?
    public let dailyDoseMilligrams: Double?
    public let mmePerDay: Double?
    public let extendedRelease: Bool
    public let stoppedEarly: Bool
    public internal(set) var failure: MedicationFailure?
    public let isTopical: Bool
    public let isEpidural: Bool
    /// Tried: past use of ≥ 4 weeks or stopped early, or active for ≥ 4 weeks.
    public var tried: Bool { stoppedEarly || (weeksTaken ?? 0) >= 4 }
    public var failed: Bool { failure != nil }
    public var isActive: Bool { state == .active }
    public var ingredientNames: [String] { ingredients.map(\.ingredient) }
    public func isIn(_ classes: Set<MedicationClass>) -> Bool { !self.classes.isDisjoint(with: classes) }
}

/// Why a medicine counts as failed (GUIDELINE §1 "failed").
public enum MedicationFailure: Sendable, Equatable {
    /// A coded status reason of the failure value set (lack of effect, not tolerated).
    case statusReason(label: String)
    /// Words in the status reason or a note ("ineffective", "no relief", "intolerance").
    case recordedWords(String)
    /// Taken for ≥ 4 weeks at an adequate dose without improvement of pain.
    case noImprovement(weeks: Int)

    public var text: String {
        switch self {
        case .statusReason(let label): "stopped: \(label)"
        case .recordedWords(let word): "recorded as \"\(word)\""
        case .noImprovement(let weeks): "taken \(weeks) weeks without improvement of pain"
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
