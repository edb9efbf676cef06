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

/// The canonical URLs, each made once from the base: a bundle names the plan, a rule's ActivityDefinition for every
/// request and activity, and a profile for every resource, and each was a string built afresh.
public struct Canonicals: Sendable, Equatable {
    public static let defaultBase = "https://painpath.example.org/fhir"
    public static let planDefinitionId = "painpath-pain-management"

    public let base: String
    public let planDefinition: String
    /// The PlanDefinition with its version, as Provenance.policy names it.
    public let versionedPlanDefinition: String
    public let detectedIssueSystem: String
    /// The identifier system for the SHA-256 of an input bundle (Provenance.entity).
    public let inputDigestSystem: String
    /// The identifier system of the engine (Provenance.agent.who).
    public let engineSystem: String
    /// Each rule's ActivityDefinition, by the rule id's case index.
    private let activityDefinitions: [String]
    /// The output profiles' StructureDefinitions (`Profile`), which every output resource names in its `meta`.
    private let profileDefinitions: [(id: String, url: String)]

    public init(base: String = Canonicals.defaultBase) {
        self.base = base
        planDefinition = "\(base)/PlanDefinition/\(Self.planDefinitionId)"
        versionedPlanDefinition = "\(planDefinition)|\(Engine.version)"
        detectedIssueSystem = "\(base)/CodeSystem/detected-issue"
        inputDigestSystem = "\(base)/sid/input-sha256"
        engineSystem = "\(base)/sid/engine"
        activityDefinitions = RuleID.allCases.map { "\(base)/ActivityDefinition/\($0.rawValue)" }
        profileDefinitions = Profile.all.map { ($0, "\(base)/StructureDefinition/\($0)") }
    }

    /// Everything else is made from the base.
    public static func == (lhs: Canonicals, rhs: Canonicals) -> Bool { lhs.base == rhs.base }

    public func activityDefinition(_ ruleId: RuleID) -> String { activityDefinitions[ruleId.caseIndex] }
    public func structureDefinition(_ id: String) -> String {
        profileDefinitions.first { $0.id == id }?.url ?? "\(base)/StructureDefinition/\(id)"
    }

    /// Ids of the output profiles in `profiles/`.
    public enum Profile {
        public static let inputBundle = "painpath-input-bundle"
        public static let outputBundle = "painpath-recommendation-bundle"
        public static let carePlan = "painpath-careplan"
        public static let serviceRequest = "painpath-servicerequest"
        public static let medicationRequest = "painpath-medicationrequest"
        public static let detectedIssue = "painpath-detectedissue"
        public static let provenance = "painpath-provenance"

        static let all = [
            inputBundle, outputBundle, carePlan, serviceRequest, medicationRequest, detectedIssue, provenance,
        ]
    }
}
