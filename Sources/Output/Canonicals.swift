import Guideline

/// The engine's identity and the canonical URLs of its knowledge artifacts (GUIDELINE.md: the id
/// contract). Requests carry `<base>/ActivityDefinition/<rule id>`; DetectedIssues carry the rule id
/// as a code of `<base>/CodeSystem/detected-issue`.
public enum Engine {
    public static let name = "PainPath"
    /// The engine version: in Provenance, in the knowledge artifacts' `version`, and in output ids
    /// (a new version may decide differently, so it gives new ids).
    public static let version = "0.5.0"
}

public struct Canonicals: Sendable, Equatable {
    public static let defaultBase = "https://painpath.example.org/fhir"
    public static let planDefinitionId = "painpath-pain-management"

    public let base: String
    public init(base: String = Canonicals.defaultBase) { self.base = base }

    public var planDefinition: String { "\(base)/PlanDefinition/\(Self.planDefinitionId)" }
    /// The PlanDefinition with its version, as Provenance.policy names it.
    public var versionedPlanDefinition: String { "\(planDefinition)|\(Engine.version)" }
    public func activityDefinition(_ ruleId: RuleID) -> String { "\(base)/ActivityDefinition/\(ruleId.rawValue)" }
    public var detectedIssueSystem: String { "\(base)/CodeSystem/detected-issue" }
    public func structureDefinition(_ id: String) -> String { "\(base)/StructureDefinition/\(id)" }
    /// The identifier system for the SHA-256 of an input bundle (Provenance.entity).
    public var inputDigestSystem: String { "\(base)/sid/input-sha256" }
    /// The identifier system of the engine (Provenance.agent.who).
    public var engineSystem: String { "\(base)/sid/engine" }

    /// Ids of the output profiles in `profiles/`.
    public enum Profile {
        public static let inputBundle = "painpath-input-bundle"
        public static let outputBundle = "painpath-recommendation-bundle"
        public static let carePlan = "painpath-careplan"
        public static let serviceRequest = "painpath-servicerequest"
        public static let medicationRequest = "painpath-medicationrequest"
        public static let detectedIssue = "painpath-detectedissue"
        public static let provenance = "painpath-provenance"
    }
}
