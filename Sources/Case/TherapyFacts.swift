import FHIR
import Foundation
import Terminology

public enum TherapyKind: String, HashedByCase, Sendable {
    case physiotherapy
    case exercise = "exercise therapy"
    case psychological = "CBT / psychotherapy"
    case multidisciplinaryRehabilitation = "multidisciplinary rehabilitation"
    case acupuncture
    case spinalManipulation = "spinal manipulation"
    case massage
    case yogaOrTaiChi = "yoga or tai chi"
    case mindfulness, relaxation
    case tens = "TENS"
    case epiduralSteroidInjection = "epidural steroid injection"
    case medialBranchBlock = "medial branch block"
    case sacroiliacJointInjection = "sacroiliac joint injection"
    case radiofrequencyDenervation = "radiofrequency denervation"
    case spinalSurgery = "spinal surgery"
    case vertebralAugmentation = "vertebral augmentation"
    case scsTrial = "spinal cord stimulator trial"
    case scsImplant = "spinal cord stimulator implant"
    case opioidTaper = "opioid taper"

    public static let nonPharmacological: Set<TherapyKind> = [
        .physiotherapy, .exercise, .psychological, .multidisciplinaryRehabilitation, .acupuncture, .spinalManipulation,
        .massage, .yogaOrTaiChi, .mindfulness, .relaxation, .tens,
    ]
    public static let spinalInjections: Set<TherapyKind> = [
        .epiduralSteroidInjection, .medialBranchBlock, .sacroiliacJointInjection,
    ]
    /// Interventions after which a functional limitation calls for a surgical opinion (004).
    public static let interventions: Set<TherapyKind> = [
        .epiduralSteroidInjection, .radiofrequencyDenervation, .vertebralAugmentation, .scsTrial,
        .sacroiliacJointInjection, .medialBranchBlock,
    ]
}

public struct TherapyFact: Sendable {
    public enum Source: String, Sendable {
        case procedure = "Procedure"
        case request = "ServiceRequest"
        case carePlan = "CarePlan"
    }
    public let kind: TherapyKind
    public let reference: String
    public let source: Source
    /// completed/in-progress/active/…
    public let status: String
    public let date: Date?
    public let imageGuided: Bool
    public let successful: Bool
    public let unsuccessful: Bool
    /// A Procedure that was done, or a request still open.
    public var done: Bool { source == .procedure && (status == "completed" || status == "in-progress") }
    public var requested: Bool {
        source != .procedure && ["active", "draft", "on-hold", "completed"].contains(status)
    }
    /// Done, or requested (so not to be proposed again).
    public var onRecord: Bool { done || requested }
    /// "done" or "requested", for the explanation.
    public var state: String { done ? "done" : "requested" }
}

public struct ImagingFact: Sendable {
    public let reference: String
    /// An order (ServiceRequest) or a result (ImagingStudy, DiagnosticReport).
    public let ordered: Bool
    public let date: Date?
    public let orderedInPrimaryCare: Bool
    /// From a report: nerve-root compression present (true), absent (false) or not said (nil).
    public let nerveRootCompression: Bool?
}

public struct ReferralFact: Sendable {
    public enum Kind: String, Sendable { case specialist, surgical, multidisciplinary }
    public let kind: Kind
    public let reference: String
    public let date: Date?
}
