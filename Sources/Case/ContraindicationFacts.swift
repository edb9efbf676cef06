import FHIR
import Foundation
import Terminology

/// What a contraindication is against.
public enum Contraindicated: String, HashedByCase, Sendable {
    case nsaid, duloxetine, tca, tramadol, opioid
    /// Not a contraindication: the gabapentinoid dose must follow renal function.
    case gabapentinoidRenalDose = "gabapentinoid-renal-dose"
}

/// A condition of GUIDELINE §1 "contraindications", read from a value set.
public enum ContraindicatingCondition: Sendable, Equatable, CaseIterable {
    case ckdStage4to5, giBleedOrPepticUlcer, pregnancy, heartFailure, hepaticImpairment, cardiacConductionDisease
    case seizureDisorder, substanceUseDisorder

    public var valueSet: ValueSetID {
        switch self {
        case .ckdStage4to5: .ckdStage4to5
        case .giBleedOrPepticUlcer: .giBleedOrPepticUlcer
        case .pregnancy: .pregnancy
        case .heartFailure: .heartFailure
        case .hepaticImpairment: .hepaticImpairment
        case .cardiacConductionDisease: .cardiacConductionDisease
        case .seizureDisorder: .seizureDisorder
        case .substanceUseDisorder: .substanceUseDisorder
        }
    }

    /// What the condition contraindicates.
    public var against: [Contraindicated] {
        switch self {
        case .ckdStage4to5: [.nsaid, .duloxetine]
        case .giBleedOrPepticUlcer, .pregnancy, .heartFailure: [.nsaid]
        case .hepaticImpairment: [.duloxetine]
        case .cardiacConductionDisease: [.tca]
        case .seizureDisorder: [.tramadol]
        case .substanceUseDisorder: [.opioid]
        }
    }

    public var words: String {
        switch self {
        case .ckdStage4to5: "chronic kidney disease stage 4–5"
        case .giBleedOrPepticUlcer: "GI bleeding or peptic ulcer"
        case .pregnancy: "pregnancy (gestational age not coded: treated as ≥ 20 weeks)"
        case .heartFailure: "heart failure"
        case .hepaticImpairment: "hepatic impairment"
        case .cardiacConductionDisease: "cardiac conduction disease"
        case .seizureDisorder: "seizure disorder"
        case .substanceUseDisorder: "substance or opioid use disorder"
        }
    }
}

/// One reason a medicine may not be given (or must be dosed for the kidneys), with its sources.
public struct Contraindication: Sendable {
    public enum Cause: Sendable, Equatable {
        case condition(ContraindicatingCondition, label: String)
        case pastGIBleed(label: String)
        case lowEGFR(Double, below: Int)
        case age(Int)
        case activeAnticoagulant(label: String)
        case activeSerotonergic(label: String)
        case activeBenzodiazepine(label: String)
    }
    public let cause: Cause
    public let sources: [String]
    public init(_ cause: Cause, _ sources: [String]) {
        self.cause = cause
        self.sources = sources
    }

    public var isSubstanceUseDisorder: Bool {
        if case .condition(.substanceUseDisorder, _) = cause { return true }
        return false
    }

    public var text: String {
        switch cause {
        case .condition(let condition, let label): "\(condition.words) (\(label))"
        case .pastGIBleed(let label): "history of GI bleeding or peptic ulcer (\(label))"
        case .lowEGFR(let value, let below): "eGFR \(format(value)) (< \(below))"
        case .age(let age): "age \(age) (≥ 65: prefer alternatives)"
        case .activeAnticoagulant(let label): "active anticoagulant (\(label))"
        case .activeSerotonergic(let label): "active \(label) (serotonergic)"
        case .activeBenzodiazepine(let label): "active benzodiazepine \(label)"
        }
    }
    public var reason: Reason { Reason(text, sources) }
}
